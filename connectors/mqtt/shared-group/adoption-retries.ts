import type { Logger } from 'pino';
import { backoffMs } from '../../../broker/dispatch/backoff.js';

/** Waits before trying again to adopt a member whose session could not be reached: 1 s doubling to 30 s. */
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/**
 * The backoff for members whose session could not be reached (the MQTT broker refused or did not
 * answer): each failure waits longer before the next attempt, and a warning is logged only when
 * the cause changes, so a broker that keeps refusing does not flood the log.
 */
export class AdoptionRetries {
  /** Members waiting for their next attempt, with its timer. */
  private readonly waiting = new Map<string, NodeJS.Timeout>();
  /** Failed attempts per member since its session was last reached, and the last cause. */
  private readonly failures = new Map<string, { attempts: number; lastError: string }>();

  constructor(
    private readonly group: string,
    private readonly log: Logger,
  ) {}

  /** Whether `member` waits for its next attempt (it is not to be adopted before). */
  isWaiting(member: string): boolean {
    return this.waiting.has(member);
  }

  /** The session of `member` was reached: a later failure starts from the shortest wait again. */
  succeeded(member: string): void {
    this.failures.delete(member);
  }

  /** An attempt to reach the session of `member` failed with `error`: `retry` runs after the backoff. */
  failed(member: string, error: string, retry: () => void): void {
    const failure = this.failures.get(member) ?? { attempts: 0, lastError: '' };
    failure.attempts += 1;
    if (failure.lastError !== error)
      this.log.warn(
        { member, group: this.group, error },
        `mqtt: could not take over the session of member ${member} of shared group ${this.group}: ${error}; trying again with backoff`,
      );
    failure.lastError = error;
    this.failures.set(member, failure);
    const wait = Math.min(
      RETRY_MAX_MS,
      backoffMs({ retry: 0, backoffPolicy: 'exponential', backoffDelayMs: RETRY_MIN_MS }, failure.attempts),
    );
    const timer = setTimeout(() => {
      this.waiting.delete(member);
      retry();
    }, wait);
    // A pending retry must not keep the process alive.
    timer.unref();
    this.waiting.set(member, timer);
  }

  /** Cancels every waiting attempt (the takeover stops). */
  clear(): void {
    for (const timer of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
  }
}
