import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type {
  AppendItem,
  Checkpoint,
  DeadLetterChange,
  DeadLetterCursor,
  DeadLetterEntry,
  DeadLetterKey,
  DeadLetterRecord,
  DeadLetterSelection,
  DeliveryPhase,
  DueDelivery,
  EventStore,
  StoreHealth,
  StoreOpenOptions,
} from '../../broker/ports/store.js';
import { decodeEventRow, type EventRow, encodeEventRow } from './codec.js';
import { newStoreWarning, surveyDataDir } from './data-dir.js';
import type { GroupOutcome } from './group-commit.js';
import { openChecked } from './schema.js';
import { StoreLock } from './store-lock.js';
import type { WriteOp, WriteResult } from './write-ops.js';
import { WriterClient } from './writer-client.js';

type Db = Database.Database;

const PHASE_NAME: Record<number, DeliveryPhase> = { 0: 'sink', 1: 'deadletter' };

/**
 * While commits fail, how often the store tries the smallest commit there is (one row of
 * store_probe), so that it notices by itself when it can commit again even if nothing else
 * writes: readiness turns back to ready and paused subscriptions resume. A failed try costs a
 * few system calls; the one that succeeds writes one page.
 */
const PROBE_INTERVAL_MS = 1000;

const OK: StoreHealth = { status: 'ok' };

/** `dir` holds `events.db`; `full` fsyncs every commit, `normal` survives a process crash (kill -9) but not a power loss. */
export type SqliteStoreOptions = StoreOpenOptions;

/**
 * The embedded store: SQLite in WAL mode, in two connections. Writes go to the writer thread
 * (writer-client.ts), which commits everything that arrived during its previous commit as one
 * group transaction (a thousand concurrent requests cost one commit), off the main event loop;
 * each caller's promise resolves only after the commit that holds its write. Reads (due
 * deliveries, depths, dead letters, checkpoints) stay on the main thread's own connection: in
 * WAL mode they never wait for the writer, and they see every commit whose promise resolved.
 */
