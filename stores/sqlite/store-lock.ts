import { join } from 'node:path';
import Database from 'better-sqlite3';
import { StoreInUseError } from '../../broker/ports/store.js';

/** The lock file beside `events.db`; data-dir.ts does not count it as a file of an old store. */
export const LOCK_FILE = 'events.db.lock';

/**
 * Holds the store directory for this process while the store is open for writing, so that a
 * second writer (another broker on the same `--data`, an offline `deadletters replay` beside a
 * running broker) is refused instead of racing the first.
 *
 * The lock is SQLite's own file lock on a small side database, kept in exclusive locking mode
 * after one write: an operating-system lock (POSIX fcntl), released by the kernel when the
 * process ends however it ends (`kill -9` included), so a crash never leaves a stale lock behind.
 * SQLite also tracks these locks between the connections of one process, so a second open in the
 * same process is refused too.
 */
export class StoreLock {
  private db: Database.Database | undefined;

  private constructor(db: Database.Database) {
    this.db = db;
  }

  /** Takes the lock on `dir` (which must exist); throws StoreInUseError when another holder has it. */
  static acquire(dir: string): StoreLock {
    let db: Database.Database | undefined;
    try {
      db = new Database(join(dir, LOCK_FILE), { timeout: 0 });
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('synchronous = OFF');
      db.exec(
        'CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER, since INTEGER)',
      );
      // The first write takes the exclusive lock; exclusive locking mode keeps it until close.
      db.prepare('INSERT OR REPLACE INTO holder (id, pid, since) VALUES (1, ?, ?)').run(
        process.pid,
        Date.now(),
      );
      return new StoreLock(db);
    } catch (err) {
      try {
        db?.close();
      } catch {
        // the error that got us here is the one to report
      }
      if (/^SQLITE_(BUSY|LOCKED)/.test(String((err as { code?: unknown }).code)))
        throw new StoreInUseError(dir);
      throw err;
    }
  }

  release(): void {
    const db = this.db;
    this.db = undefined;
    db?.close();
  }
}
