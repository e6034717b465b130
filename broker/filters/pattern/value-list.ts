/**
 * A value list, the array at a pattern leaf such as `"state": ["running", {"prefix": "stop"}]`.
 * The field matches when any entry matches (EventBridge: "OR" within a list), where plain values
 * are exact matches and objects are operators.
 */
import { describeValue, PatternError, type PatternPath } from './errors.js';
import { isScalar, leavesOf, type Scalar } from './event-values.js';
import { distinctExactValues, equalsAnyOf, type ValueTest } from './exact.js';
import { compileOperator } from './operators.js';
import { isPatternObject } from './pattern-object.js';

export interface CompiledValueList {
  /** Tests the raw value stored under the field (undefined when the field is absent). */
  readonly matches: (fieldValue: unknown) => boolean;
  /**
   * The same test as one closure that also reads the field: a pattern keeps one of these per
   * field, and each closure fewer is an object fewer to fetch when thousands of patterns are
   * evaluated now and then rather than a few all the time.
   */
  fieldTest<O>(key: string, read: (object: O, key: string) => unknown): (object: O) => boolean;
  /** The list's values when it holds only plain values (no operator), for index hints. */
  readonly exactValues: readonly Scalar[] | undefined;
}

export function compileValueList(list: readonly unknown[], path: PatternPath): CompiledValueList {
  if (list.length === 0) {
    throw new PatternError(path, 'an empty value list can never match; give at least one value or operator');
  }
  const [only] = list;
  if (list.length === 1 && typeof only === 'string') return oneString(only);
  const literals: Scalar[] = [];
  const tests: ValueTest[] = [];
  let matchesWhenAbsent = false;
  let matchesWhenPresent = false;

  for (const [index, entry] of list.entries()) {
    const entryPath = [...path, index];
    if (isPatternObject(entry)) {
      const condition = compileOperator(entry, entryPath);
      if (condition.kind === 'value') tests.push(condition.test);
      else if (condition.present) matchesWhenPresent = true;
      else matchesWhenAbsent = true;
    } else {
      literals.push(readLiteral(entry, entryPath));
    }
  }
  if (literals.length > 0) tests.unshift(equalsAnyOf(literals));
  const anyTest = combine(tests);

  const matches = (fieldValue: unknown): boolean => {
    // The common case first: one scalar is one leaf, tested without building the list of leaves.
    if (isScalar(fieldValue)) return matchesWhenPresent || anyTest?.(fieldValue) === true;
    // A field with no leaf (absent, an object, an empty array) is what `exists: false` means.
    const leaves = leavesOf(fieldValue);
    if (leaves.length === 0) return matchesWhenAbsent;
    if (matchesWhenPresent) return true;
    if (anyTest === undefined) return false;
    for (const leaf of leaves) if (anyTest(leaf)) return true;
    return false;
  };
  return {
    exactValues: literals.length === list.length ? distinctExactValues(literals) : undefined,
    matches,
    fieldTest: (key, read) => (object) => matches(read(object, key)),
  };
}

/**
 * The most common list, `["value"]`, specialised: a leaf matches when it is that very string (no
 * other type equals a string), and an array when one of its leaves is.
 */
function oneString(expected: string): CompiledValueList {
  const matches = (fieldValue: unknown): boolean =>
    fieldValue === expected || (Array.isArray(fieldValue) && leavesOf(fieldValue).includes(expected));
  return {
    exactValues: [expected],
    matches,
    fieldTest: (key, read) => (object) => {
      const fieldValue = read(object, key);
      return (
        fieldValue === expected || (Array.isArray(fieldValue) && leavesOf(fieldValue).includes(expected))
      );
    },
  };
}

function readLiteral(entry: unknown, path: PatternPath): Scalar {
  if (entry === null || typeof entry === 'string' || typeof entry === 'boolean') return entry;
  if (typeof entry === 'number' && Number.isFinite(entry)) return entry;
  if (Array.isArray(entry)) {
    throw new PatternError(path, 'a value list cannot contain an array; list the values directly');
  }
  throw new PatternError(
    path,
    `a value list holds strings, finite numbers, booleans, null or operator objects, not ${describeValue(entry)}`,
  );
}

function combine(tests: readonly ValueTest[]): ValueTest | undefined {
  if (tests.length <= 1) return tests[0];
  return (leaf) => {
    for (const test of tests) if (test(leaf)) return true;
    return false;
  };
}
