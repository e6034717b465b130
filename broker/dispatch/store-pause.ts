/**
 * How long a subscription stops starting deliveries after the store failed to hand out or
 * record one (a full disk, a damaged file). Without it, a delivery whose outcome could not be
 * recorded is due again at once and is delivered again and again, as fast as the sink answers.
 *
 * The pause doubles with each failure, from `firstMs` up to `maxMs`. Failures that arrive while
 * the subscription is already paused belong to the same round (the other deliveries that were in
 * flight when the store broke) and do not lengthen it. The doubling starts over only once the
 * store has gone a whole `resetAfterMs` without failing, not at the first success: a store that
 * records some outcomes and fails others (one damaged page) keeps the long pause.
 */
export interface StorePauseOptions {
  firstMs: number;
  maxMs: number;
  resetAfterMs: number;
}

export const STORE_PAUSE: StorePauseOptions = { firstMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 };

export class StorePause {
  private failures = 0;
  private lastFailureAt = Number.NEGATIVE_INFINITY;
  private until = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: StorePauseOptions = STORE_PAUSE) {}

  /** The store failed at `now`: returns until when no delivery may start. */
  failed(now: number): number {
    if (now < this.until) return this.until;
    if (now - this.lastFailureAt > this.options.resetAfterMs) this.failures = 0;
    this.failures += 1;
    this.lastFailureAt = now;
    const wait = Math.min(this.options.firstMs * 2 ** Math.min(this.failures - 1, 30), this.options.maxMs);
    this.until = now + wait;
    return this.until;
  }

  /** Until when the subscription is paused (in the past when it is not). */
  get pausedUntil(): number {
    return this.until;
  }
}
