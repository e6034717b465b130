import { Worker } from 'node:worker_threads';
import type { GroupOutcome, WriteFailure } from './group-commit.js';
import type { WriteOp, WriteResult } from './write-ops.js';
import type { FromWriter, ToWriter, WriterData } from './writer-protocol.js';

/** A write the writer thread refused, with SQLite's code and whether the store itself failed. */
export class StoreWriteError extends Error {
  readonly code: string | undefined;
  readonly storeFailure: boolean;
  constructor(failure: WriteFailure) {
    super(failure.message);
    this.name = 'StoreWriteError';
    this.code = failure.code;
    this.storeFailure = failure.storeFailure;
  }
}

interface QueuedWrite {
  readonly op: WriteOp;
  resolve(value: WriteResult): void;
  reject(error: unknown): void;
}

export interface WriterClientOptions {
  readonly file: string;
  readonly synchronous: 'full' | 'normal';
  /** Called after each group: how many writes, whether anything was committed, how long it took, and why not. */
  readonly onGroup: (writes: number, outcome: GroupOutcome) => void;
}

/** How long a synchronous close waits for the writer to commit what was sent and close. */
const CLOSE_WAIT_MS = 30_000;

/**
 * The main thread's side of the writer thread (writer-thread.ts): queues writes and sends them
 * as groups, one group in flight at a time. While a group is being committed, the writes that
 * arrive meanwhile gather into the next, so the group grows with the load by itself (one commit
 * for everything that came during the previous one), and a lone write goes at the end of its
 * event-loop turn. Each write's promise settles once the writer answered for its group.
 */
export class WriterClient {
  private worker: Worker;
  private readonly closedFlag = new Int32Array(new SharedArrayBuffer(4));
  private queue: QueuedWrite[] = [];
  private inFlight: { id: number; writes: QueuedWrite[] } | undefined;
  private nextId = 1;
  private sendScheduled = false;
  private closed = false;

  constructor(private readonly options: WriterClientOptions) {
    this.worker = this.startWorker();
  }

  /** Queues a write for the next group; resolves once that group is committed. */
  write(op: WriteOp): Promise<WriteResult> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      if (!this.inFlight && !this.sendScheduled) {
        this.sendScheduled = true;
        // setImmediate runs after the I/O callbacks of this turn: every request parsed in this
        // turn joins the same group.
        setImmediate(() => {
          this.sendScheduled = false;
          this.send();
        });
      }
    });
  }

  /** Writes queued and not yet answered. */
  get backlog(): number {
    return this.queue.length + (this.inFlight?.writes.length ?? 0);
  }

  /**
   * Sends what is queued, asks the writer to close after it, and waits (blocking, up to 30 s)
   * until it has: the store's `close` is synchronous, and after it the file must be consistent
   * and released. The answers for the last groups still settle their promises afterwards.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.queue.length > 0) {
      const writes = this.queue.splice(0);
      this.post({ type: 'group', id: this.nextId++, ops: writes.map((w) => w.op) }, writes);
    }
    this.worker.postMessage({ type: 'close' } satisfies ToWriter);
    Atomics.wait(this.closedFlag, 0, 0, CLOSE_WAIT_MS);
  }

  private send(): void {
    if (this.inFlight || this.queue.length === 0) return;
    const writes = this.queue;
    this.queue = [];
    this.post({ type: 'group', id: this.nextId++, ops: writes.map((w) => w.op) }, writes);
  }

  private pendingGroups = new Map<number, QueuedWrite[]>();

  private post(message: Extract<ToWriter, { type: 'group' }>, writes: QueuedWrite[]): void {
    this.pendingGroups.set(message.id, writes);
    this.inFlight = { id: message.id, writes };
    this.worker.ref(); // an answer is owed: keep the process alive for it
    this.worker.postMessage(message);
  }

  private answered(message: FromWriter): void {
    const writes = this.pendingGroups.get(message.id);
    if (!writes) return;
    this.pendingGroups.delete(message.id);
    if (this.inFlight?.id === message.id) this.inFlight = undefined;
    this.options.onGroup(writes.length, message.outcome);
    message.outcome.outcomes.forEach((outcome, i) => {
      const write = writes[i]!;
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(new StoreWriteError(outcome.failure));
    });
    if (this.pendingGroups.size === 0) this.worker.unref();
    if (!this.closed) this.send();
  }

  /**
   * The thread entry is this folder's writer-thread module: its compiled .js in a build, or its
   * .ts source when the broker runs from source (the tests), loaded through tsx.
   */
  private startWorker(): Worker {
    const fromSource = import.meta.url.endsWith('.ts');
    const entry = new URL(fromSource ? './writer-thread.ts' : './writer-thread.js', import.meta.url);
    const workerData: WriterData = {
      file: this.options.file,
      synchronous: this.options.synchronous,
      closed: this.closedFlag.buffer as SharedArrayBuffer,
    };
    // From source, a tiny bootstrap loads the .ts entry through tsx's API (a worker does not take
    // the --import flag that loads tsx in the main thread).
    const worker = fromSource
      ? new Worker(
          `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(import.meta.url)}));`,
          { eval: true, workerData },
        )
      : new Worker(entry, { workerData });
    worker.on('message', (message: FromWriter) => this.answered(message));
    worker.on('error', (err) => this.lost(err));
    worker.on('exit', (code) => {
      if (!this.closed) this.lost(new Error(`the store's writer thread exited with code ${code}`));
    });
    worker.unref();
    return worker;
  }

  /**
   * The writer thread died (it should not: SQLite errors are answers, not crashes). Every write
   * sent or queued fails as a store failure, and a new thread takes over for the next writes.
   */
  private lost(err: unknown): void {
    const failure: WriteFailure = { message: (err as Error)?.message ?? String(err), storeFailure: true };
    const writes = [...[...this.pendingGroups.values()].flat(), ...this.queue.splice(0)];
    this.pendingGroups.clear();
    this.inFlight = undefined;
    this.options.onGroup(writes.length, {
      outcomes: writes.map(() => ({ ok: false, failure })),
      committed: false,
      seconds: 0,
    });
    for (const write of writes) write.reject(new StoreWriteError(failure));
    if (!this.closed) {
      this.worker.removeAllListeners();
      this.worker = this.startWorker();
    }
  }
}
