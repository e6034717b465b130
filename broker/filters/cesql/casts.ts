/**
 * Type casts between the three primitive types (cesql.md §3.7, "Type casting" tables).
 *
 * Every cast is total: a failed cast reports a CastError to the sink and yields the zero value
 * the spec prescribes (0 for Integer, false for Boolean). Casting to String never fails.
 */
import { castError, type ErrorSink } from './errors.js';
import { type CesqlType, type CesqlValue, INT32_MAX, INT32_MIN } from './types.js';

const INTEGER_TEXT = /^[+-]?[0-9]+$/;
const LEADING_SIGN_AND_ZEROS = /^[+-]?0*/;
/** 2147483648 has ten digits; anything longer cannot be a 32-bit integer. */
const MAX_SIGNIFICANT_DIGITS = 10;

/**
 * §3.7 String -> Integer: base 10, optional leading '+' or '-', nothing else (no whitespace, no
 * fraction, no exponent). `undefined` when the text is not an integer or does not fit 32 bits.
 */
export function parseInteger(text: string): number | undefined {
  if (!INTEGER_TEXT.test(text)) return undefined;
  const digits = text.replace(LEADING_SIGN_AND_ZEROS, '');
  if (digits.length > MAX_SIGNIFICANT_DIGITS) return undefined;
  const magnitude = digits === '' ? 0 : Number(digits);
  if (magnitude === 0) return 0;
  const value = text.startsWith('-') ? -magnitude : magnitude;
  return value < INT32_MIN || value > INT32_MAX ? undefined : value;
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
