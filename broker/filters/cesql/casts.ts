/**
 * Type casts between the three primitive types (cesql.md §3.7, "Type casting" tables).
 *
 * Every cast is total: a failed cast reports a CastError to the sink and yields the zero value
 * the spec prescribes (0 for Integer, false for Boolean). Casting to String never fails.
 */
import { castError, type ErrorSink } from './errors.js';
import { type CesqlType, type CesqlValue, INT32_MAX, INT32_MIN } from './types.js';

const CODE_ZERO = 0x30;
const CODE_PLUS = 0x2b;
const CODE_MINUS = 0x2d;

/**
 * §3.7 String -> Integer: base 10, optional leading '+' or '-', nothing else (no whitespace, no
 * fraction, no exponent). `undefined` when the text is not an integer or does not fit 32 bits.
 * A single pass over the characters: this runs for every event that compares a text attribute
 * with a number.
 */
export function parseInteger(text: string): number | undefined {
  const first = text.charCodeAt(0);
  const negative = first === CODE_MINUS;
  let index = negative || first === CODE_PLUS ? 1 : 0;
  if (index >= text.length) return undefined;
  let magnitude = 0;
  for (; index < text.length; index++) {
    const digit = text.charCodeAt(index) - CODE_ZERO;
    if (digit < 0 || digit > 9) return undefined;
    magnitude = magnitude * 10 + digit;
    // Past 2^31 no further digit can bring it back into range; stop before the double loses precision.
    if (magnitude > -INT32_MIN) return undefined;
  }
  if (!negative && magnitude > INT32_MAX) return undefined;
  // `+ 0` turns the -0 of "-0" into 0.
  return negative ? -magnitude + 0 : magnitude;
}

/** §3.7 String -> Boolean: the lower case form must be exactly "true" or "false". */
export function parseBoolean(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return undefined;
}

/** §3.7 Integer -> String and Boolean -> String. */
export function castToString(value: CesqlValue): string {
  return typeof value === 'string' ? value : String(value);
}

/** §3.7 String -> Integer (may fail) and Boolean -> Integer (1 or 0). */
export function castToInteger(value: CesqlValue, sink: ErrorSink): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  const parsed = parseInteger(value);
  if (parsed !== undefined) return parsed;
  sink.report(castError(`cannot cast the string '${value}' to Integer`));
  return 0;
}

/** §3.7 String -> Boolean (may fail) and Integer -> Boolean (0 is false, anything else true). */
export function castToBoolean(value: CesqlValue, sink: ErrorSink): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  const parsed = parseBoolean(value);
  if (parsed !== undefined) return parsed;
  sink.report(castError(`cannot cast the string '${value}' to Boolean`));
  return false;
}

export function castTo(value: CesqlValue, target: CesqlType, sink: ErrorSink): CesqlValue {
  switch (target) {
    case 'Boolean':
      return castToBoolean(value, sink);
    case 'Integer':
      return castToInteger(value, sink);
    default:
      return castToString(value);
  }
}
