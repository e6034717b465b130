import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type AdmissionLimits, IntakeAdmission } from '../../../broker/dispatch/intake-admission.js';
import type { BrokerError } from '../../../broker/errors.js';

/** Signals the test sets by hand: the backlog and whether the loop is saturated. */
function scene(limits: Partial<AdmissionLimits> = {}) {
  const state = { backlog: 0, saturated: false };
  const admission = new IntakeAdmission(
    { dispatchBacklog: () => state.backlog, saturated: () => state.saturated },
    () => ({ maxBacklog: 100, maxWaitMs: 60_000, maxWaiting: 8, ...limits }),
  );
  return { state, admission };
}

/** Resolves with 'in', or the refusal's code, when the held caller is let go. */
function outcome(held: Promise<void> | undefined): Promise<string> {
  if (!held) return Promise.resolve('at once');
  return held.then(
    () => 'in',
    (error: BrokerError) => error.code,
  );
}

/**
 * Ten polls' worth of time, on fake timers (the clock included, for deadlines), so the held
 * callers are looked at exactly as often whatever the machine's load.
 */
const settle = () => vi.advanceTimersByTimeAsync(20);

describe('IntakeAdmission', () => {
  beforeEach(() => {
    vi.useFakeTimers({
      toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'performance'],
    });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets callers in at once while the backlog is within the limit, saturated loop or not', () => {
    const { state, admission } = scene();
    state.backlog = 100;
    state.saturated = true;
    expect(admission.admit()).toBeUndefined();
  });

  it('lets callers in at once when the backlog is over the limit but the loop has time to spare (slow sinks)', () => {
    const { state, admission } = scene();
    state.backlog = 10_000;
    expect(admission.admit()).toBeUndefined();
  });

  it('holds callers while the backlog is over the limit on a saturated loop, and lets them in first come first served once delivery brings it to half', async () => {
    const { state, admission } = scene();
    state.backlog = 101;
    state.saturated = true;
    const order: number[] = [];
    const held = [1, 2, 3].map((n) => {
      const wait = admission.admit();
      expect(wait).toBeInstanceOf(Promise);
      return (wait as Promise<void>).then(() => order.push(n));
    });
    state.backlog = 60; // down, but not yet to half: still held (hysteresis)
    await settle();
    expect(order).toEqual([]);
    // A newcomer queues behind the held ones even though it would not start a hold itself.
    const late = admission.admit();
    expect(late).toBeInstanceOf(Promise);
    state.backlog = 50;
    await settle();
    await Promise.all([...held, late]);
    expect(order).toEqual([1, 2, 3]);
    expect(admission.stats()).toMatchObject({ waiting: 0, held: 4, refused: 0 });
    expect(admission.admit()).toBeUndefined();
  });

  it('lets in only as many held callers as refill the backlog to the limit', async () => {
    const { state, admission } = scene({ maxBacklog: 4, maxWaiting: 100 });
    state.backlog = 5;
    state.saturated = true;
    // Each caller let in brings one delivery, as an HTTP request of one event does.
    const results = Array.from({ length: 6 }, () =>
      outcome(admission.admit()).then((result) => {
        state.backlog++;
        return result;
      }),
    );
    // Half of 4 or less: three callers fill it back to 4; at the limit one more goes in (a hold
    // starts only above it), and then 5 > 4 on a saturated loop holds the last two.
    state.backlog = 1;
    await settle();
    expect(admission.stats().waiting).toBe(2);
    expect(state.backlog).toBe(5);
    state.backlog = 0;
    await settle();
    expect(await Promise.all(results)).toEqual(['in', 'in', 'in', 'in', 'in', 'in']);
  });

  it('ends a hold when the loop has time to spare again, the backlog still high (delivery now waits for sinks)', async () => {
    const { state, admission } = scene();
    state.backlog = 500;
    state.saturated = true;
    const held = outcome(admission.admit());
    await settle();
    state.saturated = false;
    await settle();
    expect(await held).toBe('in');
  });

  it('refuses a caller held longer than maxWaitMs as overloaded, with Retry-After', async () => {
    const { state, admission } = scene({ maxWaitMs: 5 });
    state.backlog = 500;
    state.saturated = true;
    const outcome = (admission.admit() as Promise<void>).catch((error: BrokerError) => error);
    await settle();
    const refused = await outcome;
    expect(refused).toMatchObject({ code: 'overloaded', retryAfter: 1 });
    expect((refused as BrokerError).detail).toMatch(/held too long/);
    expect(admission.stats()).toMatchObject({ waiting: 0, refused: 1 });
  });

  it('refuses at once when maxWaiting callers are held already', () => {
    const { state, admission } = scene({ maxWaiting: 2 });
    state.backlog = 500;
    state.saturated = true;
    const first = admission.admit();
    const second = admission.admit();
    expect(() => admission.admit()).toThrow(expect.objectContaining({ code: 'overloaded', retryAfter: 1 }));
    admission.close();
    return Promise.all([first, second]);
  });

  it('on close lets every held caller go, and holds none after', async () => {
    const { state, admission } = scene();
    state.backlog = 500;
    state.saturated = true;
    const held = outcome(admission.admit());
    admission.close();
    expect(await held).toBe('in');
    expect(admission.admit()).toBeUndefined();
  });
});
