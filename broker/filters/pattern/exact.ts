/**
 * Exact value matching, shared by plain values in a value list and by `anything-but` exclusions.
 *
 * Types never cross: the string "5" does not equal the number 5, `true` does not equal "true", and
 * `null` does not equal "" (EventBridge: null and the empty string "are not interchangeable").
 * Strings compare code unit by code unit, with no case folding or Unicode normalisation. Numbers
 * compare numerically under the precision rule in numbers.ts.
 */
import type { Scalar } from './event-values.js';
import { canonicalNumber } from './numbers.js';

export type ValueTest = (value: Scalar) => boolean;

/** The distinct values of `values` under exact matching, numbers in their canonical form. */
export function distinctExactValues(values: readonly Scalar[]): Scalar[] {
  const seen = new Set<Scalar>();
  for (const value of values) seen.add(typeof value === 'number' ? canonicalNumber(value) : value);
  return [...seen];
}

/** A test that is true when a value equals any of `values`, in constant time per value. */
export function equalsAnyOf(values: readonly Scalar[]): ValueTest {
  if (values.length === 1) return equalsOne(values[0]!);
  const strings = new Set<string>();
  const numbers = new Set<number>();
  let matchesTrue = false;
  let matchesFalse = false;
  let matchesNull = false;
  for (const value of values) {
    if (typeof value === 'string') strings.add(value);
    else if (typeof value === 'number') numbers.add(canonicalNumber(value));
    else if (value === true) matchesTrue = true;
    else if (value === false) matchesFalse = true;
    else matchesNull = true;
  }
  return (value) => {
    switch (typeof value) {
      case 'string':
        return strings.has(value);
      case 'number':
        return numbers.has(canonicalNumber(value));
      case 'boolean':
        return value ? matchesTrue : matchesFalse;
      default:
        return matchesNull;
    }
  };
}

/**
 * One value, the most common list: a comparison instead of a lookup in a set. Strings, booleans
 * and null compare with `===` (no type crosses it); numbers by their canonical form, as above.
 */
function equalsOne(expected: Scalar): ValueTest {
  if (typeof expected !== 'number') return (value) => value === expected;
  const canonical = canonicalNumber(expected);
  return (value) => typeof value === 'number' && canonicalNumber(value) === canonical;
}
