import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type {
  AppendItem,
  Checkpoint,
  DeadLetterEntry,
  DeadLetterRecord,
  DeliveryPhase,
  DueDelivery,
  EventStore,
  StoreHealth,
  StoreOpenOptions,
} from '../../broker/ports/store.js';
import { decodeEventRow, type EventRow, encodeEventRow } from './codec.js';
import { newStoreWarning, surveyDataDir } from './data-dir.js';
import { DamagedStoreError, quickCheck, warmPageCache } from './integrity.js';
import { isDamage, isStoreFailure } from './sqlite-errors.js';

type Db = Database.Database;

const PHASE = { sink: 0, deadletter: 1 } as const;
const PHASE_NAME: Record<number, DeliveryPhase> = { 0: 'sink', 1: 'deadletter' };

const SCHEMA = `
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
 * While commits fail, how often the store tries the smallest commit there is (one row of
 * store_probe), so that it notices by itself when it can commit again even if nothing else
 * writes: readiness turns back to ready and paused subscriptions resume. A failed try costs a
 * few system calls; the one that succeeds writes one page.
 */
const PROBE_INTERVAL_MS = 1000;

const OK: StoreHealth = { status: 'ok' };

/** A queued write: runs inside the next group transaction. */
interface PendingWrite {
  run(db: Db): unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** `dir` holds `events.db`; `full` fsyncs every commit, `normal` survives a process crash (kill -9) but not a power loss. */
export type SqliteStoreOptions = StoreOpenOptions;

/**
 * The embedded store: SQLite in WAL mode. All writes go through one queue and are committed
 * together in one transaction per turn of the event loop (group commit), so a thousand
 * concurrent requests cost one fsync, and each caller's promise resolves only after the
 * commit that holds its write.
 */
export class SqliteStore implements EventStore {
  private readonly db: Db;
  private readonly queue: PendingWrite[] = [];
  private flushScheduled = false;
  private open = true;
  private readonly onCommit: SqliteStoreOptions['onCommit'];
  private readonly onCommitFailed: SqliteStoreOptions['onCommitFailed'];
  private healthState: StoreHealth = OK;
  private probeTimer: NodeJS.Timeout | undefined;
  private readonly stmt;

  constructor(options: SqliteStoreOptions) {
    const file = join(options.dir, 'events.db');
    if (options.readonly) {
      this.db = new Database(file, { readonly: true, fileMustExist: true });
    } else {
      const survey = surveyDataDir(options.dir);
      const warning = newStoreWarning(options.dir, survey);
      if (warning) options.log?.warn({ dir: options.dir, files: survey.others.slice(0, 20) }, warning);
      mkdirSync(options.dir, { recursive: true });
      this.db = openChecked(file, options);
    }
    this.db.pragma('busy_timeout = 5000');
    this.onCommit = options.onCommit;
    this.onCommitFailed = options.onCommitFailed;
    const db = this.db;
    this.stmt = {
      insertEvent: db.prepare<[string, number, Buffer | null, number]>(
        'INSERT INTO events (attributes, data_kind, data, received_at) VALUES (?, ?, ?, ?)',
      ),
      insertDelivery: db.prepare<[string, number, number]>(
        'INSERT INTO deliveries (subscription, seq, next_at) VALUES (?, ?, ?)',
      ),
      due: db.prepare<[string, number, number]>(
        `SELECT d.seq, d.phase, d.attempts, e.attributes, e.data_kind, e.data
           FROM deliveries d JOIN events e ON e.seq = d.seq
          WHERE d.subscription = ? AND d.next_at <= ?
          ORDER BY d.next_at, d.seq LIMIT ?`,
      ),
      nextDue: db.prepare<[string, number]>(
        'SELECT MIN(next_at) AS at FROM deliveries WHERE subscription = ? AND next_at > ?',
      ),
      complete: db.prepare<[string, number, number]>(
        'DELETE FROM deliveries WHERE subscription = ? AND seq = ? AND phase = ?',
      ),
      reschedule: db.prepare<[number, number, string, number, string, number]>(
        'UPDATE deliveries SET attempts = ?, next_at = ?, last_error = ?, last_status = ? WHERE subscription = ? AND seq = ?',
      ),
      toDeadLetterPhase: db.prepare<[number, string, number]>(
        'UPDATE deliveries SET phase = 1, attempts = 0, next_at = ?, last_error = NULL, last_status = NULL WHERE subscription = ? AND seq = ?',
      ),
      dropDelivery: db.prepare<[string, number]>('DELETE FROM deliveries WHERE subscription = ? AND seq = ?'),
      insertDeadLetter: db.prepare(
        `INSERT OR REPLACE INTO dead_letters (subscription, seq, reason, status, error, dest, attempts, at, dls_outcome)
         VALUES (@subscription, @seq, @reason, @status, @error, @dest, @attempts, @at, @dls_outcome)`,
      ),
      setDlsOutcome: db.prepare<[string, string, number]>(
        'UPDATE dead_letters SET dls_outcome = ? WHERE subscription = ? AND seq = ?',
      ),
      deadLetterRecord: db.prepare<[string, number]>(
        'SELECT subscription, seq, reason, status, error, dest, attempts, at FROM dead_letters WHERE subscription = ? AND seq = ?',
      ),
      depths: db.prepare('SELECT subscription, COUNT(*) AS n FROM deliveries GROUP BY subscription'),
      pending: db.prepare<[string]>('SELECT COUNT(*) AS n FROM deliveries WHERE subscription = ?'),
      putCheckpoint: db.prepare<[string, string, string]>(
        'INSERT OR REPLACE INTO checkpoints (source, key, value) VALUES (?, ?, ?)',
      ),
      dropCheckpoint: db.prepare<[string, string]>('DELETE FROM checkpoints WHERE source = ? AND key = ?'),
      checkpoints: db.prepare<[string]>('SELECT key, value FROM checkpoints WHERE source = ?'),
      prune: db.prepare<[number]>(
        `DELETE FROM events WHERE seq IN (
           SELECT e.seq FROM events e
            WHERE e.received_at < ?
              AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.seq = e.seq)
              AND NOT EXISTS (SELECT 1 FROM dead_letters x WHERE x.seq = e.seq)
            LIMIT 10000)`,
      ),
    };
  }

  isOpen(): boolean {
    return this.open;
  }

  health(): StoreHealth {
    return this.healthState;
  }

  append(items: readonly AppendItem[], checkpoints: readonly Checkpoint[] = []): Promise<number[]> {
    // Encoded here, not in the transaction: an event that cannot be encoded is refused to its
    // own caller and never costs the other writes of the turn their group commit.
    let rows: EventRow[];
    try {
      rows = items.map((item) => encodeEventRow(item.event));
    } catch (err) {
      return Promise.reject(err);
    }
    return this.enqueue((db) => {
      const now = Date.now();
      const seqs: number[] = [];
      for (const [index, item] of items.entries()) {
        const row = rows[index]!;
        const seq = Number(
          this.stmt.insertEvent.run(row.attributes, row.data_kind, row.data, now).lastInsertRowid,
        );
        seqs.push(seq);
        for (const sub of item.subscriptions) this.stmt.insertDelivery.run(sub, seq, now);
        if (item.deadLetter) {
          this.stmt.insertDeadLetter.run({
            subscription: item.deadLetter.origin,
            seq,
            reason: item.deadLetter.reason,
            status: 0,
            error: item.deadLetter.error,
            dest: '',
            attempts: 0,
            at: now,
            dls_outcome: 'none',
          });
        }
      }
      for (const c of checkpoints) {
        if (c.value === null) this.stmt.dropCheckpoint.run(c.source, c.key);
        else this.stmt.putCheckpoint.run(c.source, c.key, c.value);
      }
      void db;
      return seqs;
    }) as Promise<number[]>;
  }

  checkpoints(source: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const row of this.stmt.checkpoints.all(source) as { key: string; value: string }[])
      out.set(row.key, row.value);
    return out;
  }

  due(subscription: string, now: number, limit: number, exclude: ReadonlySet<number>): DueDelivery[] {
    const rows = this.stmt.due.all(subscription, now, limit + exclude.size) as (EventRow & {
      seq: number;
      phase: number;
      attempts: number;
    })[];
    const out: DueDelivery[] = [];
    for (const row of rows) {
      if (exclude.has(row.seq)) continue;
      out.push({
        seq: row.seq,
        subscription,
        phase: PHASE_NAME[row.phase] ?? 'sink',
        attempts: row.attempts,
        event: decodeEventRow(row),
      });
      if (out.length >= limit) break;
    }
    return out;
  }

  nextDueAfter(subscription: string, now: number): number | undefined {
    const row = this.stmt.nextDue.get(subscription, now) as { at: number | null } | undefined;
    return row?.at ?? undefined;
  }

  complete(subscription: string, seq: number, phase: DeliveryPhase): Promise<void> {
    return this.enqueue(() => {
      this.stmt.complete.run(subscription, seq, PHASE[phase]);
      if (phase === 'deadletter') this.stmt.setDlsOutcome.run('delivered', subscription, seq);
    }) as Promise<void>;
  }

  reschedule(
    subscription: string,
    seq: number,
    attempts: number,
    nextAt: number,
    error: string,
    status: number,
  ): Promise<void> {
    return this.enqueue(() => {
      this.stmt.reschedule.run(attempts, nextAt, error, status, subscription, seq);
    }) as Promise<void>;
  }

  deadLetter(record: DeadLetterRecord, toDeadLetterSink: boolean): Promise<void> {
    return this.enqueue(() => {
      this.stmt.insertDeadLetter.run({ ...record, dls_outcome: toDeadLetterSink ? 'pending' : 'none' });
      if (toDeadLetterSink) this.stmt.toDeadLetterPhase.run(Date.now(), record.subscription, record.seq);
      else this.stmt.dropDelivery.run(record.subscription, record.seq);
    }) as Promise<void>;
  }

  deadLetterSinkFailed(subscription: string, seq: number, error: string): Promise<void> {
    return this.enqueue(() => {
      this.stmt.setDlsOutcome.run(`failed: ${error}`, subscription, seq);
      this.stmt.dropDelivery.run(subscription, seq);
    }) as Promise<void>;
  }

  depths(): Map<string, number> {
    const out = new Map<string, number>();
    for (const row of this.stmt.depths.all() as { subscription: string; n: number }[])
      out.set(row.subscription, row.n);
    return out;
  }

  pending(subscription: string): number {
    return (this.stmt.pending.get(subscription) as { n: number }).n;
  }

  deadLetterRecord(subscription: string, seq: number): DeadLetterRecord | undefined {
    return this.stmt.deadLetterRecord.get(subscription, seq) as DeadLetterRecord | undefined;
  }

  deadLetters(options: { subscription?: string; limit?: number } = {}): DeadLetterEntry[] {
    const where = options.subscription === undefined ? '' : 'WHERE x.subscription = @subscription';
    const rows = this.db
      .prepare(
        `SELECT x.*, e.attributes, e.data_kind, e.data FROM dead_letters x JOIN events e ON e.seq = x.seq
          ${where} ORDER BY x.at, x.seq LIMIT @limit`,
      )
      .all({ subscription: options.subscription, limit: options.limit ?? 1000 }) as (DeadLetterRecord &
      EventRow & { dls_outcome: string })[];
    return rows.map((r) => ({
      subscription: r.subscription,
      seq: r.seq,
      reason: r.reason,
      status: r.status,
      error: r.error,
      dest: r.dest,
      attempts: r.attempts,
      at: r.at,
      deadLetterSinkOutcome: r.dls_outcome,
      event: decodeEventRow(r),
    }));
  }

  prune(before: number): number {
    let total = 0;
    for (;;) {
      const n = this.stmt.prune.run(before).changes;
      total += n;
      if (n < 10000) return total;
    }
  }

  /** Commits what is queued, then closes the database. */
  close(): void {
    if (!this.open) return;
    this.flush();
    this.open = false;
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.db.close();
  }

  private enqueue(run: (db: Db) => unknown): Promise<unknown> {
    if (!this.open) return Promise.reject(new Error('store is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ run, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // setImmediate runs after the I/O callbacks of this turn: every request parsed in
        // this turn joins the same transaction.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.queue.length === 0 || !this.open) return;
    const batch = this.queue.splice(0, this.queue.length);
    const started = process.hrtime.bigint();
    let results: unknown[];
    let failures: unknown[] = [];
    try {
      // The common case: every write succeeds, one transaction, no savepoints.
      results = this.db.transaction(() => batch.map((write) => write.run(this.db)))();
    } catch {
      // A write failed and the whole transaction rolled back. Again, still as one transaction
      // (one commit, one fsync), but each write in a savepoint of its own (a nested
      // better-sqlite3 transaction): a failing write rolls back alone and fails only its caller.
      results = new Array(batch.length);
      failures = new Array(batch.length);
      try {
        this.db.transaction(() => {
          batch.forEach((write, i) => {
            try {
              results[i] = this.db.transaction(() => write.run(this.db))();
            } catch (err) {
              // Some errors (disk full, I/O) make SQLite roll back the whole transaction: then
              // the writes before this one are gone too, and the turn fails whole below.
              if (!this.db.inTransaction) throw err;
              failures[i] = err ?? new Error('write failed');
            }
          });
        })();
      } catch (err) {
        // The transaction as a whole failed (disk full, I/O error): nothing of the turn is stored.
        failures = batch.map(() => err ?? new Error('commit failed'));
      }
    }
    // A commit happened when the batch went through whole, or when at least one write did alone.
    const committed = failures.length === 0 || batch.some((_, i) => failures[i] === undefined);
    if (committed) {
      this.onCommit?.(batch.length, Number(process.hrtime.bigint() - started) / 1e9);
      this.setHealth(OK);
    } else {
      const cause = failures.find(isStoreFailure);
      if (cause !== undefined) {
        this.onCommitFailed?.(cause);
        this.setHealth({
          status: 'failing',
          since: this.healthState.status === 'failing' ? this.healthState.since : Date.now(),
          error: (cause as Error).message,
        });
      }
    }
    batch.forEach((write, i) => {
      if (failures[i] !== undefined) write.reject(failures[i]);
      else write.resolve(results[i]);
    });
  }

  private setHealth(next: StoreHealth): void {
    this.healthState = next;
    if (next.status === 'ok' && this.probeTimer) {
      clearInterval(this.probeTimer);
      this.probeTimer = undefined;
    } else if (next.status === 'failing' && !this.probeTimer) {
      this.probeTimer = setInterval(() => this.probe(), PROBE_INTERVAL_MS);
      this.probeTimer.unref();
    }
  }

  /** One small commit, unless other writes are on their way (their commit tells the same). */
  private probe(): void {
    if (!this.open || this.queue.length > 0) return;
    this.enqueue((db) =>
      db
        .prepare(
          'INSERT INTO store_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at',
        )
        .run(Date.now()),
    ).catch(() => undefined); // the outcome is in the health state
  }
}

/**
 * Opens the store file for writing and checks it whole first (PRAGMA quick_check): a damaged
 * store is refused with a message naming the file and what to do, instead of running on it and
 * failing later, one query at a time.
 */
function openChecked(file: string, options: SqliteStoreOptions): Db {
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
