/**
 * The SQLite store's side of dead-letter replay and purge (requeueDeadLetters, purgeDeadLetters,
 * the selections of deadLetters), and the lock that keeps a second writer off a store in use.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../broker/cloudevents/event.js';
import { StoreInUseError } from '../../broker/ports/store.js';
import { SqliteStore } from '../../stores/sqlite/sqlite-store.js';

const dirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tb-store-dl-'));
  dirs.push(dir);
  return dir;
}
const stores: SqliteStore[] = [];
function open(dir = freshDir()): SqliteStore {
  const store = new SqliteStore({ dir, synchronous: 'normal' });
  stores.push(store);
  return store;
}
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const ev = (id: string): CloudEvent => ({
  attributes: { specversion: '1.0', id, source: '/s', type: 't' },
  data: { kind: 'json', value: { id } },
});

/** Stores `ids` for `subscription` and dead-letters each, `at` = base + index. */
async function deadLettered(
  store: SqliteStore,
  subscription: string,
  ids: string[],
  options: { at?: number; reason?: string; toDeadLetterSink?: boolean } = {},
): Promise<number[]> {
  const seqs = await store.append(ids.map((id) => ({ event: ev(id), subscriptions: [subscription] })));
  const at = options.at ?? 1_000;
  await Promise.all(
    seqs.map((seq, i) =>
      store.deadLetter(
        {
          subscription,
          seq,
          reason: options.reason ?? 'permanent failure: 422',
          status: 422,
          error: 'no',
          dest: 'http://x',
          attempts: 1,
          at: at + i,
        },
        options.toDeadLetterSink ?? false,
      ),
    ),
  );
  return seqs;
}

const ids = (store: SqliteStore, options: Parameters<SqliteStore['deadLetters']>[0] = {}) =>
  store.deadLetters(options).map((d) => `${d.subscription}/${String(d.event.attributes['id'])}`);

