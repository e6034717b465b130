/**
 * The index of `exact`, `prefix` and `suffix` keys on context attributes, keyed first by attribute
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
import { addBucket, fileId, type IdBucket, type IdSink } from './candidate-set.js';
import { LookupMemo } from './lookup-memo.js';
import { AffixTrie } from './prefix-trie.js';

export type EventAttributes = Readonly<Record<string, AttributeValue>>;

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

/** The keys filed under one attribute name, each kind only when some subscription uses it. */
interface AttributeKeys {
  /** canonical value -> subscriptions */
  exact: Map<string, IdBucket> | undefined;
  prefixes: AffixTrie | undefined;
  suffixes: AffixTrie | undefined;
  /**
   * The three lookups' answers by value, once a trie makes them more than one hash lookup (an
   * exact table alone is its own memo).
   */
  memo: LookupMemo | undefined;
}

export type AttributeKeyKind = 'exact' | 'prefix' | 'suffix';

/**
 * `exact`, `prefix` and `suffix` keys by attribute name: for each attribute the event holds and
 * some key names, one hash lookup of its canonical value, and a walk of the prefix and suffix tries
 * over it. All three kinds sit under one entry per name, so the event's attributes are read and put
 * in canonical form once, however many kinds are indexed.
 */
export class AttributeIndex {
  private readonly keys = new ByAttribute<AttributeKeys>();
  /** The memo answer of each found attribute that has a memo; reused across events. */
  private readonly answers: number[] = [];

  add(kind: AttributeKeyKind, attribute: string, value: string, id: number): void {
    const keys = this.keys.entry(attribute, () => ({
      exact: undefined,
      prefixes: undefined,
      suffixes: undefined,
      memo: undefined,
    }));
    switch (kind) {
      case 'exact': {
        keys.exact ??= new Map();
        fileId(keys.exact, value, id);
        break;
      }
      case 'prefix':
        keys.prefixes ??= new AffixTrie(false);
        keys.prefixes.add(value, id);
        break;
      case 'suffix':
        keys.suffixes ??= new AffixTrie(true);
        keys.suffixes.add(value, id);
        break;
    }
    if (kind !== 'exact') keys.memo ??= new LookupMemo((value, into) => lookUp(keys, value, into));
  }

  collect(attributes: EventAttributes, into: IdSink): void {
    const index = this.keys;
    const count = index.present(attributes);
    // Every memo is asked before any answer is used: the lookups' cache misses, one table per
    // attribute, are then close enough together for the processor to wait for them at once.
    const answers = this.answers;
    for (let i = 0; i < count; i++) {
      const memo = index.foundEntries[i]!.memo;
      if (memo !== undefined) answers[i] = memo.answer(index.foundValues[i]!);
    }
    for (let i = 0; i < count; i++) {
      const keys = index.foundEntries[i]!;
      const value = index.foundValues[i]!;
      if (keys.memo === undefined) lookUp(keys, value, into);
      else keys.memo.hand(answers[i]!, value, into);
    }
  }
}

/** The ids under every key of one attribute that `value` satisfies. */
function lookUp({ exact, prefixes, suffixes }: AttributeKeys, value: string, into: IdSink): void {
  if (exact !== undefined) {
    const bucket = exact.get(value);
    if (bucket !== undefined) addBucket(into, bucket);
  }
  if (prefixes !== undefined) prefixes.walk(value, into);
  if (suffixes !== undefined) suffixes.walk(value, into);
}
