/**
 * The subscriptions one event must be checked against, each at most once. A subscription can be
 * reached through several buckets (an `any` of keys, a pattern hint listing several values, an
 * event array holding two of them), so additions are deduplicated with a per-event generation
 * stamp: clearing costs nothing, instead of a set allocated or emptied per event.
 */
export class CandidateSet {
  /** Subscription ids added since the last `clear`, in the order they were reached. */
  readonly ids: number[] = [];
  private readonly stamps: Uint32Array;
  private generation = 1;

  constructor(subscriptionCount: number) {
    this.stamps = new Uint32Array(subscriptionCount);
  }

  clear(): void {
    this.ids.length = 0;
    this.generation++;
    if (this.generation === 0x1_0000_0000) {
      // The stamp wrapped: an id stamped 2^32 events ago would look already added.
      this.stamps.fill(0);
      this.generation = 1;
    }
  }

  addAll(bucket: readonly number[]): void {
    const { stamps, generation, ids } = this;
    for (const id of bucket) {
      if (stamps[id] === generation) continue;
      stamps[id] = generation;
      ids.push(id);
    }
  }
}
