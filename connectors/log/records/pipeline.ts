import { ContainerUnwrapper } from './container-unwrapper.js';
import { NOT_CRI, parseCriLine } from './cri-line.js';
import { NOT_DOCKER, parseDockerLine } from './docker-line.js';
import type { Entry } from './entry.js';
import { LineSplitter } from './line-splitter.js';
import { MultilineJoiner } from './multiline-joiner.js';
import { OrderedRelease } from './ordered-release.js';
import type { LogRecord } from './record.js';
import { RecordBuilder } from './record-builder.js';
import { type RecordPipelineSettings, validateSettings } from './settings.js';

/**
 * Past this many finished records waiting behind an unfinished one (a partial run or multi-line
 * record of another stream that never ends), the unfinished ones are given up as they are, so
 * memory stays bounded even if flushIdle is not called.
 */
const MAX_WAITING_RECORDS = 10_000;

/**
 * Turns the bytes of one log file into records, and knows at every moment where reading must
 * resume after a crash (resumeOffset) so that a fresh pipeline started there over the rest of the
 * file emits exactly the records not emitted yet, at the same offsets.
 *
 * Stages: LineSplitter (bytes to lines), ContainerUnwrapper (cri/docker: unwrap and join partial
 * messages), MultilineJoiner (join continuation lines), RecordBuilder (parse, time),
 * OrderedRelease (emit in offset order without overtaking anything unfinished).
 *
 * Time is only ever a parameter (`now`, in milliseconds), so every behaviour is testable.
 *
 * Giving up on something unfinished (an idle timeout, flushAll, too many records waiting) gives up
 * every unfinished record that overlaps it too, and a record's later lines then start a new
 * record: that keeps what is held exactly what a fresh pipeline would hold after re-reading from
 * the resume offset.
 */
export class RecordPipeline {
  private readonly splitter: LineSplitter;
  private readonly unwrapper: ContainerUnwrapper | undefined;
  private readonly multiline: MultilineJoiner | undefined;
  private readonly builder: RecordBuilder;
  private readonly release = new OrderedRelease();
  private readonly partialLineTimeoutMs: number;
  private readonly multilineTimeoutMs: number;
  /** Scratch arrays, reused so that a push allocates no arrays per line. */
  private readonly lines: Entry[] = [];
  private readonly joined: Entry[] = [];
  private lastNow = 0;

  /** Throws when validateSettings finds a problem. */
  constructor(settings: RecordPipelineSettings, startOffset: number) {
    const problems = validateSettings(settings);
    if (problems.length > 0) throw new Error(`invalid log record settings: ${problems.join('; ')}`);
    if (!Number.isSafeInteger(startOffset) || startOffset < 0)
      throw new Error(`startOffset must be a byte offset, not ${startOffset}`);
    const { maxLineBytes } = settings;
    this.splitter = new LineSplitter(maxLineBytes, settings.encoding === 'binary', startOffset);
    if (settings.format === 'cri')
      this.unwrapper = new ContainerUnwrapper(parseCriLine, NOT_CRI, maxLineBytes);
    else if (settings.format === 'docker')
      this.unwrapper = new ContainerUnwrapper(parseDockerLine, NOT_DOCKER, maxLineBytes);
    if (settings.multiline !== undefined)
      this.multiline = new MultilineJoiner(settings.multiline, maxLineBytes);
    this.builder = new RecordBuilder(settings);
    this.partialLineTimeoutMs = settings.partialLineTimeoutMs;
    this.multilineTimeoutMs = settings.multiline?.timeoutMs ?? 0;
  }

  /** Bytes read from the file, starting exactly where the previous chunk ended. */
  push(chunk: Uint8Array, now: number): LogRecord[] {
    this.lastNow = now;
    const lines = this.lines;
    this.splitter.push(asBuffer(chunk), now, lines);
    for (const line of lines) this.accept(line, now);
    lines.length = 0;
    const records = this.released();
    if (this.release.size <= MAX_WAITING_RECORDS) return records;
    this.giveUpBefore(Number.POSITIVE_INFINITY, now);
    this.release.releaseBefore(this.frontier(), records);
    return records;
  }

