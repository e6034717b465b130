import { randomBytes } from 'node:crypto';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../broker/cloudevents/event.js';
import { SqliteStore } from '../../stores/sqlite/sqlite-store.js';
import { canMountSmallDisk, mountSmallDisk, type SmallDisk } from '../harness/small-disk.js';
import { waitFor } from '../harness/wait.js';

const dirs: string[] = [];
function open(onCommit?: (writes: number) => void): { store: SqliteStore; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tb-store-'));
  dirs.push(dir);
  return { store: new SqliteStore({ dir, synchronous: 'full', ...(onCommit ? { onCommit } : {}) }), dir };
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const ev = (id: string, data: CloudEvent['data'] = { kind: 'none' }): CloudEvent => ({
  attributes: { specversion: '1.0', id, source: '/s', type: 't', count: 3, flag: false },
  data,
});

describe('SqliteStore', () => {
  it('groups concurrent writes into one commit and resolves each only after it', async () => {
    const commits: number[] = [];
    const { store } = open((n) => commits.push(n));
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => store.append([{ event: ev(`e${i}`), subscriptions: ['a'] }])),
    );
    expect(commits).toEqual([100]);
    expect(new Set(results.flat()).size).toBe(100);
    store.close();
  });

  it('commits a connector position with its events, per Source, and forgets it on null', async () => {
    const { store, dir } = open();
    await store.append(
      [{ event: ev('line-1'), subscriptions: ['a'] }],
      [
        { source: 'logs', key: 'file:1', value: '{"offset":120}' },
        { source: 'other', key: 'file:1', value: 'x' },
      ],
    );
    // Positions alone (lines that made no event) are committed too.
    await store.append([], [{ source: 'logs', key: 'file:2', value: '7' }]);
    store.close();
    const again = new SqliteStore({ dir, synchronous: 'normal' });
    expect(Object.fromEntries(again.checkpoints('logs'))).toEqual({
      'file:1': '{"offset":120}',
      'file:2': '7',
    });
    await again.append([], [{ source: 'logs', key: 'file:1', value: null }]);
    expect([...again.checkpoints('logs').keys()]).toEqual(['file:2']);
    expect(Object.fromEntries(again.checkpoints('other'))).toEqual({ 'file:1': 'x' });
    again.close();
  });

  it('stores no position when the events written with it fail: both or neither', async () => {
    const { store } = open();
    const good = store.append(
      [{ event: ev('ok'), subscriptions: ['a'] }],
      [{ source: 'logs', key: 'f', value: '10' }],
    );
    // The same subscription twice breaks the deliveries key: this write fails inside the commit.
    const bad = store.append(
      [{ event: ev('dup'), subscriptions: ['a', 'a'] }],
      [{ source: 'logs', key: 'f', value: '20' }],
    );
    await expect(good).resolves.toHaveLength(1);
    await expect(bad).rejects.toThrow();
    expect(store.checkpoints('logs').get('f')).toBe('10');
    expect(store.due('a', Date.now(), 10, new Set()).map((d) => d.event.attributes['id'])).toEqual(['ok']);
    store.close();
  });

  it('keeps events, their data kinds and their deliveries across a reopen', async () => {
    const { store, dir } = open();
    const bytes = new Uint8Array([0, 255, 1, 254]);
    await store.append([
      { event: ev('bytes', { kind: 'bytes', bytes }), subscriptions: ['a', 'b'] },
      { event: ev('json', { kind: 'json', value: { x: [1, 'y', null] } }), subscriptions: ['a'] },
      { event: ev('none'), subscriptions: [] },
    ]);
    store.close();
    const again = new SqliteStore({ dir, synchronous: 'normal' });
    const due = again.due('a', Date.now(), 10, new Set());
    expect(due.map((d) => d.event.attributes['id'])).toEqual(['bytes', 'json']);
    expect(due[0]!.event.data).toEqual({ kind: 'bytes', bytes });
    expect(due[0]!.event.attributes).toMatchObject({ count: 3, flag: false });
    expect(due[1]!.event.data).toEqual({ kind: 'json', value: { x: [1, 'y', null] } });
    expect(again.depths()).toEqual(
      new Map([
        ['a', 2],
        ['b', 1],
      ]),
    );
    again.close();
  });

  it('hands out due deliveries, skips those in flight, and reschedules retries', async () => {
    const { store } = open();
    const [s1, s2] = await store.append([
      { event: ev('1'), subscriptions: ['a'] },
      { event: ev('2'), subscriptions: ['a'] },
    ]);
    expect(store.due('a', Date.now(), 10, new Set([s1!])).map((d) => d.seq)).toEqual([s2]);
    const later = Date.now() + 60_000;
    await store.reschedule('a', s1!, 1, later, 'HTTP 503', 503);
    expect(store.due('a', Date.now(), 10, new Set()).map((d) => d.seq)).toEqual([s2]);
    expect(store.nextDueAfter('a', Date.now())).toBe(later);
    expect(store.due('a', later, 10, new Set()).find((d) => d.seq === s1)).toMatchObject({
      attempts: 1,
      phase: 'sink',
    });
    await store.complete('a', s2!, 'sink');
    expect(store.depths().get('a')).toBe(1);
    store.close();
  });

  it('keeps a dead letter with its last error, and moves the delivery to the dead-letter phase when there is a sink', async () => {
    const { store } = open();
    const [s1, s2] = await store.append([
      { event: ev('1'), subscriptions: ['a'] },
      { event: ev('2'), subscriptions: ['a'] },
    ]);
    const record = {
      subscription: 'a',
      reason: 'retries exhausted',
      status: 500,
      error: 'HTTP 500',
      dest: 'http://x/',
      attempts: 3,
      at: 1,
    };
    await store.deadLetter({ ...record, seq: s1! }, true);
    await store.deadLetter({ ...record, seq: s2! }, false);
    const due = store.due('a', Date.now(), 10, new Set());
    expect(due).toHaveLength(1);
    expect(due[0]).toMatchObject({ seq: s1, phase: 'deadletter', attempts: 0 });
    expect(store.deadLetterRecord('a', s1!)).toMatchObject({ status: 500, error: 'HTTP 500' });
    await store.complete('a', s1!, 'deadletter');
    const list = store.deadLetters();
    expect(list.map((d) => [d.event.attributes['id'], d.deadLetterSinkOutcome])).toEqual([
      ['1', 'delivered'],
      ['2', 'none'],
    ]);
    expect(store.depths().size).toBe(0);
    store.close();
  });

  it('a failing write rejects only its own caller', async () => {
    const { store } = open();
    const good = store.append([{ event: ev('ok'), subscriptions: ['a'] }]);
    // the same (subscription, seq) twice violates the primary key
    const bad = store.append([{ event: ev('dup'), subscriptions: ['a', 'a'] }]);
    await expect(good).resolves.toHaveLength(1);
    await expect(bad).rejects.toThrow();
    expect(store.due('a', Date.now(), 10, new Set()).map((d) => d.event.attributes['id'])).toEqual(['ok']);
    store.close();
  });

  it('a failing write leaves the other writes of its turn in one transaction', async () => {
    const { store, dir } = open();
    // Every commit appends at least one frame (a page and its header) to the write-ahead log,
    // so a turn of 20 writes that appends fewer than 20 frames was committed together, not in
    // a transaction per write.
    const probe = new Database(join(dir, 'events.db'), { readonly: true });
    const pageSize = Number(probe.pragma('page_size', { simple: true }));
    probe.close();
    const walFrames = () => (statSync(join(dir, 'events.db-wal')).size - 32) / (pageSize + 24);
    const writes = 20;
    const turn = (prefix: string, failing: Promise<unknown>[] = []) =>
      Promise.allSettled([
        ...Array.from({ length: writes }, (_, i) =>
          store.append([{ event: ev(`${prefix}${i}`), subscriptions: ['a'] }]),
        ),
        ...failing,
      ]);
    await turn('warm');
    const start = walFrames();
    const results = await turn('mixed', [
      // the same (subscription, seq) twice violates the primary key
      store.append([{ event: ev('dup'), subscriptions: ['a', 'a'] }]),
      // data that has no JSON text cannot be stored at all
      store.append([{ event: ev('bigint', { kind: 'json', value: 1n }), subscriptions: ['a'] }]),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      ...Array(writes).fill('fulfilled'),
      'rejected',
      'rejected',
    ]);
    expect(walFrames() - start).toBeLessThan(writes);
    const due = store.due('a', Date.now(), 100, new Set()).map((d) => String(d.event.attributes['id']));
    expect(due.filter((id) => id.startsWith('mixed'))).toHaveLength(writes);
    expect(due).not.toContain('dup');
    expect(due).not.toContain('bigint');
    store.close();
  });

  it('prunes only delivered events past retention', async () => {
    const { store } = open();
    await store.append([
      { event: ev('delivered'), subscriptions: [] },
      { event: ev('pending'), subscriptions: ['a'] },
    ]);
    expect(await store.prune(Date.now() - 60_000)).toBe(0);
    expect(await store.prune(Date.now() + 1)).toBe(1);
    expect(store.due('a', Date.now(), 10, new Set())).toHaveLength(1);
    store.close();
  });
});

