import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { freemem } from 'node:os';
import type Database from 'better-sqlite3';

/**
 * How many problems `PRAGMA quick_check(N)` lists before it stops. It bounds the report, not the
 * work: quick_check reads every page of the file whatever N is, so its cost grows with the store
 * (see the store-check benchmark in README "Benchmarks": about 2 s for a million queued events).
 */
const MAX_REPORTED = 10;

/**
 * Reads the file once from start to end, so that quick_check then finds its pages in the page
 * cache. quick_check visits pages in b-tree order, which on a disk is mostly random reads: for a
 * store of a million events not in the cache (after a reboot), one sequential pass then the check
 * took 2 s where the check alone took 6 to 9 s. Skipped when the file would not fit in half the
 * memory available, where the pass would only push its own first pages out again.
 */
export function warmPageCache(file: string): void {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return; // no file yet: a new store
  }
  if (size === 0 || size > freemem() / 2) return;
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
    while (readSync(fd, buffer, 0, buffer.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

/**
 * SQLite's quick_check over the whole file: the b-tree structure of every table and index, page
 * types, cell bounds, the free list. Cheaper than integrity_check (which also matches each index
 * against its table) and enough to see pages overwritten by garbage. Returns the problems found,
 * none for a sound file.
 */
export function quickCheck(db: Database.Database): string[] {
  const rows = db.pragma(`quick_check(${MAX_REPORTED})`) as { quick_check: string }[];
  const problems = rows.map((r) => r.quick_check);
  return problems.length === 1 && problems[0] === 'ok' ? [] : problems;
}

/**
 * The refusal `start` prints for a damaged store: which file, what SQLite found, and the ways
 * out (a backup, starting empty, salvaging with the sqlite3 shell's `.recover`).
 */
export class DamagedStoreError extends Error {
  constructor(
    readonly file: string,
    dir: string,
    readonly problems: readonly string[],
  ) {
    super(damagedStoreMessage(file, dir, problems));
    this.name = 'DamagedStoreError';
  }
}

function damagedStoreMessage(file: string, dir: string, problems: readonly string[]): string {
  const shown = problems.slice(0, 5).join('; ');
  const recovered = `${dir}/events-recovered.db`;
  return [
    `the store ${file} is damaged (SQLite found: ${shown}).`,
    'The broker does not run on a damaged store: events in it could be lost or delivered wrongly. With the broker stopped, either',
    `  - restore ${dir} from a backup taken while the broker was stopped, or`,
    `  - move ${dir} (or events.db, events.db-wal and events.db-shm in it) aside and start again with an empty store; events still queued in the damaged store are then not delivered.`,
    `To salvage what can still be read: sqlite3 ${file} ".recover" | sqlite3 ${recovered}, check it with sqlite3 ${recovered} "PRAGMA integrity_check", then put it in place of events.db (and remove events.db-wal and events.db-shm).`,
  ].join('\n');
}
