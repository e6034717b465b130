import type { LogRecord } from './record.js';

/**
 * Holds finished records until they can be emitted without breaking the resume offset.
 *
 * After a crash the file is read again from the resume offset, the start of the oldest byte held,
 * so an emitted record must lie wholly before everything still held: otherwise the re-read would
 * produce it (or a piece of it) a second time. Records are therefore emitted in offset order, and
 * only up to the first one that overlaps something unfinished (an open partial run or multi-line
 * record of another stream) or a record before it. A record finished behind an open one waits.
 */
export class OrderedRelease {
  /** Sorted by offset; the first `head` entries are already released. */
  private waiting: LogRecord[] = [];
  private head = 0;

  get size(): number {
    return this.waiting.length - this.head;
  }

  /** Offset of the oldest record waiting, or Infinity. */
  get oldestOffset(): number {
    return this.waiting[this.head]?.offset ?? Number.POSITIVE_INFINITY;
  }

  add(record: LogRecord): void {
    // Records mostly finish in order, so the right place is nearly always at the end.
    let at = this.waiting.length;
    while (at > this.head && this.waiting[at - 1]!.offset > record.offset) at--;
    if (at === this.waiting.length) this.waiting.push(record);
    else this.waiting.splice(at, 0, record);
  }

  /**
   * Moves to `out` the longest run of waiting records that ends before `frontier` (the start of
   * the oldest unfinished record) and after which no waiting record starts before one released.
   */
  releaseBefore(frontier: number, out: LogRecord[]): void {
    let furthestEnd = Number.NEGATIVE_INFINITY;
    let cut = this.head;
    for (let i = this.head; i < this.waiting.length; i++) {
      furthestEnd = Math.max(furthestEnd, this.waiting[i]!.end);
      if (furthestEnd > frontier) break;
      const next = this.waiting[i + 1];
      if (next === undefined || furthestEnd <= next.offset) cut = i + 1;
    }
    for (let i = this.head; i < cut; i++) out.push(this.waiting[i]!);
    this.head = cut;
    if (this.head === this.waiting.length) {
      this.waiting = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      // Drops released records now and then, rather than shifting the array at every release.
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
  }
}
