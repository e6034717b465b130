import { describe, expect, it } from 'vitest';
import { backoffMs, MAX_BACKOFF_MS } from '../../../broker/dispatch/backoff.js';

const middle = () => 0.5; // no jitter: factor 1.0

describe('backoffMs', () => {
  it('doubles per retry for exponential, starting at the delay', () => {
    const p = { retry: 5, backoffPolicy: 'exponential' as const, backoffDelayMs: 100 };
    expect([1, 2, 3, 4].map((n) => backoffMs(p, n, middle))).toEqual([100, 200, 400, 800]);
  });

  it('grows by the delay per retry for linear', () => {
    const p = { retry: 5, backoffPolicy: 'linear' as const, backoffDelayMs: 100 };
    expect([1, 2, 3].map((n) => backoffMs(p, n, middle))).toEqual([100, 200, 300]);
  });

  it('jitters by at most 20% either way', () => {
    const p = { retry: 5, backoffPolicy: 'linear' as const, backoffDelayMs: 1000 };
    expect(backoffMs(p, 1, () => 0)).toBe(800);
    expect(backoffMs(p, 1, () => 0.999999)).toBeLessThanOrEqual(1200);
    expect(backoffMs(p, 1, () => 0.999999)).toBeGreaterThan(1199);
  });

  it('never waits more than the cap, even after many retries', () => {
    const p = { retry: 1000, backoffPolicy: 'exponential' as const, backoffDelayMs: 1000 };
    expect(backoffMs(p, 900, middle)).toBe(MAX_BACKOFF_MS);
    expect(Number.isFinite(backoffMs(p, 10_000, middle))).toBe(true);
  });
});
