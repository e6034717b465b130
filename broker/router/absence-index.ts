/**
 * Subscriptions filed under a field's absence (`exists: false`), by field path: an event reaches
 * those of every path it does not surely have a leaf at. This is the complement of an index: every
 * other index hands over what an event holds, this one what it lacks, so it cannot be a lookup of
 * the event's values. Its cost per event is one read down each distinct path filed here (a few
 * property reads each), not one per subscription; key-selection.ts files a subscription here only
 * when it has no other necessary condition, so the paths are few.
 *
 * A path is surely held when it leads, through objects only, to a value with a leaf (a scalar, or
 * an array holding one at any depth). An array on the way is not followed: a nested pattern then
 * matches when ANY object element lacks the field (pattern/compile.ts), which one read cannot rule
 * out, so the subscriptions are handed over and their predicates decide. Erring that way only costs
 * an evaluation; erring the other way would lose a match.
 */
import type { CloudEvent } from '../cloudevents/event.js';
import type { FilterInput } from '../filters/input.js';
import { isEventObject, isScalar, leavesOf, ownValue } from '../filters/pattern/event-values.js';
import type { IdSink } from './candidate-set.js';

interface AbsentPath {
  readonly fields: readonly string[];
  readonly ids: number[];
}

export class AbsenceIndex {
  private readonly byPath = new Map<string, AbsentPath>();
  private readonly paths: AbsentPath[] = [];

  get size(): number {
    return this.paths.length;
  }

  add(path: readonly string[], id: number): void {
    const key = JSON.stringify(path);
    let entry = this.byPath.get(key);
    if (entry === undefined) {
      entry = { fields: [...path], ids: [] };
      this.byPath.set(key, entry);
      this.paths.push(entry);
    }
    entry.ids.push(id);
  }

  /** Hands `into` the ids filed under every path the event may lack. */
  collect(event: CloudEvent, input: FilterInput, into: IdSink): void {
    const paths = this.paths;
    for (let p = 0; p < paths.length; p++) {
      const { fields, ids } = paths[p]!;
      if (!surelyHasLeaf(fields, event, input)) into.addAll(ids);
    }
  }
}

/** Whether `fields` lead, through objects only, to a value with a leaf. */
export function surelyHasLeaf(fields: readonly string[], event: CloudEvent, input: FilterInput): boolean {
  const first = fields[0]!;
  // The JSON form's top level, read from the event as the pattern reads it (pattern/index.ts).
  let value = first === 'data' ? input.data() : ownValue(event.attributes, first);
  for (let i = 1; i < fields.length; i++) {
    if (!isEventObject(value)) return false; // a scalar or nothing has no fields; an array: see above
    value = ownValue(value, fields[i]!);
  }
  return isScalar(value) || (Array.isArray(value) && leavesOf(value).length > 0);
}
