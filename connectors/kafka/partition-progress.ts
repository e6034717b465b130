/**
 * Which records of one partition's batch are durable, and so how far the group's offset may
 * move. Parts of a batch are ingested concurrently and finish in any order; the committed
 * offset may only pass a record once it and every record before it are done, or a crash would
 * skip the undone one (the delivery promise). Offsets are not dense (compaction, transaction
 * markers), so progress is counted in records, not in offset arithmetic.
 */
export class PartitionProgress {
  private readonly done: boolean[];
  /** Records done from the start without a gap. */
  private prefix = 0;

  constructor(private readonly offsets: readonly string[]) {
    this.done = offsets.map(() => false);
  }

  /** Marks records `from` (inclusive) to `to` (exclusive), by position in the batch. */
  markDone(from: number, to: number): void {
    for (let i = from; i < to; i++) this.done[i] = true;
    this.advance();
  }

  /** Marks the records at these positions in the batch. */
  markEach(indices: readonly number[]): void {
    for (const i of indices) this.done[i] = true;
    this.advance();
  }

  /** The offset of the last record of the done prefix; undefined while the first record is undone. */
  lastContiguousOffset(): string | undefined {
    return this.prefix === 0 ? undefined : this.offsets[this.prefix - 1];
  }

  private advance(): void {
    while (this.prefix < this.done.length && this.done[this.prefix]) this.prefix++;
  }

  get complete(): boolean {
    return this.prefix === this.done.length;
  }
}
