import type Database from 'better-sqlite3';
import { isStoreFailure } from './sqlite-errors.js';
import { applyWrite, type WriteOp, type WriteResult, type WriteStatements } from './write-ops.js';

/** A write's failure as it crosses back from the writer thread: SQLite's code kept. */
export interface WriteFailure {
  readonly message: string;
  readonly code?: string;
  /** The store cannot commit (full disk, I/O error, damage), rather than this write being wrong. */
  readonly storeFailure: boolean;
}

export interface GroupOutcome {
  /** One per write, in order: its result, or its failure. */
  readonly outcomes: readonly ({ ok: true; value: WriteResult } | { ok: false; failure: WriteFailure })[];
  /** Whether anything was committed (the whole group, or at least one write on its own). */
  readonly committed: boolean;
  readonly seconds: number;
}

/**
 * Commits a group of writes in one transaction (one commit, one fsync with synchronous=full). The
 * common case: every write succeeds, no savepoints. When one fails the transaction rolls back
 * and is run again, still as one, with each write in a savepoint of its own (a nested
 * better-sqlite3 transaction), so a failing write rolls back alone and fails only its caller.
 * Some errors (disk full, I/O) make SQLite roll back the whole transaction: then nothing of the
 * group is stored and every write fails with that error.
 */
export function commitGroup(
  db: Database.Database,
  stmt: WriteStatements,
  ops: readonly WriteOp[],
): GroupOutcome {
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  try {
    const values = db.transaction(() => ops.map((op) => applyWrite(stmt, op)))();
    return { outcomes: values.map((value) => ({ ok: true, value })), committed: true, seconds: seconds() };
  } catch {
    // fall through to the one-savepoint-per-write retry
  }
  const outcomes: GroupOutcome['outcomes'][number][] = new Array(ops.length);
  try {
    db.transaction(() => {
      ops.forEach((op, i) => {
        try {
          outcomes[i] = { ok: true, value: db.transaction(() => applyWrite(stmt, op))() };
        } catch (err) {
          if (!db.inTransaction) throw err;
          outcomes[i] = { ok: false, failure: describeFailure(err) };
        }
      });
    })();
  } catch (err) {
    const failure = describeFailure(err);
    return { outcomes: ops.map(() => ({ ok: false, failure })), committed: false, seconds: seconds() };
  }
  return { outcomes, committed: outcomes.some((o) => o.ok), seconds: seconds() };
}

function describeFailure(err: unknown): WriteFailure {
  const e = err as { message?: string; code?: unknown };
  return {
    message: e?.message ?? String(err ?? 'write failed'),
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    storeFailure: isStoreFailure(err),
  };
}
