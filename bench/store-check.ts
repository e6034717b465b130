/**
 * The cost of the integrity check the SQLite store runs at every start (PRAGMA quick_check,
 * after one sequential read of the file): it reads every page of the file, so it grows with the
 * store. Builds a store of N queued events (the size of a long sink outage's backlog), then times
 * opening it with the file in the page cache (a restart) and, where GNU dd can evict it, read
 * from disk (a reboot), beside quick_check alone on the evicted file.
 *
 *   node --import tsx bench/store-check.ts [--events 1000000]
 */
import { execFileSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { CloudEvent } from '../broker/cloudevents/event.js';
import { SqliteStore } from '../stores/sqlite/sqlite-store.js';
import { isMain, numberFlag } from './support.js';

export interface StoreCheckRow {
  events: number;
  fileMb: number;
  buildSeconds: number;
  /** Opening the store (its check included) with the file in the page cache. */
  openCachedSeconds: number;
  /** The same with the file evicted first; undefined when it could not be evicted. */
  openColdSeconds: number | undefined;
  /** quick_check alone, without the sequential read first, on the evicted file. */
  checkAloneColdSeconds: number | undefined;
}

function event(i: number): CloudEvent {
  return {
    attributes: {
      specversion: '1.0',
      id: `bench-${i}`,
      source: '/bench/sensor-7',
      type: 'com.example.bench.reading',
      time: '2026-11-23T10:00:00Z',
      datacontenttype: 'application/json',
    },
    data: { kind: 'json', value: { deviceId: 'sensor-7', temperature: 21.5, humidity: 40, n: i } },
  };
}

function timeOpen(dir: string): number {
  const started = process.hrtime.bigint();
  new SqliteStore({ dir, synchronous: 'normal' }).close();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function timeQuickCheck(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    const started = process.hrtime.bigint();
    const result = db.pragma('quick_check(10)') as { quick_check: string }[];
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result[0]?.quick_check !== 'ok')
      throw new Error(`the benchmark's store is damaged: ${result[0]?.quick_check}`);
    return seconds;
  } finally {
    db.close();
  }
}

/** Drops the file from the page cache (GNU dd's nocache); false where that is not available. */
function evict(file: string): boolean {
  const fd = openSync(file, 'r+');
  fsyncSync(fd); // only clean pages can be dropped
  closeSync(fd);
  try {
    execFileSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function runStoreCheckBench(options: { events?: number } = {}): Promise<StoreCheckRow> {
  const events = options.events ?? 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'tb-bench-store-'));
  try {
    const buildStarted = Date.now();
    const store = new SqliteStore({ dir, synchronous: 'normal' });
    for (let i = 0; i < events; i += 1000) {
      const n = Math.min(1000, events - i);
      await store.append(
        Array.from({ length: n }, (_, j) => ({ event: event(i + j), subscriptions: ['s'] })),
      );
    }
    store.close();
    const buildSeconds = (Date.now() - buildStarted) / 1000;
    const file = join(dir, 'events.db');
    const fileMb = statSync(file).size / 1e6;
    timeOpen(dir); // fills the page cache
    const openCachedSeconds = timeOpen(dir);
    const openColdSeconds = evict(file) ? timeOpen(dir) : undefined;
    const checkAloneColdSeconds = evict(file) ? timeQuickCheck(file) : undefined;
    return { events, fileMb, buildSeconds, openCachedSeconds, openColdSeconds, checkAloneColdSeconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printStoreCheckRow(row: StoreCheckRow): void {
  const f = (n: number, digits = 2) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
  const s = (n: number | undefined) => (n === undefined ? 'n/a' : `${f(n)} s`);
  console.log(
    '\nStore integrity check at start: opening a store of queued events (sequential read, then PRAGMA quick_check)',
  );
  console.log(
    '| events | file MB | open, file cached | open, file read from disk | quick_check alone, from disk | built in |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
  console.log(
    `| ${f(row.events, 0)} | ${f(row.fileMb, 0)} | ${s(row.openCachedSeconds)} | ${s(row.openColdSeconds)} | ${s(row.checkAloneColdSeconds)} | ${f(row.buildSeconds, 0)} s |`,
  );
}

if (isMain(import.meta.url)) {
  const events = numberFlag('events');
  printStoreCheckRow(await runStoreCheckBench(events ? { events } : {}));
}
