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
  /** The list's values when it holds only plain values (no operator), for index hints. */
  readonly exactValues: readonly Scalar[] | undefined;
}

export function compileValueList(list: readonly unknown[], path: PatternPath): CompiledValueList {
  if (list.length === 0) {
    throw new PatternError(path, 'an empty value list can never match; give at least one value or operator');
  }
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

  return {
    exactValues: literals.length === list.length ? distinctExactValues(literals) : undefined,
    matches(fieldValue) {
      // The common case first: one scalar is one leaf, tested without building the list of leaves.
      if (isScalar(fieldValue)) return matchesWhenPresent || (anyTest !== undefined && anyTest(fieldValue));
      // A field with no leaf (absent, an object, an empty array) is what `exists: false` means.
      const leaves = leavesOf(fieldValue);
      if (leaves.length === 0) return matchesWhenAbsent;
      if (matchesWhenPresent) return true;
      if (anyTest === undefined) return false;
      for (const leaf of leaves) if (anyTest(leaf)) return true;
      return false;
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
