/**
 * Integer arithmetic on the CESQL Integer type: signed 32-bit (cesql.md §3.1).
 *
 * JavaScript numbers are doubles, so every result is checked against the 32-bit range. The spec
 * defines one overflow explicitly: ABS(-2147483648) returns 2147483647 with a MathError (§3.5.2).
 * Operators follow the same rule: a result outside the range is clamped to the nearest bound and a
 * MathError is reported. Division and remainder by zero return 0 with a MathError (§3.4.2).
 * Results are never -0, so they compare and print like the integers they stand for.
 */
import type { ArithmeticOperator } from './ast.js';
import { type ErrorSink, mathError } from './errors.js';
import { INT32_MAX, INT32_MIN } from './types.js';

/** `value` inside the 32-bit range, or the nearest bound plus a MathError naming `what`. */
export function toInt32(value: number, what: string, sink: ErrorSink): number {
  if (value > INT32_MAX) {
    sink.report(mathError(`${what} overflows the 32-bit Integer range`));
    return INT32_MAX;
  }
  if (value < INT32_MIN) {
    sink.report(mathError(`${what} overflows the 32-bit Integer range`));
    return INT32_MIN;
  }
  // `+ 0` turns -0 into 0 and leaves every other number unchanged.
  return value + 0;
}

export function negate(value: number, sink: ErrorSink): number {
  return toInt32(-value, `-(${value})`, sink);
}

/** §3.5.2 ABS: the one overflow the spec spells out. */
export function absolute(value: number, sink: ErrorSink): number {
  return toInt32(Math.abs(value), `ABS(${value})`, sink);
}

export function applyArithmetic(
  operator: ArithmeticOperator,
  left: number,
  right: number,
  sink: ErrorSink,
): number {
  const what = `${left} ${operator} ${right}`;
  switch (operator) {
    case '+':
      return toInt32(left + right, what, sink);
    case '-':
      return toInt32(left - right, what, sink);
    case '*':
      // The exact product of two 32-bit values can exceed 2^53, but then it is far outside the
      // 32-bit range anyway; inside the range the double product is exact.
      return toInt32(left * right, what, sink);
    case '/':
      if (right === 0) {
        sink.report(mathError(`division by zero in ${what}`));
        return 0;
      }
      // §3.4.2: rounded towards 0. For 32-bit operands the double quotient is never close enough to
      // an integer to truncate to the wrong one. -2147483648 / -1 overflows.
      return toInt32(Math.trunc(left / right), what, sink);
    default:
      if (right === 0) {
        sink.report(mathError(`remainder of division by zero in ${what}`));
        return 0;
      }
      // §3.4.2: the result has the sign of `left`, which is exactly JavaScript's `%`.
      return toInt32(left % right, what, sink);
  }
}
