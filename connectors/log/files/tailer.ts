import type { FileHandle } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { CloudEvent } from '../../../broker/cloudevents/event.js';
import type { ConnectorCheckpoint, MalformedMessage } from '../../../broker/ports/connector.js';
import type { RecordPipeline } from '../records/pipeline.js';
import type { LogRecord } from '../records/record.js';
import { encodeCheckpoint, type FileCheckpoint } from './checkpoint.js';
import {
  extendFingerprint,
  FINGERPRINT_BYTES,
  type FileIdentity,
  inodeKey,
  sameContentStart,
} from './identity.js';

/** Bytes read per call: one chunk's records are committed together (one store transaction). */
const CHUNK_BYTES = 256 * 1024;

/** What a tailer needs from the Source around it. */
export interface TailerHost {
  /** One record as a CloudEvent; throws when it cannot be one (a template names a missing field). */
  toEvent(record: LogRecord, origin: { path: string; idBase: string }): CloudEvent;
  /**
   * Stores events (or a dead letter) with checkpoints, retrying while the store is unavailable;
   * rejects with `StoppedError` when the Source stops first (nothing stored), or with the
   * BrokerError of events that can never be stored as they are (`schema_violation`).
   */
  store(
    what: { events: readonly CloudEvent[] } | { deadLetter: MalformedMessage },
    checkpoints: readonly ConnectorCheckpoint[],
  ): Promise<void>;
  /** For debug lines: what each read and commit did. */
  log: Logger;
  /** The file shrank or its first bytes changed (a copy-truncate): it stopped reading; scan now. */
  truncated(tailer: FileTailer): void;
  /** Schedules a call of `tailer.onDeadline()` at `at` (ms since the epoch). */
  wakeAt(tailer: FileTailer, at: number): void;
}

/** Thrown into a tailer's work when its Source stops: nothing more is stored. */
export class StoppedError extends Error {
  constructor() {
    super('the log Source stopped');
  }
}

/**
 * Reads one file (one identity: device, inode, first bytes) from its committed offset, through a
 * record pipeline, into the store: every chunk's records are committed in one transaction with
 * the offset reading resumes from, so a crash at any point loses no line and stores none twice.
 * All work on the file runs one step at a time (`serial`), in file order.
 */
export class FileTailer {
  key: string;
  path: string;
  identity: FileIdentity;
  readonly idBase: string;
  /** Bytes read so far (the next read starts here); at or after the committed offset. */
  readOffset: number;
  /** What the store holds for this file. */
  private committed: { offset: number; emitted: Set<number> };
  private chain: Promise<void> = Promise.resolve();
  /** The key this file had before a copy-truncate moved it (rehome): forgotten at the next commit. */
  private formerKey: string | undefined;
  /** When a scan last failed to find the file at any path (it was renamed away or deleted). */
  missingSince: number | undefined;
  private closed = false;

  constructor(
    private handle: FileHandle,
    start: FileCheckpoint,
    private readonly pipeline: RecordPipeline,
    private readonly host: TailerHost,
  ) {
    this.key = inodeKey(start.dev, start.ino);
    this.path = start.path;
    this.identity = {
      dev: start.dev,
      ino: start.ino,
      fingerprint: start.fingerprint,
      fingerprintBytes: start.fingerprintBytes,
    };
    this.idBase = start.idBase;
    this.readOffset = start.offset;
    this.committed = { offset: start.offset, emitted: new Set(start.emitted) };
  }

  get fileHandle(): FileHandle {
    return this.handle;
  }

  /**
   * Copy-truncate: the file was copied to `handle` (another inode with the same first bytes),
   * then emptied. Reading goes on in the copy from where it stood, with the same ids, and the
   * checkpoint moves to the copy's key at the next commit.
   */
  rehome(handle: FileHandle, dev: number, ino: number, path: string): Promise<void> {
    return this.serial(async () => {
      const old = this.handle;
      this.handle = handle;
      this.formerKey = this.key;
      this.key = inodeKey(dev, ino);
      this.identity = { ...this.identity, dev, ino };
      this.path = path;
      await old.close().catch(() => {});
    });
  }

  /** Reads what was appended since the last read, to the end of the file. */
  readAvailable(): Promise<void> {
    return this.serial(() => this.drain());
  }

  /** A record held for its idle timeout (a partial line, a multi-line record) may be due. */
  onDeadline(): Promise<void> {
    return this.serial(async () => {
      await this.commit(this.pipeline.flushIdle(Date.now()));
    });
  }

  /**
   * The file is done (rotated away, or deleted, and read to its end): emits what is held and
   * forgets the file's checkpoint in the same transaction, then closes it.
   */
  finish(options: { readToEnd?: boolean } = {}): Promise<void> {
    return this.serial(async () => {
      // A truncated file is not read on: its bytes from here on are another file's.
      if (options.readToEnd !== false) await this.drain();
      await this.commit(this.pipeline.flushAll(), { forget: true });
      await this.close();
    });
  }

  /** The checkpoint as committed so far (where `startAt` put a file at the Source's first start). */
  currentCheckpoint(): Promise<ConnectorCheckpoint[]> {
    return this.checkpointValue(this.committed.offset, this.committed.emitted);
  }

  /** Stops without storing more: what was not committed is read again after a restart. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close().catch(() => {});
  }

  /** Waits for the work under way (after `close`, to let a stop finish cleanly). */
  settled(): Promise<void> {
    return this.chain;
  }

