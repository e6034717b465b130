import { describe, expect, it } from 'vitest';
import { SinkCallError } from '../../../../broker/sink-kit/sink-call-error.js';
import { type IdToken, IdTokenCache } from '../../../../sinks/google/id-token-cache.js';

const MINUTE = 60_000;

/** A token source under the test's control: each fetch waits until the test settles it. */
function controlledSource() {
  const pending: { resolve: (t: IdToken) => void; reject: (e: unknown) => void; signal: AbortSignal }[] = [];
  let issued = 0;
  return {
    fetch: (signal: AbortSignal) =>
      new Promise<IdToken>((resolve, reject) => pending.push({ resolve, reject, signal })),
    /** Answers the oldest fetch with a token expiring `lifetimeMs` after `now`. */
    answer(now: number, lifetimeMs: number): string {
      const value = `token-${++issued}`;
      pending.shift()!.resolve({ value, expiresAtMs: now + lifetimeMs });
      return value;
    },
    fail(error: unknown) {
      pending.shift()!.reject(error);
    },
    get waiting() {
      return pending.length;
    },
    get lastSignal() {
      return pending.at(-1)?.signal;
    },
  };
}

const live = () => new AbortController().signal;
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('IdTokenCache', () => {
  it('fetches once, then serves the token until its refresh window (5 minutes before exp for an hour-long token)', async () => {
    let now = 1_000_000;
    const source = controlledSource();
    const cache = new IdTokenCache(source.fetch, { now: () => now });
    const first = cache.token(live());
    const token = source.answer(now, 60 * MINUTE);
    expect(await first).toBe(token);
    now += 54 * MINUTE;
    expect(await cache.token(live())).toBe(token);
    expect(source.waiting).toBe(0);

    // 55 minutes in: the token still serves, and its replacement is on its way.
    now += 1 * MINUTE;
    expect(await cache.token(live())).toBe(token);
    expect(source.waiting).toBe(1);
    expect(await cache.token(live())).toBe(token);
    expect(source.waiting).toBe(1); // one refresh, however many deliveries pass meanwhile
    const next = source.answer(now, 60 * MINUTE);
    await tick();
    expect(await cache.token(live())).toBe(next);
  });

  it('makes deliveries wait for a new token from 30 s before exp', async () => {
    let now = 0;
    const source = controlledSource();
    const cache = new IdTokenCache(source.fetch, { now: () => now });
    const first = cache.token(live());
    source.answer(now, 60 * MINUTE);
    await first;
    now = 60 * MINUTE - 30_000;
    const waiting = cache.token(live());
    let settled = false;
    void waiting.then(() => (settled = true));
    await tick();
    expect(settled).toBe(false);
    const next = source.answer(now, 60 * MINUTE);
    expect(await waiting).toBe(next);
  });

  it('uses a short-lived token for half its life before it refreshes', async () => {
    let now = 0;
    const source = controlledSource();
    const cache = new IdTokenCache(source.fetch, { now: () => now });
    const first = cache.token(live());
    const token = source.answer(now, 6 * MINUTE);
    await first;
    now = 3 * MINUTE - 1;
    expect(await cache.token(live())).toBe(token);
    expect(source.waiting).toBe(0);
    now = 3 * MINUTE;
    expect(await cache.token(live())).toBe(token);
    expect(source.waiting).toBe(1);
  });

  it('shares one fetch among concurrent deliveries, and its failure with all of them', async () => {
    const source = controlledSource();
    const cache = new IdTokenCache(source.fetch);
    const all = Promise.allSettled([cache.token(live()), cache.token(live()), cache.token(live())]);
    expect(source.waiting).toBe(1);
    const refused = new SinkCallError('could not get an ID token: refused', { retryable: false });
    source.fail(refused);
    expect((await all).map((r) => (r.status === 'rejected' ? r.reason : r.value))).toEqual([
      refused,
      refused,
      refused,
    ]);
    // A failure is not remembered: the next delivery asks again.
    const again = cache.token(live());
    expect(source.waiting).toBe(1);
    source.answer(Date.now(), 60 * MINUTE);
    expect(await again).toBe('token-1');
  });

  it('keeps serving the old token when a background refresh fails, and tries again on the next delivery', async () => {
    let now = 0;
    const source = controlledSource();
    const cache = new IdTokenCache(source.fetch, { now: () => now });
    const first = cache.token(live());
    const token = source.answer(now, 60 * MINUTE);
    await first;
    now = 56 * MINUTE;
    expect(await cache.token(live())).toBe(token);
    source.fail(new SinkCallError('token endpoint answered HTTP 503', { retryable: true }));
    await tick();
    expect(await cache.token(live())).toBe(token);
    expect(source.waiting).toBe(1);
  });

  it('lets a delivery give up on its own signal while the fetch goes on for the others', async () => {
    const source = controlledSource();
    const cache = new IdTokenCache(source.fetch);
    const impatient = new AbortController();
    const gaveUp = cache.token(impatient.signal);
    const patient = cache.token(live());
    impatient.abort(new Error('timed out after 300 ms'));
    await expect(gaveUp).rejects.toThrow('timed out after 300 ms');
    const token = source.answer(Date.now(), 60 * MINUTE);
    expect(await patient).toBe(token);
  });

  it('aborts a fetch in flight when closed', async () => {
    const source = controlledSource();
    const cache = new IdTokenCache(source.fetch);
    void cache.token(live()).catch(() => {});
    expect(source.lastSignal?.aborted).toBe(false);
    cache.close();
    expect(source.lastSignal?.aborted).toBe(true);
  });
});
