/** Retry timing, with Knative's delivery names. */
export interface RetryPolicy {
  /** Attempts after the first. */
  retry: number;
  backoffPolicy: 'exponential' | 'linear';
  backoffDelayMs: number;
}

/** No single wait grows beyond an hour, however many retries are configured. */
export const MAX_BACKOFF_MS = 3_600_000;

/**
 * The wait before retry number `retryNumber` (1 for the first retry): `delay * 2^(n-1)`
 * (exponential) or `delay * n` (linear), then jittered by ±20% so that many deliveries
 * that failed together (a sink restarting) do not come back together.
 */
export function backoffMs(
  policy: RetryPolicy,
  retryNumber: number,
  random: () => number = Math.random,
): number {
  const base =
    policy.backoffPolicy === 'exponential'
      ? policy.backoffDelayMs * 2 ** Math.min(retryNumber - 1, 40)
      : policy.backoffDelayMs * retryNumber;
  const jitter = 0.8 + 0.4 * random();
  return Math.round(Math.min(base, MAX_BACKOFF_MS) * jitter);
}