  private serial(step: () => Promise<void>): Promise<void> {
    const run = this.chain.then(() => (this.closed ? undefined : step()));
    // The chain itself never rejects, so one failed step does not poison the next.
    this.chain = run.catch(() => {});
    return run;
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      const { bytesRead } = await this.handle.read(buffer, 0, CHUNK_BYTES, this.readOffset);
      if (bytesRead === 0) break;
      // A writer may refill a copy-truncated file past our offset before a scan notices: bytes
      // read there are another file's, cut mid-line, and the copy's lines after the offset would
      // be lost. So a chunk counts only if the file still starts with its first bytes after the
      // read: a truncation before the read shows then; one after it left the chunk intact.
      if (!(await this.stillTheSameFile())) {
        this.host.truncated(this);
        return;
      }
      const records = this.pipeline.push(buffer.subarray(0, bytesRead), Date.now());
      this.host.log.debug(
        { file: this.path, offset: this.readOffset, bytes: bytesRead, records: records.length },
        'log file read',
      );
      this.readOffset += bytesRead;
      await this.commit(records);
      if (bytesRead < CHUNK_BYTES) break;
    }
    const deadline = this.pipeline.nextDeadline();
    if (deadline !== undefined) this.host.wakeAt(this, deadline);
  }

  private async stillTheSameFile(): Promise<boolean> {
    try {
      return await sameContentStart(this.handle, this.identity);
    } catch {
      return false;
    }
  }

  /**
   * Stores the records (minus those a previous run stored already) with the new resume offset.
   * A record that cannot become an event, or whose event an EventSchema refuses, is kept in the
   * dead-letter list instead, in order, each with a checkpoint that counts it as stored.
   */
  private async commit(records: readonly LogRecord[], options: { forget?: boolean } = {}): Promise<void> {
    const fresh = records.filter((r) => !this.committed.emitted.has(r.offset));
    const events: { record: LogRecord; event: CloudEvent }[] = [];
    for (const record of fresh) {
      try {
        events.push({ record, event: this.host.toEvent(record, this) });
      } catch (err) {
        await this.storeOne(record, { deadLetter: this.malformed(record, (err as Error).message) });
      }
    }
    const offset = Math.max(this.committed.offset, this.pipeline.resumeOffset);
    const emitted = new Set([...this.committed.emitted, ...events.map((e) => e.record.offset)]);
    for (const o of emitted) if (o < offset) emitted.delete(o);
    if (!options.forget && events.length === 0 && offset === this.committed.offset) return;
    const checkpoints = options.forget ? this.forgetAll() : await this.checkpointValue(offset, emitted);
    try {
      await this.host.store({ events: events.map((e) => e.event) }, checkpoints);
    } catch (err) {
      if (err instanceof StoppedError || events.length === 0) throw err;
      // An EventSchema refused one of them: store one by one, the refused ones as dead letters.
      for (const { record, event } of events) {
        try {
          await this.storeOne(record, { events: [event] });
        } catch (one) {
          if (one instanceof StoppedError) throw one;
          await this.storeOne(record, { deadLetter: this.malformed(record, (one as Error).message) });
        }
      }
      await this.host.store(
        { events: [] },
        options.forget ? this.forgetAll() : await this.checkpointValue(offset, emitted),
      );
    }
    this.committed = { offset, emitted };
    this.host.log.debug({ file: this.path, offset, events: events.length }, 'log file position committed');
    this.formerKey = undefined;
  }

  /** Stores one record's outcome with a checkpoint that counts it among the stored. */
  private async storeOne(
    record: LogRecord,
    what: { events: readonly CloudEvent[] } | { deadLetter: MalformedMessage },
  ): Promise<void> {
    const emitted = new Set(this.committed.emitted).add(record.offset);
    await this.host.store(what, await this.checkpointValue(this.committed.offset, emitted));
    this.committed.emitted.add(record.offset);
  }

  private malformed(record: LogRecord, reason: string): MalformedMessage {
    return {
      reason,
      payload: record.bytes ?? Buffer.from(record.line, 'utf8'),
      origin: { file: this.path, offset: record.offset },
    };
  }

  private forgetAll(): ConnectorCheckpoint[] {
    const out: ConnectorCheckpoint[] = [{ key: this.key, value: null }];
    if (this.formerKey !== undefined) out.push({ key: this.formerKey, value: null });
    return out;
  }

  private async checkpointValue(
    offset: number,
    emitted: ReadonlySet<number>,
  ): Promise<ConnectorCheckpoint[]> {
    // A fingerprint taken while the file was short grows with it (identity.ts).
    if (
      this.identity.fingerprintBytes < FINGERPRINT_BYTES &&
      this.readOffset > this.identity.fingerprintBytes
    ) {
      const longer = await extendFingerprint(this.handle, this.identity, this.readOffset);
      if (longer) this.identity = { ...this.identity, ...longer };
    }
    const value: FileCheckpoint = {
      ...this.identity,
      path: this.path,
      idBase: this.idBase,
      offset,
      emitted: [...emitted].sort((a, b) => a - b),
    };
    const out: ConnectorCheckpoint[] = [{ key: this.key, value: encodeCheckpoint(value) }];
    if (this.formerKey !== undefined) out.push({ key: this.formerKey, value: null });
    return out;
  }
}
