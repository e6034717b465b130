import { BrokerError } from '../errors.js';

/** What admission reads: the dispatch backlog and whether the main event loop is saturated. */
export interface AdmissionSignals {
  /** Accepted deliveries not yet attempted (Dispatcher.dispatchBacklog). */
  dispatchBacklog(): number;
  /** Whether the loop was busy at least 90 % of the last sample (dispatch/loop-load.ts). */
  saturated(): boolean;
}

export interface AdmissionLimits {
  /** Backlog above which, on a saturated loop, intake is held (Broker `limits.maxDispatchBacklog`). */
  maxBacklog: number;
  /** How long one request or batch may be held before it is refused with 429 and Retry-After. */
  maxWaitMs: number;
  /** Held callers beyond which new ones are refused at once (each holds a socket and maybe a body). */
  maxWaiting: number;
}

/**
 * The fixed part of the limits. A second of holding is far below any HTTP client's timeout and
 * long enough for delivery to work off half a full backlog at a few thousand events a second; a
 * thousand held callers is more connections than a broker of this size serves at once.
 */
export const ADMISSION_LIMITS: Omit<AdmissionLimits, 'maxBacklog'> = { maxWaitMs: 1000, maxWaiting: 1024 };

/** How often held callers are looked at: often enough to add little latency, cheap when idle. */
const POLL_MS = 2;

interface Waiter {
  deadline: number;
  resolve: () => void;
  reject: (error: BrokerError) => void;
}

/**
 * Back-pressure by holding intake rather than refusing it (docs/architecture.md, "Back-pressure").
 * A refusal that a client retries at once costs the broker a parsed request for nothing; a caller
 * held here costs a socket and a timer slot, and a closed-loop client (wrk, a connector waiting for
 * its ack) then sends at the rate events are delivered.
 *
 * Holding starts when the dispatch backlog passes `maxBacklog` while the loop is saturated: then
 * intake is taking the time delivery needs. It lasts until delivery has brought the backlog down to
 * half the limit (hysteresis, so admission does not flap on every request) or the loop has time to
 * spare again (then delivery waits for sinks, not for the CPU), and callers are let in
 * first come, first served, as many as bring the backlog back up to the limit. A caller held longer
 * than `maxWaitMs` gets `overloaded` with `Retry-After: 1`. A backlog that grows while the loop has
 * time to spare waits for slow or dead sinks, which the durable queue is for, and holds nothing.
 */
export class IntakeAdmission {
  private holding = false;
  private closed = false;
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private held = 0;
  private refused = 0;

  constructor(
    private readonly signals: AdmissionSignals,
    private readonly limits: () => AdmissionLimits,
  ) {}

  /**
   * Resolves when the caller may go on; `undefined` when it may at once, so the common path makes
   * no promise. Throws (or rejects with) BrokerError `overloaded` when held too long or too many
   * callers are held already.
   */
  admit(): Promise<void> | undefined {
    if (this.closed) return undefined;
    const limits = this.limits();
    if (this.waiters.length === 0 && !this.mustHold(limits)) return undefined;
    if (this.waiters.length >= limits.maxWaiting) throw this.refusal('too many requests are held');
    this.held++;
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ deadline: performance.now() + limits.maxWaitMs, resolve, reject });
      this.timer ??= setInterval(() => this.release(), POLL_MS);
    });
  }

  /** Callers held now, ever held, ever refused (for metrics and tests). */
  stats(): { waiting: number; held: number; refused: number } {
    return { waiting: this.waiters.length, held: this.held, refused: this.refused };
  }

  /** Lets every held caller go, and every later one (shutdown: intake refuses them itself). */
  close(): void {
    this.closed = true;
    this.stopTimer();
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  private mustHold(limits: AdmissionLimits): boolean {
    const backlog = this.signals.dispatchBacklog();
    if (this.holding) {
      // A loop with time to spare while intake is held is waiting for sinks, not short of CPU.
      if (backlog <= limits.maxBacklog / 2 || !this.signals.saturated()) this.holding = false;
    } else if (backlog > limits.maxBacklog && this.signals.saturated()) {
      this.holding = true;
    }
    return this.holding;
  }

  private release(): void {
    const limits = this.limits();
    const now = performance.now();
    // Expired first: a caller past its deadline is refused even if it could go now, so the wait
    // a client sees is bounded by maxWaitMs plus one poll.
    while (this.waiters.length > 0 && (this.waiters[0] as Waiter).deadline <= now) {
      (this.waiters.shift() as Waiter).reject(this.refusal('held too long'));
    }
    if (!this.mustHold(limits)) {
      // Each caller brings at least one delivery: let in as many as refill the backlog to the limit.
      let room = Math.max(1, limits.maxBacklog - this.signals.dispatchBacklog());
      while (this.waiters.length > 0 && room-- > 0) (this.waiters.shift() as Waiter).resolve();
    }
    if (this.waiters.length === 0) this.stopTimer();
  }

  private refusal(why: string): BrokerError {
    this.refused++;
    return new BrokerError(
      'overloaded',
      `accepted deliveries wait to be attempted (${why}); try again shortly`,
      { retryAfter: 1 },
    );
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
