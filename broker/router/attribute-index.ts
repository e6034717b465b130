/**
 * Indexes of `exact`, `prefix` and `suffix` keys on context attributes, keyed first by attribute
 * name. For an event, the attributes that are both indexed and present are found by walking
 * whichever list is shorter: the indexed names (usually a few: type, source, subject) or the
 * event's own attributes (when filters name many different extensions). Either way the cost is
 * bounded by the event or by the distinct names, never by the number of subscriptions.
 *
 * Values are read and compared exactly as the compiled filters do (a property read, then the
 * canonical string form), so the index and the predicates never disagree on what an event holds.
 */
import type { AttributeValue } from '../cloudevents/event.js';
import { canonicalString } from '../filters/input.js';
import { AffixTrie } from './prefix-trie.js';

export type EventAttributes = Readonly<Record<string, AttributeValue>>;
/** Receives the subscription ids stored under one key the event satisfies. */
export type BucketVisitor = (bucket: readonly number[]) => void;

/** Up to this many indexed names, reading each by name is cheaper than walking the event. */
const READ_BY_NAME_LIMIT = 8;

/** Per-attribute entries (a value table, a trie), and which of them an event holds values for. */
class ByAttribute<E> {
  private readonly names: string[] = [];
  private readonly entries: E[] = [];
  private readonly byName = new Map<string, E>();
  /**
   * Indexed names an object inherits (`constructor`, `toString`...). The compiled filters read
   * `attributes[name]`, which finds these on the prototype even when the event lacks them, so they
   * are always read by name to agree.
   */
  private readonly inherited: number[] = [];
  /** Filled by `present`, reused across events: single-threaded, and no allocation per event. */
  readonly foundEntries: E[] = [];
  readonly foundValues: string[] = [];
  private found = 0;

  entry(name: string, create: () => E): E {
    let entry = this.byName.get(name);
    if (entry === undefined) {
      entry = create();
      this.byName.set(name, entry);
      if (name in Object.prototype) this.inherited.push(this.names.length);
      this.names.push(name);
      this.entries.push(entry);
    }
    return entry;
  }

  /** Finds the indexed attributes the event has; returns how many `found*` entries are valid. */
  present(attributes: EventAttributes): number {
    this.found = 0;
    if (this.names.length <= READ_BY_NAME_LIMIT) {
      for (let i = 0; i < this.names.length; i++) this.record(this.entries[i]!, attributes[this.names[i]!]);
      return this.found;
    }
    for (const name in attributes) {
      const entry = this.byName.get(name);
      if (entry !== undefined) this.record(entry, attributes[name]);
    }
    for (const i of this.inherited) {
      const name = this.names[i]!;
      // Own inherited-looking names were found above; the rest resolve through the prototype.
      if (!Object.hasOwn(attributes, name)) this.record(this.entries[i]!, attributes[name]);
    }
    return this.found;
  }

  private record(entry: E, value: AttributeValue | undefined): void {
    if (value === undefined) return;
    this.foundEntries[this.found] = entry;
    this.foundValues[this.found] = canonicalString(value);
    this.found++;
  }
}

/** attribute name -> canonical value -> subscriptions: one hash lookup per present attribute. */
export class ExactAttributeIndex {
  private readonly tables = new ByAttribute<Map<string, number[]>>();

  add(attribute: string, value: string, id: number): void {
    const table = this.tables.entry(attribute, () => new Map());
    const bucket = table.get(value);
    if (bucket === undefined) table.set(value, [id]);
    else bucket.push(id);
  }

  collect(attributes: EventAttributes, visit: BucketVisitor): void {
    const tables = this.tables;
    const count = tables.present(attributes);
    for (let i = 0; i < count; i++) {
      const bucket = tables.foundEntries[i]!.get(tables.foundValues[i]!);
      if (bucket !== undefined) visit(bucket);
    }
  }
}

/** attribute name -> trie of prefixes (or suffixes) -> subscriptions, walked over the value. */
export class AffixAttributeIndex {
  private readonly tries = new ByAttribute<AffixTrie<number>>();

  /** @param fromEnd index suffixes instead of prefixes */
  constructor(private readonly fromEnd: boolean) {}

  add(attribute: string, affix: string, id: number): void {
    this.tries.entry(attribute, () => new AffixTrie(this.fromEnd)).add(affix, id);
  }

  collect(attributes: EventAttributes, visit: BucketVisitor): void {
    const tries = this.tries;
    const count = tries.present(attributes);
    for (let i = 0; i < count; i++) tries.foundEntries[i]!.walk(tries.foundValues[i]!, visit);
  }
}
