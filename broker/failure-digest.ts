/**
 * Turns a stream of failures and successes of one thing (a subscription's sink, its store
 * writes, the store's commits) into a few log lines instead of one per failure: a sink that is
 * down for a minute while thousands of deliveries are retried is a handful of lines, not
 * thousands (docs/architecture.md, "Logs").
 *
 * The rules, all driven by the `now` the caller passes (so they are tested without a clock):
 *
 * - the first failure of a streak is reported at once (`failing`), with its detail;
 * - while failures go on, one `still-failing` line per interval sums them up (how many failed,
 *   how many succeeded, the last detail); the caller calls `flush` at `flushAt()`, so the sum
 *   comes even when no further failure arrives;
 * - the first success after a reported streak is reported at once (`recovered`);
 * - at most one of these lines per interval starts a streak: a failure within an interval of
 *   the last line (a sink that fails every other request) is only counted, and the next
 *   `flush` reports it (`failing` if it still fails then, `intermittent` if it already
 *   succeeded again). So however a sink flaps, a thing costs at most two lines per interval.
 *
 * A thing that never succeeds (dead letters: an event lost to its sink has no "recovered") only
 * calls `failed`: its first failure is reported, the rest are summed once per interval.
 */

export type DigestKind = 'failing' | 'still-failing' | 'intermittent' | 'recovered';

export interface DigestLine<D> {
  kind: DigestKind;
  /** Failures since the previous line. */
  failed: number;
  /** Successes since the previous line, counted while something failed. */
  succeeded: number;
  /** When the current (or, for `recovered` and `intermittent`, the last) streak began, ms since the epoch. */
  since: number;
  /** The detail of the last failure. */
  last: D;
}

/** One line per interval at most when a streak starts, one summary per interval while it lasts. */
export const DIGEST_INTERVAL_MS = 30_000;

export class FailureDigest<D> {
  private failing = false;
  /** The current streak produced a line, so its end is worth a `recovered` line. */
  private announced = false;
  private lastLineAt = Number.NEGATIVE_INFINITY;
  private since = 0;
  private failedCount = 0;
  private succeededCount = 0;
  private last: D | undefined;

  constructor(private readonly intervalMs = DIGEST_INTERVAL_MS) {}

  /** Something failed; returns the line to log now, if any. */
  failed(now: number, detail: D): DigestLine<D> | undefined {
    this.failedCount += 1;
    this.last = detail;
    if (!this.failing) {
      this.failing = true;
      this.announced = false;
      this.since = now;
    }
    if (now - this.lastLineAt < this.intervalMs) return undefined;
    return this.line(now, this.announced ? 'still-failing' : 'failing');
  }

  /** Something succeeded; returns the line to log now, if any. */
  succeeded(now: number): DigestLine<D> | undefined {
    if (!this.failing && this.failedCount === 0) return undefined;
    this.succeededCount += 1;
    if (!this.failing) return undefined;
    this.failing = false;
    // A streak that was never reported ends quietly; `flush` reports its failures.
    return this.announced ? this.line(now, 'recovered') : undefined;
  }

  /** When `flush` has something to report: failures not yet in a line. */
  flushAt(): number | undefined {
    return this.failedCount > 0 ? this.lastLineAt + this.intervalMs : undefined;
  }

  /** Reports the failures not yet in a line, once an interval has passed since the last line. */
  flush(now: number): DigestLine<D> | undefined {
    if (this.failedCount === 0 || now < this.lastLineAt + this.intervalMs) return undefined;
    if (!this.failing) return this.line(now, 'intermittent');
    return this.line(now, this.announced ? 'still-failing' : 'failing');
  }

  /** Whether the last thing seen was a failure. */
  get isFailing(): boolean {
    return this.failing;
  }

  private line(now: number, kind: DigestKind): DigestLine<D> {
    const out: DigestLine<D> = {
      kind,
      failed: this.failedCount,
      succeeded: this.succeededCount,
      since: this.since,
      last: this.last as D,
    };
    this.failedCount = 0;
    this.succeededCount = 0;
    this.lastLineAt = now;
    if (kind === 'failing' || kind === 'still-failing') this.announced = true;
    if (kind === 'recovered' || kind === 'intermittent') this.announced = false;
    return out;
  }
}