/** A store of `count` events with some data each, closed, so everything is in events.db. */
async function filledStore(count: number): Promise<string> {
  const { store, dir } = open();
  const data = { kind: 'bytes' as const, bytes: new Uint8Array(400).fill(7) };
  for (let i = 0; i < count; i += 100)
    await store.append(
      Array.from({ length: 100 }, (_, j) => ({ event: ev(`e${i + j}`, data), subscriptions: ['a'] })),
    );
  store.close();
  return dir;
}

/** Overwrites `pages` pages in the middle of the file with random bytes, as a failing disk might. */
function damageMiddle(file: string, pages: number): void {
  const pageSize = 4096;
  const total = Math.floor(statSync(file).size / pageSize);
  const fd = openSync(file, 'r+');
  try {
    for (let p = Math.floor(total / 2); p < Math.floor(total / 2) + pages; p++)
      writeSync(fd, randomBytes(pageSize), 0, pageSize, p * pageSize);
  } finally {
    closeSync(fd);
  }
}

describe('SqliteStore, opening', () => {
  it('refuses a store damaged in the middle, naming the file and the ways out', async () => {
    const dir = await filledStore(2000);
    const file = join(dir, 'events.db');
    damageMiddle(file, 8);
    let error: Error | undefined;
    try {
      new SqliteStore({ dir, synchronous: 'normal' }).close();
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).toContain(`the store ${file} is damaged`);
    expect(error?.message).toMatch(/restore .* from a backup/);
    expect(error?.message).toContain(`sqlite3 ${file} ".recover"`);
  });

  it('opens a sound store that holds events', async () => {
    const dir = await filledStore(500);
    const again = new SqliteStore({ dir, synchronous: 'normal' });
    expect(again.pending('a')).toBe(500);
    again.close();
  });

  /** Opens a store in `dir` with a logger that keeps its lines. */
  const openLogged = (dir: string) => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    new SqliteStore({ dir, synchronous: 'normal', log }).close();
    return lines.filter((l) => l['level'] === 40);
  };

  it('warns when it creates a new store where the directory already held files, and only then', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-store-'));
    dirs.push(dir);
    writeFileSync(join(dir, '.keep'), ''); // dot files say nothing of a store
    expect(openLogged(join(dir, 'new'))).toEqual([]); // a first start
    expect(openLogged(join(dir, 'new'))).toEqual([]); // a restart on its own store
    writeFileSync(join(dir, 'events.db-wal'), 'the log of a store whose main file is gone');
    const warnings = openLogged(dir);
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]!['msg'])).toContain(`creating a new, empty store in ${dir}`);
    // The orphaned log is kept aside: SQLite would have deleted it.
    const aside = readdirSync(dir).find((n) => n.startsWith('events.db-wal.orphaned-'));
    expect(aside).toBeDefined();
    expect(String(warnings[0]!['msg'])).toContain(aside);
  });
});

