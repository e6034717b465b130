/**
 * Operator semantics on values that have already been evaluated (cesql.md §3.4), including the
 * implicit casts of §3.7. Error propagation from operands is the compiler's job; these functions
 * only report the errors the operator itself raises (casts of its operands, math errors).
 */
import type { ArithmeticOperator, ComparisonOperator } from './ast.js';
import { castTo, castToBoolean, castToInteger } from './casts.js';
import { castError, type ErrorSink } from './errors.js';
import { applyArithmetic } from './integers.js';
import { type CesqlValue, typeOfValue } from './types.js';

export function arithmetic(
  operator: ArithmeticOperator,
  left: CesqlValue,
  right: CesqlValue,
  sink: ErrorSink,
): number {
  // Integer x Integer -> Integer is the only overload: both operands are cast to Integer (§3.7 rule 2.1).
  return applyArithmetic(operator, castToInteger(left, sink), castToInteger(right, sink), sink);
}

export function compare(
  operator: ComparisonOperator,
  left: CesqlValue,
  right: CesqlValue,
  sink: ErrorSink,
): boolean {
  // <, <=, >, >= exist only for Integer x Integer, so strings such as '5' and '10' compare as numbers.
  const x = castToInteger(left, sink);
  const y = castToInteger(right, sink);
  switch (operator) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    default:
      return x >= y;
  }
}

/**
 * `=` is ambiguous: it has Boolean, Integer and String overloads (§3.4.2). §3.7 rule 2.2 picks the
 * overload whose right parameter has the right operand's type (always exactly one) and casts the
 * left operand to it: `'TRUE' = true` is true, `true = 'TRUE'` compares 'true' with 'TRUE'.
 * The IN operator uses the same comparison with the roles swapped (see `setContains`).
 */
export function valuesEqual(left: CesqlValue, right: CesqlValue, sink: ErrorSink): boolean {
  return castTo(left, typeOfValue(right), sink) === right;
}

/** §3.4.5 / §3.7: IN casts every element of the set to the type of the left operand. */
export function setContains(needle: CesqlValue, set: readonly CesqlValue[], sink: ErrorSink): boolean {
  const target = typeOfValue(needle);
  let found = false;
  // Every element is cast, also after a match, so the errors do not depend on the element order.
  for (const element of set) if (castTo(element, target, sink) === needle) found = true;
  return found;
}

/**
 * §3.4.1 NOT: Boolean -> Boolean. Strings are cast to Boolean as §3.7 says. An Integer operand is
 * a CastError whose cast result is false, so `NOT 10` is `true` with a CastError: the conformance
 * suite requires exactly this ("Invalid int cast", not_operator.yaml), although the §3.7 table
 * would cast 10 to true. This is the only place where Integer -> Boolean is refused; AND, OR,
 * XOR, `=` and BOOL() cast integers as the table says.
 */
export function logicalNot(operand: CesqlValue, sink: ErrorSink): boolean {
  if (typeof operand === 'number') {
    sink.report(castError(`NOT expects a Boolean, not the Integer ${operand}`));
    return true;
  }
  return !castToBoolean(operand, sink);
}
