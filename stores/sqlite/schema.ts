import Database from 'better-sqlite3';
import type { StoreOpenOptions } from '../../broker/ports/store.js';
import { DamagedStoreError, quickCheck, warmPageCache } from './integrity.js';
import { isDamage } from './sqlite-errors.js';

type Db = Database.Database;

/** Delivery phases as stored; the numbers are stored, so never renumber them. */
export const PHASE = { sink: 0, deadletter: 1 } as const;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY,
  attributes TEXT NOT NULL,
  data_kind INTEGER NOT NULL,
  data BLOB,
  received_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS events_received ON events (received_at);
CREATE TABLE IF NOT EXISTS deliveries (
  subscription TEXT NOT NULL,
  seq INTEGER NOT NULL,
  phase INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  last_error TEXT,
  last_status INTEGER,
  PRIMARY KEY (subscription, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (subscription, next_at, seq);
CREATE INDEX IF NOT EXISTS deliveries_seq ON deliveries (seq);
CREATE TABLE IF NOT EXISTS dead_letters (
  subscription TEXT NOT NULL,
  seq INTEGER NOT NULL,
  reason TEXT NOT NULL,
  status INTEGER NOT NULL,
  error TEXT NOT NULL,
  dest TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  at INTEGER NOT NULL,
  dls_outcome TEXT NOT NULL DEFAULT 'none',
  PRIMARY KEY (subscription, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS dead_letters_seq ON dead_letters (seq);
CREATE INDEX IF NOT EXISTS dead_letters_at ON dead_letters (at, subscription, seq);
CREATE TABLE IF NOT EXISTS checkpoints (
  source TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (source, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS store_probe (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  at INTEGER NOT NULL
);
`;

/**
 * Opens the store file for writing and checks it whole first (PRAGMA quick_check): a damaged
 * store is refused with a message naming the file and what to do, instead of running on it and
 * failing later, one query at a time.
 */
export function openChecked(file: string, options: Pick<StoreOpenOptions, 'dir' | 'synchronous'>): Db {
  let db: Db | undefined;
  try {
    warmPageCache(file);
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    const problems = quickCheck(db);
    if (problems.length > 0) throw new DamagedStoreError(file, options.dir, problems);
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.exec(SCHEMA);
    return db;
  } catch (err) {
    try {
      db?.close();
    } catch {
      // the error that got us here is the one to report
    }
    if (err instanceof DamagedStoreError) throw err;
    const message = (err as Error).message;
    if (isDamage(err)) throw new DamagedStoreError(file, options.dir, [message]);
    throw new Error(`cannot open the store ${file}: ${message}`, { cause: err });
  }
}
