import { type DigestLine, FailureDigest } from './failure-digest.js';

/**
 * A FailureDigest on the real clock: feeds it, hands each line it produces to `emit`, and
 * keeps one timer armed while failures wait for their summary, so a summary comes even when
 * the failures stop arriving (a sink retried once an hour, a subscription paused).
 */
export class FailureLog<D> {
  private readonly digest: FailureDigest<D>;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private closed = false;

  constructor(
    private readonly emit: (line: DigestLine<D>) => void,
    intervalMs?: number,
  ) {
    this.digest = new FailureDigest<D>(intervalMs);
  }

  failed(detail: D): void {
    this.out(this.digest.failed(Date.now(), detail));
  }

  succeeded(): void {
    this.out(this.digest.succeeded(Date.now()));
  }

  get isFailing(): boolean {
    return this.digest.isFailing;
  }

  /** Stops the timer; what was not yet summed up is not logged. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private out(line: DigestLine<D> | undefined): void {
    if (line) this.emit(line);
    this.arm();
  }

  private arm(): void {
    const at = this.digest.flushAt();
    if (this.closed || at === undefined || at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.out(this.digest.flush(Date.now()));
      },
      Math.max(0, at - Date.now()),
    );
    // A summary never keeps the process alive: shutdown does not wait for it.
    this.timer.unref();
  }
}