export class SqliteStore implements EventStore {
  private readonly db: Db;
  private readonly writer: WriterClient | undefined;
  /** Held while the store is open for writing: one writing process per directory (store-lock.ts). */
  private readonly lock: StoreLock | undefined;
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
      if (options.mustExist && !existsSync(file))
        throw new Error(`there is no store in ${options.dir} (no events.db)`);
      mkdirSync(options.dir, { recursive: true });
      this.lock = StoreLock.acquire(options.dir);
      try {
        const survey = surveyDataDir(options.dir);
        const warning = newStoreWarning(options.dir, survey);
        if (warning) options.log?.warn({ dir: options.dir, files: survey.others.slice(0, 20) }, warning);
        // Checked and migrated here, synchronously, so a damaged store is refused at open.
        this.db = openChecked(file, options);
      } catch (err) {
        this.lock.release();
        throw err;
      }
      this.writer = new WriterClient({
        file,
        synchronous: options.synchronous,
        onGroup: (writes, outcome) => this.afterGroup(writes, outcome),
      });
    }
    this.db.pragma('busy_timeout = 5000');
    this.onCommit = options.onCommit;
    this.onCommitFailed = options.onCommitFailed;
    const db = this.db;
    this.stmt = {
      due: db.prepare<[string, number, number]>(
        `SELECT d.seq, d.phase, d.attempts, e.attributes, e.data_kind, e.data
           FROM deliveries d JOIN events e ON e.seq = d.seq
          WHERE d.subscription = ? AND d.next_at <= ?
          ORDER BY d.next_at, d.seq LIMIT ?`,
      ),
      nextDue: db.prepare<[string, number]>(
        'SELECT MIN(next_at) AS at FROM deliveries WHERE subscription = ? AND next_at > ?',
      ),
      deadLetterRecord: db.prepare<[string, number]>(
        'SELECT subscription, seq, reason, status, error, dest, attempts, at FROM dead_letters WHERE subscription = ? AND seq = ?',
      ),
      depths: db.prepare('SELECT subscription, COUNT(*) AS n FROM deliveries GROUP BY subscription'),
      pending: db.prepare<[string]>('SELECT COUNT(*) AS n FROM deliveries WHERE subscription = ?'),
      checkpoints: db.prepare<[string]>('SELECT key, value FROM checkpoints WHERE source = ?'),
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
    return this.write({
      kind: 'append',
      events: items.map((item, index) => ({
        row: rows[index]!,
        subscriptions: item.subscriptions,
        ...(item.deadLetter ? { deadLetter: item.deadLetter } : {}),
      })),
      checkpoints,
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

  async complete(subscription: string, seq: number, phase: DeliveryPhase): Promise<void> {
    await this.write({ kind: 'complete', subscription, seq, phase });
  }

  async reschedule(
    subscription: string,
    seq: number,
    attempts: number,
    nextAt: number,
    error: string,
    status: number,
  ): Promise<void> {
    await this.write({ kind: 'reschedule', subscription, seq, attempts, nextAt, error, status });
  }

  async deadLetter(record: DeadLetterRecord, toDeadLetterSink: boolean): Promise<void> {
    await this.write({ kind: 'deadLetter', record, toDeadLetterSink });
  }

  async deadLetterSinkFailed(subscription: string, seq: number, error: string): Promise<void> {
    await this.write({ kind: 'deadLetterSinkFailed', subscription, seq, error });
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

  deadLetters(
    options: DeadLetterSelection & { limit?: number; after?: DeadLetterCursor } = {},
  ): DeadLetterEntry[] {
    const conditions: string[] = [];
    const params: Record<string, unknown> = { limit: options.limit ?? 1000 };
    if (options.subscription !== undefined) {
      conditions.push('x.subscription = @subscription');
      params['subscription'] = options.subscription;
    }
    if (options.ids !== undefined) {
      conditions.push("json_extract(e.attributes, '$.id') IN (SELECT value FROM json_each(@ids))");
      params['ids'] = JSON.stringify(options.ids);
    }
    if (options.reason !== undefined) {
      conditions.push('instr(x.reason, @reason) > 0');
      params['reason'] = options.reason;
    }
    if (options.since !== undefined) {
      conditions.push('x.at >= @since');
      params['since'] = options.since;
    }
    if (options.until !== undefined) {
      conditions.push('x.at <= @until');
      params['until'] = options.until;
    }
    if (options.after !== undefined) {
      conditions.push('(x.at, x.subscription, x.seq) > (@afterAt, @afterSubscription, @afterSeq)');
      params['afterAt'] = options.after.at;
      params['afterSubscription'] = options.after.subscription;
      params['afterSeq'] = options.after.seq;
    }
    const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
    const rows = this.db
      .prepare(
        `SELECT x.*, e.attributes, e.data_kind, e.data FROM dead_letters x JOIN events e ON e.seq = x.seq
          ${where} ORDER BY x.at, x.subscription, x.seq LIMIT @limit`,
      )
      .all(params) as (DeadLetterRecord & EventRow & { dls_outcome: string })[];
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

  requeueDeadLetters(entries: readonly DeadLetterKey[], to?: string): Promise<DeadLetterChange> {
    return this.write({
      kind: 'requeueDeadLetters',
      entries: entries.map(({ subscription, seq }) => ({ subscription, seq })),
      ...(to === undefined ? {} : { to }),
    }) as Promise<DeadLetterChange>;
  }

  purgeDeadLetters(entries: readonly DeadLetterKey[]): Promise<DeadLetterChange> {
    return this.write({
      kind: 'purgeDeadLetters',
      entries: entries.map(({ subscription, seq }) => ({ subscription, seq })),
    }) as Promise<DeadLetterChange>;
  }

  async prune(before: number): Promise<number> {
    let total = 0;
    for (;;) {
      const n = (await this.write({ kind: 'prune', before })) as number;
      total += n;
      if (n < 10000) return total;
    }
  }

  /** Commits what is queued, then closes the database (both connections). */
  close(): void {
    if (!this.open) return;
    this.open = false;
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.writer?.close();
    this.db.close();
    this.lock?.release();
  }

  private write(op: WriteOp): Promise<WriteResult> {
    if (!this.open) return Promise.reject(new Error('store is closed'));
    if (!this.writer) return Promise.reject(new Error('the store is open for reading only'));
    return this.writer.write(op);
  }

  /** Health from each group's fate: ok after any commit, failing after a store failure. */
  private afterGroup(writes: number, outcome: GroupOutcome): void {
    if (outcome.committed) {
      this.onCommit?.(writes, outcome.seconds);
      this.setHealth(OK);
      return;
    }
    const cause = outcome.outcomes.find((o) => !o.ok && o.failure.storeFailure);
    if (cause === undefined || cause.ok) return;
    const error = Object.assign(new Error(cause.failure.message), { code: cause.failure.code });
    this.onCommitFailed?.(error);
    this.setHealth({
      status: 'failing',
      since: this.healthState.status === 'failing' ? this.healthState.since : Date.now(),
      error: cause.failure.message,
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
    if (!this.open || !this.writer || this.writer.backlog > 0) return;
    this.write({ kind: 'probe' }).catch(() => undefined); // the outcome is in the health state
  }
}