describe('SqliteStore, health', () => {
  it('stays ok when a write fails for a reason of its own (a broken constraint)', async () => {
    const { store } = open();
    await expect(store.append([{ event: ev('dup'), subscriptions: ['a', 'a'] }])).rejects.toThrow();
    expect(store.health()).toEqual({ status: 'ok' });
    store.close();
  });

  describe.skipIf(!canMountSmallDisk)('on a disk that fills up (root: a small tmpfs)', () => {
    let disk: SmallDisk;
    beforeAll(() => {
      disk = mountSmallDisk(8);
    });
    afterAll(() => disk?.dispose());

    it('is failing while commits fail, and ok again after the disk has room, with nothing else written', async () => {
      const failures: unknown[] = [];
      const store = new SqliteStore({
        dir: join(disk.dir, 'data'),
        synchronous: 'normal',
        onCommitFailed: (err) => failures.push(err),
      });
      try {
        await store.append([{ event: ev('before'), subscriptions: ['a'] }]);
        expect(store.health()).toEqual({ status: 'ok' });
        disk.fill();
        await expect(
          store.append([
            { event: ev('full', { kind: 'bytes', bytes: new Uint8Array(8192) }), subscriptions: ['a'] },
          ]),
        ).rejects.toThrow(/full/);
        expect(store.health()).toMatchObject({ status: 'failing', error: expect.stringMatching(/full/) });
        expect(failures).toHaveLength(1);
        disk.free();
        await waitFor('the store to find out it commits again', () => store.health().status === 'ok', {
          timeoutMs: 5000,
        });
        await store.append([{ event: ev('after'), subscriptions: ['a'] }]);
        expect(store.pending('a')).toBe(2);
      } finally {
        store.close();
      }
    });
  });
});
