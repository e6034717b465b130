import type Database from 'better-sqlite3';
import type {
  Checkpoint,
  DeadLetterChange,
  DeadLetterKey,
  DeadLetterRecord,
  DeliveryPhase,
} from '../../broker/ports/store.js';
import type { EventRow } from './codec.js';
import { PHASE } from './schema.js';

type Db = Database.Database;

/**
 * One write, as plain data: what the writer thread (writer-thread.ts) applies inside its group
 * transaction. Plain data because it crosses to that thread by structured clone; events arrive
 * already encoded as rows, so the encoding cost (and its failures) stay with their caller.
 */
export type WriteOp =
  | {
      readonly kind: 'append';
      readonly events: readonly {
        readonly row: EventRow;
        readonly subscriptions: readonly string[];
        readonly deadLetter?: { reason: string; error: string; origin: string };
      }[];
      readonly checkpoints: readonly Checkpoint[];
    }
  | {
      readonly kind: 'complete';
      readonly subscription: string;
      readonly seq: number;
      readonly phase: DeliveryPhase;
    }
  | {
      readonly kind: 'reschedule';
      readonly subscription: string;
      readonly seq: number;
      readonly attempts: number;
      readonly nextAt: number;
      readonly error: string;
      readonly status: number;
    }
  | { readonly kind: 'deadLetter'; readonly record: DeadLetterRecord; readonly toDeadLetterSink: boolean }
  | {
      readonly kind: 'deadLetterSinkFailed';
      readonly subscription: string;
      readonly seq: number;
      readonly error: string;
    }
  | { readonly kind: 'prune'; readonly before: number }
  | { readonly kind: 'probe' }
  | {
      readonly kind: 'requeueDeadLetters';
      readonly entries: readonly DeadLetterKey[];
      /** The subscription to queue them for; unset: each entry's own. */
      readonly to?: string;
    }
  | { readonly kind: 'purgeDeadLetters'; readonly entries: readonly DeadLetterKey[] };

/**
 * What a write returns: the new events' sequence numbers, the events pruned, what a requeue or
 * purge of dead letters did, or nothing.
 */
export type WriteResult = number[] | number | DeadLetterChange | undefined;

