/**
 * Number comparison, within the limits EventBridge documents for numeric matching: values between
 * -5.0e9 and +5.0e9 inclusive, compared to six digits after the decimal point (15 significant
 * digits at the top of the range).
 *
 * Both sides of a comparison are rounded to the nearest millionth before comparing. Inside the
 * range a count of millionths is at most 5e15, below 2^53, so the rounded values are exact integers
 * in a double and compare without further error. Consequences, all deliberate:
 * - 5, 5.0 and 5.0000001 are equal; 5.000001 is not equal to 5.
 * - `[">", 0]` does not match 0.0000001, which rounds to 0.
 * - An event number outside the range never satisfies a `numeric` condition; an exact value outside
 *   the range still matches an identical number (JavaScript equality), because EventBridge matches
 *   such values by their text, and parsing has already made identical text identical numbers.
 * - A `numeric` bound outside the range is a pattern error, since no event could be compared to it.
 *
 * Our input is already parsed, so "300", "300.0" and "3.0e2" in the event's JSON text are one number
 * by the time we see it: exact numeric values are compared as numbers, never as text.
 */

export const NUMERIC_LIMIT = 5e9;
const MILLIONTHS = 1e6;

export function isInNumericRange(value: number): boolean {
  return value >= -NUMERIC_LIMIT && value <= NUMERIC_LIMIT;
}

/** `value` as a whole number of millionths, rounding half away from zero. Only for in-range values. */
export function toMillionths(value: number): number {
  const scaled = Math.round(Math.abs(value) * MILLIONTHS);
  // Normalise -0 to 0 so that it cannot be told apart from 0 anywhere (Object.is, Map keys, output).
  return value < 0 && scaled !== 0 ? -scaled : scaled;
}

/**
 * The representative of `value` under numeric equality: in-range numbers rounded to six decimals,
 * anything else unchanged. Two numbers are equal for matching exactly when their canonical forms are
 * identical, so an index can key events and patterns by this value.
 */
export function canonicalNumber(value: number): number {
  return isInNumericRange(value) ? toMillionths(value) / MILLIONTHS : value;
}
