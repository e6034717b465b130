import type Database from 'better-sqlite3';
import type { Checkpoint, DeadLetterRecord, DeliveryPhase } from '../../broker/ports/store.js';
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
  | { readonly kind: 'probe' };

/** What a write returns: the new events' sequence numbers, the events pruned, or nothing. */
export type WriteResult = number[] | number | undefined;

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
  }
}