/** The prepared statements of the writing connection. */
export function writeStatements(db: Db) {
  return {
    insertEvent: db.prepare<[string, number, Buffer | null, number]>(
      'INSERT INTO events (attributes, data_kind, data, received_at) VALUES (?, ?, ?, ?)',
    ),
    insertDelivery: db.prepare<[string, number, number]>(
      'INSERT INTO deliveries (subscription, seq, next_at) VALUES (?, ?, ?)',
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
    putCheckpoint: db.prepare<[string, string, string]>(
      'INSERT OR REPLACE INTO checkpoints (source, key, value) VALUES (?, ?, ?)',
    ),
    dropCheckpoint: db.prepare<[string, string]>('DELETE FROM checkpoints WHERE source = ? AND key = ?'),
    prune: db.prepare<[number]>(
      `DELETE FROM events WHERE seq IN (
         SELECT e.seq FROM events e
          WHERE e.received_at < ?
            AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.seq = e.seq)
            AND NOT EXISTS (SELECT 1 FROM dead_letters x WHERE x.seq = e.seq)
          LIMIT 10000)`,
    ),
    probe: db.prepare<[number]>(
      'INSERT INTO store_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at',
    ),
    isDeadLetter: db
      .prepare<[string, number]>('SELECT 1 FROM dead_letters WHERE subscription = ? AND seq = ?')
      .pluck(),
    deliveryPhase: db
      .prepare<[string, number]>('SELECT phase FROM deliveries WHERE subscription = ? AND seq = ?')
      .pluck(),
    dropDeadLetter: db.prepare<[string, number]>(
      'DELETE FROM dead_letters WHERE subscription = ? AND seq = ?',
    ),
  };
}

export type WriteStatements = ReturnType<typeof writeStatements>;

/** Applies one write; runs inside the writer's transaction. */
export function applyWrite(stmt: WriteStatements, op: WriteOp): WriteResult {
  const now = Date.now();
  switch (op.kind) {
    case 'append': {
      const seqs: number[] = [];
      for (const { row, subscriptions, deadLetter } of op.events) {
        const seq = Number(
          stmt.insertEvent.run(row.attributes, row.data_kind, row.data, now).lastInsertRowid,
        );
        seqs.push(seq);
        for (const sub of subscriptions) stmt.insertDelivery.run(sub, seq, now);
        if (deadLetter) {
          stmt.insertDeadLetter.run({
            subscription: deadLetter.origin,
            seq,
            reason: deadLetter.reason,
            status: 0,
            error: deadLetter.error,
            dest: '',
            attempts: 0,
            at: now,
            dls_outcome: 'none',
          });
        }
      }
      for (const c of op.checkpoints) {
        if (c.value === null) stmt.dropCheckpoint.run(c.source, c.key);
        else stmt.putCheckpoint.run(c.source, c.key, c.value);
      }
      return seqs;
    }
    case 'complete':
      stmt.complete.run(op.subscription, op.seq, PHASE[op.phase]);
      if (op.phase === 'deadletter') stmt.setDlsOutcome.run('delivered', op.subscription, op.seq);
      return undefined;
    case 'reschedule':
      stmt.reschedule.run(op.attempts, op.nextAt, op.error, op.status, op.subscription, op.seq);
      return undefined;
    case 'deadLetter':
      stmt.insertDeadLetter.run({ ...op.record, dls_outcome: op.toDeadLetterSink ? 'pending' : 'none' });
      if (op.toDeadLetterSink) stmt.toDeadLetterPhase.run(now, op.record.subscription, op.record.seq);
      else stmt.dropDelivery.run(op.record.subscription, op.record.seq);
      return undefined;
    case 'deadLetterSinkFailed':
      stmt.setDlsOutcome.run(`failed: ${op.error}`, op.subscription, op.seq);
      stmt.dropDelivery.run(op.subscription, op.seq);
      return undefined;
    case 'prune':
      // One slice of at most 10,000 events, so a large prune never makes one huge transaction
      // that other writes wait behind; the store sends slices until one comes back short.
      return stmt.prune.run(op.before).changes;
    case 'probe':
      stmt.probe.run(now);
      return undefined;
    case 'requeueDeadLetters':
      return changeDeadLetters(stmt, op.entries, (entry) => {
        const target = op.to ?? entry.subscription;
        if (target !== entry.subscription && stmt.deliveryPhase.get(target, entry.seq) !== undefined)
          return `a delivery of this event to ${target} is already queued`;
        // Inserting the delivery and removing the dead letter in the same transaction: a crash
        // leaves the entry either still a dead letter or queued (docs/architecture.md,
        // "Dead-letter replay").
        stmt.insertDelivery.run(target, entry.seq, now);
        stmt.dropDeadLetter.run(entry.subscription, entry.seq);
        return undefined;
      });
    case 'purgeDeadLetters':
      return changeDeadLetters(stmt, op.entries, (entry) => {
        stmt.dropDeadLetter.run(entry.subscription, entry.seq);
        return undefined;
      });
  }
}

/**
 * Applies `change` to each entry that is still a dead letter and whose copy for the dead-letter
 * sink is not pending (its delivery row, in phase `deadletter`, is still there); `change` answers
 * why it skipped an entry, or undefined when it changed it.
 */
function changeDeadLetters(
  stmt: WriteStatements,
  entries: readonly DeadLetterKey[],
  change: (entry: DeadLetterKey) => string | undefined,
): DeadLetterChange {
  const result: DeadLetterChange = { done: [], skipped: [] };
  for (const entry of entries) {
    const key = { subscription: entry.subscription, seq: entry.seq };
    let why: string | undefined;
    if (stmt.isDeadLetter.get(key.subscription, key.seq) === undefined) why = 'no longer a dead letter';
    else if (stmt.deliveryPhase.get(key.subscription, key.seq) !== undefined)
      why = 'its copy for the dead-letter sink is still pending';
    else why = change(key);
    if (why === undefined) result.done.push(key);
    else result.skipped.push({ ...key, why });
  }
  return result;
}
