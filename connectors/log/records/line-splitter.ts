import type { Entry } from './entry.js';
import { utf8CutPoint } from './utf8.js';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Cuts the bytes of a file into lines, at exact file offsets. A line ends at '\n'; a CR before it
 * is not part of the text (the offsets still count it). Empty lines give no entry: log shippers
 * skip them, and their bytes need no record to be covered.
 *
 * A line longer than maxLineBytes keeps only its first maxLineBytes bytes (backed off to a
 * character boundary) and the rest is counted without being buffered, so memory stays bounded by
 * maxLineBytes however long the line is. The unfinished line at the end of the bytes read so far
 * is held until its newline arrives, or until flushUnfinished gives it up as a line of its own.
 *
 * Works on Buffers and decodes each line once, straight from the chunk when it lies in one: this
 * is the hot path of every log file.
 */
export class LineSplitter {
  /** File offset just past the last byte pushed. */
  private position: number;
  /** File offset where the unfinished line starts (the position when there is none). */
  private lineStart: number;
  /** The unfinished line's first bytes (at most maxLineBytes), copied: callers may reuse chunk buffers. */
  private kept: Buffer[] = [];
  private keptBytes = 0;
  /** Bytes of the unfinished line read so far, kept or skipped. */
  private lineBytes = 0;
  /** The unfinished line's last byte: a CR just before the newline is not text, even when skipped. */
  private lastByte = -1;
  private lastBytesAt = 0;

  constructor(
    private readonly maxLineBytes: number,
    private readonly keepRawBytes: boolean,
    startOffset: number,
  ) {
    this.position = startOffset;
    this.lineStart = startOffset;
  }

  /** Where the unfinished line starts, or the position after the last byte when there is none. */
  get unfinishedLineStart(): number {
    return this.lineStart;
  }

  get hasUnfinishedLine(): boolean {
    return this.lineBytes > 0;
  }

  /** Bytes of the unfinished line held in memory: never more than maxLineBytes. */
  get bufferedBytes(): number {
    return this.keptBytes;
  }

  /** When the last bytes arrived (the `now` of the last non-empty push). */
  get idleSince(): number {
    return this.lastBytesAt;
  }

  /** Appends the lines the chunk completes to `out`; the chunk continues where the previous one ended. */
  push(chunk: Buffer, now: number, out: Entry[]): void {
    if (chunk.length === 0) return;
    const base = this.position;
    this.position += chunk.length;
    this.lastBytesAt = now;
    let from = 0;
    let newline = chunk.indexOf(NEWLINE, 0);
    while (newline !== -1) {
      const end = base + newline + 1;
      if (this.lineBytes === 0) this.emitWhole(chunk, from, newline, end, out);
      else this.emitHeld(chunk, from, newline, end, out);
      this.lineStart = end;
      from = newline + 1;
      newline = chunk.indexOf(NEWLINE, from);
    }
    if (from < chunk.length) this.hold(chunk, from);
  }

  /**
   * Gives up waiting for the unfinished line's newline: returns it as a line ending at the current
   * position, and bytes pushed later start a new line there.
   */
  flushUnfinished(): Entry | undefined {
    if (this.lineBytes === 0) return undefined;
    const length = this.lineBytes - (this.lastByte === CARRIAGE_RETURN ? 1 : 0);
    const entry = this.lineEntry(this.takeKept(), 0, length, this.lineStart, this.position);
    this.lineStart = this.position;
    return entry;
  }

  /** A line that lies entirely in this chunk: decoded straight from it, nothing copied. */
  private emitWhole(chunk: Buffer, from: number, newline: number, end: number, out: Entry[]): void {
    const contentEnd = newline > from && chunk[newline - 1] === CARRIAGE_RETURN ? newline - 1 : newline;
    const entry = this.lineEntry(chunk, from, contentEnd - from, this.lineStart, end);
    if (entry !== undefined) out.push(entry);
  }

  /** The held line, completed by chunk[from, newline). */
  private emitHeld(chunk: Buffer, from: number, newline: number, end: number, out: Entry[]): void {
    const tail = newline - from;
    const last = tail > 0 ? chunk[newline - 1]! : this.lastByte;
    const length = this.lineBytes + tail - (last === CARRIAGE_RETURN ? 1 : 0);
    const take = Math.min(Math.max(this.maxLineBytes - this.keptBytes, 0), tail);
    if (take > 0) {
      // Used right away, so no copy is needed.
      this.kept.push(chunk.subarray(from, from + take));
      this.keptBytes += take;
    }
    const entry = this.lineEntry(this.takeKept(), 0, length, this.lineStart, end);
    if (entry !== undefined) out.push(entry);
  }

  /** Holds chunk[from..] as the start (or more) of the unfinished line, keeping at most maxLineBytes. */
  private hold(chunk: Buffer, from: number): void {
    const available = chunk.length - from;
    const take = Math.min(Math.max(this.maxLineBytes - this.keptBytes, 0), available);
    if (take > 0) {
      this.kept.push(Buffer.from(chunk.subarray(from, from + take)));
      this.keptBytes += take;
    }
    this.lineBytes += available;
    this.lastByte = chunk[chunk.length - 1]!;
  }

  /** The held bytes as one Buffer; the splitter then holds nothing. */
  private takeKept(): Buffer {
    const bytes = this.kept.length === 1 ? this.kept[0]! : Buffer.concat(this.kept, this.keptBytes);
    this.kept = [];
    this.keptBytes = 0;
    this.lineBytes = 0;
    this.lastByte = -1;
    return bytes;
  }

  /**
   * The entry for a line of `length` bytes starting at bytes[from] (bytes holds at least
   * min(length, maxLineBytes) of them); undefined for an empty line.
   */
  private lineEntry(
    bytes: Buffer,
    from: number,
    length: number,
    offset: number,
    end: number,
  ): Entry | undefined {
    if (length === 0) return undefined;
    if (length <= this.maxLineBytes) return this.entry(bytes, from, from + length, offset, end, undefined);
    const cut = utf8CutPoint(bytes, from, from + this.maxLineBytes);
    return this.entry(bytes, from, cut, offset, end, length);
  }

  private entry(
    bytes: Buffer,
    from: number,
    to: number,
    offset: number,
    end: number,
    originalBytes: number | undefined,
  ): Entry {
    return {
      offset,
      end,
      text: bytes.toString('utf8', from, to),
      // A copy: the record outlives the chunk, whose buffer the caller may reuse.
      bytes: this.keepRawBytes ? new Uint8Array(bytes.subarray(from, to)) : undefined,
      originalBytes,
      stream: undefined,
      runtimeTime: undefined,
      unwrapError: undefined,
    };
  }
}
