/**
 * Keeps the partitions of one Source from crowding each other out of the store. Partitions are
 * processed concurrently, each batch in `ingest` calls of up to 2,500 events, and the broker
 * refuses a call as `overloaded` when it would take the events waiting for their commit past
 * `limits.maxPendingEvents` (10,000 by default): four partitions with full batches would be
 * refused in turn and wait, although the store commits one group at a time anyway. So a Source
 * lets its ingests into the store only while the events under way stay within a budget, first
 * come first served; a larger ingest goes alone. Conversion, fetching and the waits between
 * retries stay outside the lane, so partitions still overlap everywhere else.
 */
export class IngestLane {
  private underWay = 0;
  private readonly waiting: { readonly size: number; readonly admit: () => void }[] = [];

  /** `budget`: events of this Source under way in the store at once (one larger ingest goes alone). */
  constructor(private readonly budget: number) {}

  /** Runs `operation`, an ingest of `size` events, once the lane has room for it. */
  async run<T>(size: number, operation: () => Promise<T>): Promise<T> {
    await this.enter(size);
    try {
      return await operation();
    } finally {
      this.underWay -= size;
      this.admitWaiting();
    }
  }

  private enter(size: number): Promise<void> {
    if (this.waiting.length === 0 && this.fits(size)) {
      this.underWay += size;
      return Promise.resolve();
    }
    return new Promise((admit) => this.waiting.push({ size, admit }));
  }

  private admitWaiting(): void {
    while (this.waiting.length > 0 && this.fits(this.waiting[0]!.size)) {
      const next = this.waiting.shift()!;
      this.underWay += next.size;
      next.admit();
    }
  }

  private fits(size: number): boolean {
    return this.underWay === 0 || this.underWay + size <= this.budget;
  }
}
