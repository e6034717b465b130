/**
 * Why a pattern does not match an event: the same walk as compile.ts makes, step for step (every
 * field in order, a value list through the very `compileValueList` the matcher uses, a nested
 * object with EventBridge's array rule, `$or` as "at least one branch"), but answering with the
 * first field that failed instead of `false`. Used by `explain` only, never on the routing path;
 * a property test holds it to the matcher's answer (test/unit/filters/explain-property.test.ts).
 */

import { type EventObject, isEventObject, objectsOf, ownValue } from './event-values.js';
import { compilePattern, formatPatternPath, PatternError, type PatternEvent } from './index.js';
import { isPatternObject } from './pattern-object.js';
import { compileValueList } from './value-list.js';

/** Undefined when the object matches, else why not. */
type ObjectExplainer<O> = (object: O) => string | undefined;
type FieldReader<O> = (object: O, key: string) => unknown;

const EMPTY_OBJECT: EventObject = Object.freeze({});

/** Longest rendering of a value or a value list in a reason. */
const SHOWN = 120;

/**
 * Compiles `pattern` into a function that says why an event does not match it (undefined when it
 * matches). A pattern that does not compile never matches, as in the matcher.
 */
export function explainPattern(pattern: unknown): (event: PatternEvent) => string | undefined {
  try {
    compilePattern(pattern);
  } catch (err) {
    if (!(err instanceof PatternError)) throw err;
    const why = `the pattern does not compile (${formatPatternPath(err.path)}: ${err.reason})`;
    return () => why;
  }
  return explainObject(pattern as EventObject, [], readEventField);
}

const readEventField: FieldReader<PatternEvent> = (event, key) =>
  key === 'data' ? event.data() : ownValue(event.attributes, key);

function explainObject<O>(
  node: EventObject,
  fieldPath: readonly string[],
  read: FieldReader<O>,
): ObjectExplainer<O> {
  const tests: ObjectExplainer<O>[] = [];
  for (const key of Object.keys(node)) {
    const value = node[key];
    if (key === '$or') {
      const branches = (value as EventObject[]).map((branch) => explainObject(branch, fieldPath, read));
      tests.push((object) => {
        const reasons: string[] = [];
        for (const branch of branches) {
          const why = branch(object);
          if (why === undefined) return undefined;
          reasons.push(why);
        }
        return `no "$or" branch matched (${reasons.map((why, i) => `branch ${i}: ${why}`).join('; ')})`;
      });
      continue;
    }
    const path = [...fieldPath, key];
    if (Array.isArray(value)) {
      const list = compileValueList(value, []);
      tests.push((object) => {
        const fieldValue = read(object, key);
        return list.matches(fieldValue) ? undefined : listMiss(path, fieldValue, value);
      });
    } else if (isPatternObject(value)) {
      const nested = explainObject<EventObject>(value, path, ownValue);
      tests.push((object) => nestedField(path, read(object, key), nested));
    }
  }
  return (object) => {
    for (const test of tests) {
      const why = test(object);
      if (why !== undefined) return why;
    }
    return undefined;
  };
}

/** compile.ts `nestedFieldTest`, with reasons. */
function nestedField(
  path: readonly string[],
  value: unknown,
  nested: ObjectExplainer<EventObject>,
): string | undefined {
  if (isEventObject(value)) return nested(value);
  const candidates = Array.isArray(value) ? objectsOf(value) : [];
  if (candidates.length === 0) {
    const why = nested(EMPTY_OBJECT);
    if (why === undefined) return undefined;
    return value === undefined ? why : `${fieldName(path)} is ${shown(value)}, not an object: ${why}`;
  }
  let first: string | undefined;
  for (const candidate of candidates) {
    const why = nested(candidate);
    if (why === undefined) return undefined;
    first ??= why;
  }
  return `no object in ${fieldName(path)} matches as a whole (the first: ${first})`;
}

function listMiss(path: readonly string[], value: unknown, list: readonly unknown[]): string {
  const expected = shown(list);
  if (value === undefined) return `${fieldName(path)} is absent; the pattern wants ${expected}`;
  return `${fieldName(path)} is ${shown(value)}, which matches none of ${expected}`;
}

/** `attribute "type"` for a context attribute, `data.order.id` for a field of the data. */
export function fieldName(path: readonly string[]): string {
  if (path.length === 1 && path[0] !== 'data') return `attribute ${JSON.stringify(path[0])}`;
  return path.join('.');
}

function shown(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > SHOWN ? `${text.slice(0, SHOWN)}…` : text;
}