describe('SqliteStore dead letters', () => {
  it('selects by subscription, event id, reason and time range, in order, page after page', async () => {
    const store = open();
    await deadLettered(store, 'a', ['a1', 'a2', 'a3'], { at: 1000 });
    await deadLettered(store, 'b', ['b1', 'b2'], {
      at: 2000,
      reason: 'retries exhausted after 3 attempts: 500',
    });
    expect(ids(store)).toEqual(['a/a1', 'a/a2', 'a/a3', 'b/b1', 'b/b2']);
    expect(ids(store, { subscription: 'b' })).toEqual(['b/b1', 'b/b2']);
    expect(ids(store, { ids: ['a2', 'b1', 'nope'] })).toEqual(['a/a2', 'b/b1']);
    expect(ids(store, { reason: 'retries exhausted' })).toEqual(['b/b1', 'b/b2']);
    expect(ids(store, { since: 1001, until: 2000 })).toEqual(['a/a2', 'a/a3', 'b/b1']);
    const first = store.deadLetters({ limit: 2 });
    const last = first[first.length - 1]!;
    expect(
      ids(store, { limit: 2, after: { at: last.at, subscription: last.subscription, seq: last.seq } }),
    ).toEqual(['a/a3', 'b/b1']);
  });

  it('requeues a dead letter as a fresh delivery of the same stored event, and removes the entry, together', async () => {
    const store = open();
    const [seq] = await deadLettered(store, 'a', ['keep-my-id']);
    expect(store.pending('a')).toBe(0);
    const change = await store.requeueDeadLetters([{ subscription: 'a', seq: seq! }]);
    expect(change).toEqual({ done: [{ subscription: 'a', seq }], skipped: [] });
    expect(store.deadLetters()).toEqual([]);
    const [due] = store.due('a', Date.now(), 10, new Set());
    expect(due).toMatchObject({ seq, phase: 'sink', attempts: 0 });
    expect(due!.event.attributes['id']).toBe('keep-my-id');
    expect(due!.event.data).toEqual({ kind: 'json', value: { id: 'keep-my-id' } });
  });

  it('requeues to another subscription', async () => {
    const store = open();
    const [seq] = await deadLettered(store, 'a', ['e1']);
    await store.requeueDeadLetters([{ subscription: 'a', seq: seq! }], 'b');
    expect(store.pending('a')).toBe(0);
    expect(store.due('b', Date.now(), 10, new Set()).map((d) => d.event.attributes['id'])).toEqual(['e1']);
  });

  it('skips entries that are gone, whose dead-letter sink copy is pending, or already queued for the target', async () => {
    const store = open();
    const [gone] = await deadLettered(store, 'a', ['gone']);
    await store.purgeDeadLetters([{ subscription: 'a', seq: gone! }]);
    const [pending] = await deadLettered(store, 'a', ['pending'], { toDeadLetterSink: true });
    // Routed to both a and b; a failed for good, b still has its delivery queued.
    const [both] = await store.append([{ event: ev('both'), subscriptions: ['a', 'b'] }]);
    await store.deadLetter(
      { subscription: 'a', seq: both!, reason: 'r', status: 0, error: 'e', dest: 'd', attempts: 1, at: 5 },
      false,
    );
    const change = await store.requeueDeadLetters(
      [
        { subscription: 'a', seq: gone! },
        { subscription: 'a', seq: pending! },
        { subscription: 'a', seq: both! },
      ],
      'b',
    );
    expect(change.done).toEqual([]);
    expect(change.skipped).toEqual([
      { subscription: 'a', seq: gone, why: 'no longer a dead letter' },
      { subscription: 'a', seq: pending, why: 'its copy for the dead-letter sink is still pending' },
      { subscription: 'a', seq: both, why: 'a delivery of this event to b is already queued' },
    ]);
    // Nothing changed for the skipped ones.
    expect(ids(store)).toEqual(['a/both', 'a/pending']);
  });

  it('purges dead letters, keeping one whose dead-letter sink copy is pending', async () => {
    const store = open();
    const seqs = await deadLettered(store, 'a', ['p1', 'p2']);
    const [pending] = await deadLettered(store, 'a', ['p3'], { toDeadLetterSink: true, at: 9000 });
    const change = await store.purgeDeadLetters([
      ...seqs.map((seq) => ({ subscription: 'a', seq })),
      { subscription: 'a', seq: pending! },
    ]);
    expect(change.done).toHaveLength(2);
    expect(change.skipped).toEqual([
      { subscription: 'a', seq: pending, why: 'its copy for the dead-letter sink is still pending' },
    ]);
    expect(ids(store)).toEqual(['a/p3']);
  });

  it('checks each entry of a batch against what the same transaction already did', async () => {
    const store = open();
    const seqs = await deadLettered(store, 'a', ['t1', 't2', 't3']);
    const keys = seqs.map((seq) => ({ subscription: 'a', seq }));
    // The same key twice: the second would insert the delivery again (breaking its primary key and
    // failing the batch) were it not seen as no longer a dead letter within the same transaction.
    const change = await store.requeueDeadLetters([...keys, keys[0]!]);
    expect(change.done).toHaveLength(3);
    expect(change.skipped).toEqual([{ ...keys[0], why: 'no longer a dead letter' }]);
    expect(store.pending('a')).toBe(3);
    expect(store.deadLetters()).toEqual([]);
  });
});

describe('SqliteStore lock', () => {
  it('refuses a second writer on the same directory while the first holds it, and not after', () => {
    const dir = freshDir();
    const first = open(dir);
    expect(() => new SqliteStore({ dir, synchronous: 'normal' })).toThrow(StoreInUseError);
    expect(() => new SqliteStore({ dir, synchronous: 'normal' })).toThrow(`the store in ${dir} is in use`);
    // A reader (the deadletters listing) is never refused.
    const reader = new SqliteStore({ dir, synchronous: 'normal', readonly: true });
    reader.close();
    first.close();
    stores.splice(stores.indexOf(first), 1);
    open(dir);
  });

  it('creates no store where it must exist, and does not count its lock file as an old store', () => {
    const dir = freshDir();
    expect(() => new SqliteStore({ dir: join(dir, 'none'), synchronous: 'normal', mustExist: true })).toThrow(
      /there is no store in .*none/,
    );
    expect(readdirSync(dir)).toEqual([]);
    open(dir).close();
    stores.pop();
    const reopened = new SqliteStore({ dir, synchronous: 'normal', mustExist: true });
    stores.push(reopened);
    expect(readdirSync(dir)).toContain('events.db.lock');
  });
});
