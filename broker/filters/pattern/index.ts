/**
 * The `pattern` filter dialect: event patterns with the semantics of Amazon EventBridge, matched
 * against an event's JSON form (every context attribute at top level, plus `data`).
 *
 *   compilePattern({ type: [{ prefix: 'com.example.' }], data: { amount: [{ numeric: ['>', 100] }] } })
 *
 * A pattern is an object whose fields hold either a value list (an array: the field matches when
 * any entry does) or a nested pattern object; all fields must match. Entries are exact values
 * (string, number, boolean, null) or operator objects: `prefix`, `suffix`, `equals-ignore-case`,
 * `wildcard`, `anything-but`, `numeric`, `exists` and `cidr`; `$or` combines alternative objects.
 * A field absent from the event matches nothing except `{"exists": false}`.
 *
 * Decisions where EventBridge leaves room are documented next to the code they shape: number
 * precision in numbers.ts, case folding in case-fold.ts, anything-but types in anything-but.ts,
 * address families in cidr.ts, and arrays in event-values.ts and compile.ts.
 */
import { compileObject, type FieldReader, type IndexHint, rootObject } from './compile.js';
import { type EventObject, ownValue } from './event-values.js';

export type { IndexHint } from './compile.js';
export { formatPatternPath, PatternError, type PatternPath } from './errors.js';
export { canonicalNumber, NUMERIC_LIMIT } from './numbers.js';

/**
 * An event as a pattern reads it, without its JSON form being built: the top-level fields are the
 * context attributes plus `data`, which is read (and parsed, for bytes) only if the pattern asks.
 */
export interface PatternEvent {
  readonly attributes: EventObject;
  /** The event's data as its JSON form holds it; undefined when that form has no `data`. */
  data(): unknown;
}

export interface CompiledPattern {
  /** Whether the event's JSON form matches. Never throws, whatever the event holds. */
  matches(eventJson: unknown): boolean;
  /** The same answer as `matches` on the event's JSON form, read in place. */
  matchesEvent(event: PatternEvent): boolean;
  /**
   * The exact-value constraints every matching event satisfies, for an index that narrows the
   * subscriptions worth evaluating. One hint per field, outside any `$or`, whose value list holds
   * only exact values: a matching event has, at `path` (descending through arrays of objects), a
   * value equal to one of `values`, or an array containing one. Numbers are given in their
   * `canonicalNumber` form; canonicalise event numbers the same way before looking them up.
   * Empty when the pattern has no such constraint. A hint is necessary, not sufficient: candidates
   * must still be confirmed with `matches`.
   */
  indexHints(): IndexHint[];
}

/** Validates and compiles a pattern; throws `PatternError` pointing at the first problem found. */
export function compilePattern(pattern: unknown): CompiledPattern {
  const root = compileObject(pattern, [], [], false, readEventField);
  const hints = root.hints;
  const matchesEvent = root.matches;
  return {
    matches: (eventJson) => {
      const object = rootObject(eventJson);
      return matchesEvent({ attributes: object, data: () => ownValue(object, 'data') });
    },
    matchesEvent,
    indexHints: () => hints.map((hint) => ({ path: [...hint.path], values: [...hint.values] })),
  };
}

/** The JSON form's top level: `data` is the event's data, every other field an attribute. */
const readEventField: FieldReader<PatternEvent> = (event, key) =>
  key === 'data' ? event.data() : ownValue(event.attributes, key);