  /**
   * Emits what has waited too long: the unfinished last line after partialLineTimeoutMs without
   * new bytes (with everything else held, since it is the newest line), a partial run idle as
   * long, a multi-line record idle for multiline.timeoutMs.
   */
  flushIdle(now: number): LogRecord[] {
    this.lastNow = now;
    if (this.splitter.hasUnfinishedLine && now >= this.splitter.idleSince + this.partialLineTimeoutMs) {
      this.flushEverything(now);
    } else {
      const dueEnd = Math.max(
        this.unwrapper?.dueEnd(now, this.partialLineTimeoutMs) ?? Number.NEGATIVE_INFINITY,
        this.multiline?.dueEnd(now, this.multilineTimeoutMs) ?? Number.NEGATIVE_INFINITY,
      );
      if (dueEnd > Number.NEGATIVE_INFINITY) this.giveUpBefore(dueEnd, now);
    }
    return this.released();
  }

  /**
   * Everything held, as records: the unfinished last line, open partial runs and multi-line
   * records. For a file rotated away and read to its end, or a source stopped for good; not for an
   * ordinary shutdown, after which the held bytes are simply read again from resumeOffset. The
   * pipeline stays usable: bytes pushed later start a new line.
   */
  flushAll(): LogRecord[] {
    this.flushEverything(this.lastNow);
    return this.released();
  }

  /** Where reading must resume after a crash: the oldest byte not yet in an emitted record. */
  get resumeOffset(): number {
    return Math.min(this.release.oldestOffset, this.frontier(), this.splitter.unfinishedLineStart);
  }

  /** When flushIdle should next be called, or undefined when nothing waits for time. */
  nextDeadline(): number | undefined {
    const deadline = Math.min(
      this.splitter.hasUnfinishedLine
        ? this.splitter.idleSince + this.partialLineTimeoutMs
        : Number.POSITIVE_INFINITY,
      this.unwrapper?.nextDeadline(this.partialLineTimeoutMs) ?? Number.POSITIVE_INFINITY,
      this.multiline?.nextDeadline(this.multilineTimeoutMs) ?? Number.POSITIVE_INFINITY,
    );
    return deadline === Number.POSITIVE_INFINITY ? undefined : deadline;
  }

  /** Bytes of the unfinished line held in memory: at most maxLineBytes, however long the line. */
  get bufferedLineBytes(): number {
    return this.splitter.bufferedBytes;
  }

  /** The finished records that may now be emitted. */
  private released(): LogRecord[] {
    const out: LogRecord[] = [];
    this.release.releaseBefore(this.frontier(), out);
    return out;
  }

  private accept(line: Entry, now: number): void {
    const entry = this.unwrapper === undefined ? line : this.unwrapper.unwrap(line, now);
    if (entry !== undefined) this.join(entry, now);
  }

  private join(entry: Entry, now: number): void {
    if (this.multiline === undefined) {
      this.finish(entry);
      return;
    }
    const joined = this.joined;
    this.multiline.add(entry, now, joined);
    for (const record of joined) this.finish(record);
    joined.length = 0;
  }

  /**
   * Every record goes through the release queue, even when nothing is held: records given up
   * together (giveUpBefore) finish in no particular order, and only the queue puts them in order.
   */
  private finish(entry: Entry): void {
    this.release.add(this.builder.build(entry));
  }

  /** Offset of the oldest open partial run or multi-line record, or Infinity. */
  private frontier(): number {
    return Math.min(
      this.unwrapper?.oldestStart() ?? Number.POSITIVE_INFINITY,
      this.multiline?.oldestStart() ?? Number.POSITIVE_INFINITY,
    );
  }

  private flushEverything(now: number): void {
    const line = this.splitter.flushUnfinished();
    if (line !== undefined) this.accept(line, now);
    this.giveUpBefore(Number.POSITIVE_INFINITY, now);
  }

  /**
   * Completes, as they are, the open runs and multi-line records starting before `threshold`, and
   * then any starting before the end of one completed, and so on. Emitting one of them means
   * emitting everything it overlaps: the resume offset may only pass it once nothing before its end
   * is held.
   */
  private giveUpBefore(threshold: number, now: number): void {
    let limit = threshold;
    const completed: Entry[] = [];
    for (;;) {
      this.unwrapper?.forceBefore(limit, completed);
      const runs = completed.length;
      for (const entry of completed) {
        limit = Math.max(limit, entry.end);
        this.join(entry, now);
      }
      completed.length = 0;
      this.multiline?.forceBefore(limit, completed);
      const groups = completed.length;
      for (const entry of completed) {
        limit = Math.max(limit, entry.end);
        this.finish(entry);
      }
      completed.length = 0;
      if (runs === 0 && groups === 0) return;
    }
  }
}

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
