import type { GroupOutcome } from './group-commit.js';
import type { WriteOp } from './write-ops.js';

/** What the writer thread is started with. */
export interface WriterData {
  readonly file: string;
  readonly synchronous: 'full' | 'normal';
  /** One Int32 the writer sets to 1 once it closed the database, for a synchronous close. */
  readonly closed: SharedArrayBuffer;
}

/** Main thread -> writer: a group of writes to commit together, or the end. */
export type ToWriter =
  | { readonly type: 'group'; readonly id: number; readonly ops: readonly WriteOp[] }
  | { readonly type: 'close' };

/** Writer -> main thread: how a group went. */
export interface FromWriter {
  readonly type: 'committed';
  readonly id: number;
  readonly outcome: GroupOutcome;
}
