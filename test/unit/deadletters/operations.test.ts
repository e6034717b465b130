import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../../broker/cloudevents/event.js';
import { purgeDeadLetters, replayDeadLetters } from '../../../broker/deadletters/operations.js';
import { readDeadLetterRequest } from '../../../broker/deadletters/request.js';
import { BrokerError } from '../../../broker/errors.js';
import type { DeadLetterKey } from '../../../broker/ports/store.js';
import { SqliteStore } from '../../../stores/sqlite/sqlite-store.js';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

/** A store whose requeue and purge batches are recorded. */
function store(): SqliteStore & { batches: DeadLetterKey[][] } {
  const dir = mkdtempSync(join(tmpdir(), 'tb-dl-ops-'));
  const s = new SqliteStore({ dir, synchronous: 'normal' }) as SqliteStore & { batches: DeadLetterKey[][] };
  cleanup.push(() => {
    s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  s.batches = [];
  const requeue = s.requeueDeadLetters.bind(s);
  const purge = s.purgeDeadLetters.bind(s);
  s.requeueDeadLetters = (entries, to) => {
    s.batches.push([...entries]);
    return requeue(entries, to);
  };
  s.purgeDeadLetters = (entries) => {
    s.batches.push([...entries]);
    return purge(entries);
  };
  return s;
}

const ev = (id: string): CloudEvent => ({
  attributes: { specversion: '1.0', id, source: '/s', type: 't' },
  data: { kind: 'none' },
});

async function deadLetter(
  s: SqliteStore,
  subscription: string,
  count: number,
  options: { prefix?: string; at?: number; toDeadLetterSink?: boolean } = {},
): Promise<void> {
  const seqs = await s.append(
    Array.from({ length: count }, (_, i) => ({
      event: ev(`${options.prefix ?? subscription}-${i}`),
      subscriptions: [subscription],
    })),
  );
  await Promise.all(
    seqs.map((seq, i) =>
      s.deadLetter(
        {
          subscription,
          seq,
          reason: 'permanent failure: 422',
          status: 422,
          error: 'e',
          dest: 'd',
          attempts: 1,
          at: (options.at ?? 1000) + i,
        },
        options.toDeadLetterSink ?? false,
      ),
    ),
  );
}

const request = (
  input: Parameters<typeof readDeadLetterRequest>[0],
  operation: 'replay' | 'purge' = 'replay',
) => readDeadLetterRequest(input, operation);

describe('replayDeadLetters', () => {
  it('requeues the selection batch by batch, one store transaction each, and says how many per subscription', async () => {
    const s = store();
    await deadLetter(s, 'a', 25);
    await deadLetter(s, 'b', 3);
    const counts: number[] = [];
    const outcome = await replayDeadLetters(s, request({ subscription: 'a', batchSize: 10 }), {
      requeued: (c) => counts.push(c.get('a') ?? 0),
    });
    expect(s.batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(counts).toEqual([10, 10, 5]);
    expect(outcome).toMatchObject({ operation: 'replay', dryRun: false, selected: 25, done: 25, skipped: 0 });
    expect(outcome.items[0]).toMatchObject({
      subscription: 'a',
      id: 'a-0',
      reason: 'permanent failure: 422',
    });
    expect(s.pending('a')).toBe(25);
    expect(s.deadLetters().map((d) => d.subscription)).toEqual(['b', 'b', 'b']);
  });

  it('changes nothing on a dry run, and tells the entries it would skip', async () => {
    const s = store();
    await deadLetter(s, 'a', 2);
    await deadLetter(s, 'a', 1, { prefix: 'dls', toDeadLetterSink: true, at: 5000 });
    const outcome = await replayDeadLetters(s, request({ all: true, dryRun: true }));
    expect(outcome).toMatchObject({ dryRun: true, selected: 3, done: 2, skipped: 1 });
    expect(outcome.skippedItems).toEqual([
      expect.objectContaining({ id: 'dls-0', why: 'its copy for the dead-letter sink is still pending' }),
    ]);
    expect(s.batches).toEqual([]);
    expect(s.deadLetters()).toHaveLength(3);
    expect(s.pending('a')).toBe(1); // the pending dead-letter sink copy, as before
  });

  it('replays an EventSchema or Source refusal only to a subscription it is given', async () => {
    const s = store();
    await s.append([
      {
        event: ev('refused'),
        subscriptions: [],
        deadLetter: { reason: 'schema violation', error: 'data.x is required', origin: 'eventschema/orders' },
      },
    ]);
    const own = await replayDeadLetters(s, request({ ids: ['refused'] }));
    expect(own).toMatchObject({ done: 0, skipped: 1 });
    expect(own.skippedItems[0]!.why).toMatch(
      /not a subscription's dead letter \(eventschema\/orders refused/,
    );
    const to = await replayDeadLetters(s, request({ ids: ['refused'], to: 'fixed' }));
    expect(to).toMatchObject({ done: 1, skipped: 0, to: 'fixed' });
    expect(s.pending('fixed')).toBe(1);
  });

  it('in a running broker: refuses a target outside the configuration, skips entries of removed subscriptions', async () => {
    const s = store();
    await deadLetter(s, 'a', 1);
    await deadLetter(s, 'gone', 1, { at: 2000 });
    const subscriptions = new Set(['a', 'b']);
    await expect(replayDeadLetters(s, request({ all: true, to: 'c' }), { subscriptions })).rejects.toSatisfy(
      (err: unknown) => err instanceof BrokerError && err.code === 'unknown_subscription',
    );
    const outcome = await replayDeadLetters(s, request({ all: true }), { subscriptions });
    expect(outcome).toMatchObject({ done: 1, skipped: 1 });
    expect(outcome.skippedItems[0]).toMatchObject({
      subscription: 'gone',
      why: 'subscription gone is not in the running configuration',
    });
  });

  it('does not select entries dead-lettered after it began (a replay that fails again is not replayed again)', async () => {
    const s = store();
    await deadLetter(s, 'a', 2, { at: 1000 });
    await deadLetter(s, 'a', 1, { prefix: 'later', at: 10_000 });
    const outcome = await replayDeadLetters(s, request({ subscription: 'a' }), { now: () => 5000 });
    expect(outcome).toMatchObject({ selected: 2, done: 2 });
    expect(s.deadLetters().map((d) => d.event.attributes['id'])).toEqual(['later-0']);
  });
});

describe('replayDeadLetters while the broker stops', () => {
  it('stops between batches, keeping the batches done, and says how far it got', async () => {
    const s = store();
    await deadLetter(s, 'a', 5);
    let batches = 0;
    await expect(
      replayDeadLetters(s, request({ subscription: 'a', batchSize: 2 }), {
        requeued: () => {
          batches += 1;
        },
        stopping: () => batches >= 1,
      }),
    ).rejects.toSatisfy(
      (err: unknown) =>
        err instanceof BrokerError && err.code === 'unavailable' && /2 of the selection/.test(err.detail),
    );
    expect(s.pending('a')).toBe(2);
    expect(s.deadLetters()).toHaveLength(3);
  });
});

describe('purgeDeadLetters', () => {
  it('removes the selection batch by batch', async () => {
    const s = store();
    await deadLetter(s, 'a', 7);
    await deadLetter(s, 'b', 2, { at: 3000 });
    const outcome = await purgeDeadLetters(s, request({ subscription: 'a', batchSize: 3 }, 'purge'));
    expect(outcome).toMatchObject({ operation: 'purge', selected: 7, done: 7, skipped: 0 });
    expect(s.batches.map((b) => b.length)).toEqual([3, 3, 1]);
    expect(s.deadLetters().map((d) => d.subscription)).toEqual(['b', 'b']);
    expect(s.pending('a')).toBe(0);
  });
});
