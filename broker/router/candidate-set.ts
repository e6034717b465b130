/**
 * Where an index puts the subscription ids it finds for an event. Indexes keep a key's ids in the
 * form cheapest for them to read (one id, an array, a range of a packed array), and hand them over
 * without building an array or calling a callback per key.
 */
export interface IdSink {
  add(id: number): void;
  addAll(ids: readonly number[]): void;
  /** Adds `ids[from]` up to, not including, `ids[to]`. */
  addRange(ids: Int32Array, from: number, to: number): void;
}

/** The ids filed under one key of a hash table: one id on its own (the common case), or several. */
export type IdBucket = number | number[];

/** Files `id` under `key` of `table`, keeping a lone id unboxed. */
export function fileId<K>(table: Map<K, IdBucket>, key: K, id: number): void {
  const bucket = table.get(key);
  if (bucket === undefined) table.set(key, id);
  else if (typeof bucket === 'number') table.set(key, [bucket, id]);
  else bucket.push(id);
}

/** Hands the ids of one bucket to `into`. */
export function addBucket(into: IdSink, bucket: IdBucket): void {
  if (typeof bucket === 'number') into.add(bucket);
  else into.addAll(bucket);
}

/**
 * The subscriptions one event must be checked against, each at most once. A subscription can be
 * reached through several buckets (an `any` of keys, a pattern hint listing several values, an
 * event array holding two of them), so additions are deduplicated with a per-event generation
 * stamp: clearing costs nothing, instead of a set allocated or emptied per event.
 */
export class CandidateSet implements IdSink {
  /**
   * The ids added since the last `clear`, in the order they were reached: `found[0]` up to, not
   * including, `found[count]`. Entries past `count` are left over from earlier events; clearing
   * only resets the count (emptying an array by setting its length costs a runtime call).
   */
  readonly found: number[] = [];
  count = 0;
  private readonly stamps: Uint32Array;
  private generation = 1;

  constructor(subscriptionCount: number) {
    this.stamps = new Uint32Array(subscriptionCount);
  }

  /** The ids added since the last `clear`, as a new array (for tests and diagnostics). */
  get ids(): number[] {
    return this.found.slice(0, this.count);
  }

  clear(): void {
    this.count = 0;
    this.generation++;
    if (this.generation === 0x1_0000_0000) {
      // The stamp wrapped: an id stamped 2^32 events ago would look already added.
      this.stamps.fill(0);
      this.generation = 1;
    }
  }

  add(id: number): void {
    if (this.stamps[id] === this.generation) return;
    this.stamps[id] = this.generation;
    this.found[this.count++] = id;
  }

  addAll(ids: readonly number[]): void {
    for (let i = 0; i < ids.length; i++) this.add(ids[i]!);
  }

  addRange(ids: Int32Array, from: number, to: number): void {
    for (let i = from; i < to; i++) this.add(ids[i]!);
  }
}
