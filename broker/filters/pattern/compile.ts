/**
 * Compiles a pattern's object structure into closures, once, so that matching an event never
 * re-reads the pattern. Each object in the pattern becomes a test on one event object: every field
 * must match (AND), and a `$or` must have at least one matching branch.
 *
 * A field holding a nested pattern object follows EventBridge's array rule: when the event holds an
 * array of objects there, the nested pattern must match one element as a whole, so two conditions
 * are never satisfied by two different elements. When the event holds no object there (missing,
 * a scalar), the nested pattern is tested against an empty object, so only conditions that accept
 * absence, such as `{"exists": false}`, can match.
 *
 * `$or` is evaluated as boolean logic, independent of key order: the object matches when all its
 * other fields match and at least one branch does. A field constrained both beside and inside a
 * `$or` must satisfy both constraints.
 */
import { describeValue, PatternError, type PatternPath } from './errors.js';
import { type EventObject, isEventObject, objectsOf, ownValue } from './event-values.js';
import { OPERATOR_NAMES } from './operators.js';
import { isPatternObject } from './pattern-object.js';
import { compileValueList } from './value-list.js';

/** An exact-value constraint that every matching event satisfies; see `CompiledPattern.indexHints`. */
export interface IndexHint {
  readonly path: string[];
  readonly values: (string | number | boolean | null)[];
}

export type ObjectTest<O = EventObject> = (object: O) => boolean;

/** Reads one field of the object a test is given: undefined when absent. */
export type FieldReader<O> = (object: O, key: string) => unknown;

export interface CompiledObject<O = EventObject> {
  readonly matches: ObjectTest<O>;
  /** Exact-value constraints outside any `$or`, with paths from the pattern root. */
  readonly hints: readonly IndexHint[];
}

const EMPTY_OBJECT: EventObject = Object.freeze({});

/**
 * @param fieldPath the event field names leading to this object, for index hints
 * @param isOrBranch whether this object is a `$or` branch, where operator names are not field names
 * @param read how fields are read from what the test is given: own properties of an event object,
 *   except at the root, which the entry point may read from the event without building its JSON form
 */
export function compileObject<O>(
  node: unknown,
  path: PatternPath,
  fieldPath: readonly string[],
  isOrBranch: boolean,
  read: FieldReader<O>,
): CompiledObject<O> {
  if (!isPatternObject(node)) {
    throw new PatternError(path, `expected an object of fields, got ${describeValue(node)}`);
  }
  const keys = Object.keys(node);
  if (keys.length === 0) {
    throw new PatternError(path, 'an empty object constrains nothing; name at least one field');
  }

  const tests: ObjectTest<O>[] = [];
  const hints: IndexHint[] = [];
  for (const key of keys) {
    const value = node[key];
    const keyPath = [...path, key];
    if (key === '$or') {
      tests.push(compileOr(value, keyPath, fieldPath, read));
      continue;
    }
    if (isOrBranch && OPERATOR_NAMES.has(key)) {
      throw new PatternError(
        keyPath,
        `"${key}" is an operator, not a field name; inside a value list write {"${key}": ...}`,
      );
    }
    if (Array.isArray(value)) {
      const list = compileValueList(value, keyPath);
      tests.push(list.fieldTest(key, read));
      if (list.exactValues !== undefined)
        hints.push({ path: [...fieldPath, key], values: [...list.exactValues] });
    } else if (isPatternObject(value)) {
      const nested = compileObject(value, keyPath, [...fieldPath, key], false, ownValue);
      tests.push(nestedFieldTest(key, nested.matches, read));
      hints.push(...nested.hints);
    } else {
      throw new PatternError(
        keyPath,
        `expected a value list (array) or a nested pattern object, got ${describeValue(value)}`,
      );
    }
  }
  return { matches: allOf(tests), hints };
}

function nestedFieldTest<O>(key: string, matches: ObjectTest, read: FieldReader<O>): ObjectTest<O> {
  return (object) => {
    const value = read(object, key);
    // The common cases first, without building the list of candidate objects.
    if (isEventObject(value)) return matches(value);
    if (!Array.isArray(value)) return matches(EMPTY_OBJECT);
    const candidates = objectsOf(value);
    if (candidates.length === 0) return matches(EMPTY_OBJECT);
    for (const candidate of candidates) if (matches(candidate)) return true;
    return false;
  };
}

/**
 * A `$or` needs at least two branches, as in EventBridge; each branch is a pattern object matched
 * against the same event object as the `$or`'s siblings.
 */
function compileOr<O>(
  value: unknown,
  path: PatternPath,
  fieldPath: readonly string[],
  read: FieldReader<O>,
): ObjectTest<O> {
  if (!Array.isArray(value)) {
    throw new PatternError(path, `"$or" expects an array of pattern objects, got ${describeValue(value)}`);
  }
  if (value.length < 2) {
    throw new PatternError(path, `"$or" needs at least two branches, got ${value.length}`);
  }
  const branches = value.map((branch, index) => {
    if (!isPatternObject(branch)) {
      throw new PatternError(
        [...path, index],
        `each "$or" branch must be a pattern object, not ${describeValue(branch)}`,
      );
    }
    return compileObject(branch, [...path, index], fieldPath, true, read).matches;
  });
  return (object) => {
    for (const branch of branches) if (branch(object)) return true;
    return false;
  };
}

function allOf<O>(tests: readonly ObjectTest<O>[]): ObjectTest<O> {
  if (tests.length === 1 && tests[0] !== undefined) return tests[0];
  if (tests.length === 2) {
    const [first, second] = tests as [ObjectTest<O>, ObjectTest<O>];
    return (object) => first(object) && second(object);
  }
  return (object) => {
    for (const test of tests) if (!test(object)) return false;
    return true;
  };
}

/** Used by the entry point: the event itself is the root object; a non-object event has no fields. */
export function rootObject(event: unknown): EventObject {
  return isEventObject(event) ? event : EMPTY_OBJECT;
}
