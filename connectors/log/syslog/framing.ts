/**
 * Splits a syslog TCP stream into messages (RFC 6587 §3.4). Senders use one of two framings and
 * a stream may even mix them, so each frame is classified by its first byte:
 *
 * - a digit: octet counting, "MSG-LEN SP SYSLOG-MSG" (§3.4.1), the one framing that can carry
 *   any byte, line ends included;
 * - '<' (the start of a PRI): non-transparent framing (§3.4.2), the message ended by a trailer:
 *   LF, CRLF or NUL, the trailers senders are seen to use.
 *
 * Memory is bounded by `maxMessageBytes` per stream whatever the sender does: a frame longer than
 * that is reported once, with its first maxMessageBytes bytes, and the rest of it is skipped
 * without being kept.
 */
import { CR, describeByte, isDigit, LF, NUL, SP } from './bytes.js';

export type FramedItem =
  | { kind: 'message'; bytes: Buffer }
  | { kind: 'error'; reason: string; bytes: Buffer };

export interface SyslogStreamFramerOptions {
  /** The largest message accepted, in bytes, framing excluded. */
  maxMessageBytes: number;
}

/** Enough for any frame a stream can carry; more digits are not an octet count but garbage. */
const MAX_COUNT_DIGITS = 10;

const LT = 0x3c; // '<'

type State =
  /** At the first byte of a frame. */
  | { kind: 'between' }
  /** Reading the MSG-LEN of an octet-counted frame. */
  | { kind: 'count'; digits: number[] }
  /** Reading the MSG-LEN bytes of an octet-counted frame, keeping at most maxMessageBytes. */
  | { kind: 'counted'; length: number; kept: Buffer[]; keptBytes: number }
  /** Dropping the rest of an oversize octet-counted frame. */
  | { kind: 'skip-counted'; remaining: number }
  /** Reading a frame up to its trailer; `garbage` says why it will be an error, not a message. */
  | { kind: 'line'; kept: Buffer[]; keptBytes: number; garbage: string | undefined }
  /** Dropping the rest of an oversize trailer-ended frame, up to and including its trailer. */
  | { kind: 'skip-line' };

/**
 * One per TCP connection. The items it returns own their bytes (copies), so the chunks pushed in
 * can be let go of.
 */
export class SyslogStreamFramer {
  private readonly max: number;
  private state: State = { kind: 'between' };

  constructor(options: SyslogStreamFramerOptions) {
    if (!Number.isInteger(options.maxMessageBytes) || options.maxMessageBytes < 1) {
      throw new RangeError(`maxMessageBytes must be a positive integer, not ${options.maxMessageBytes}`);
    }
    this.max = options.maxMessageBytes;
  }

  /** Feeds the next chunk of the stream; returns the frames it completes, in order. */
  push(chunk: Buffer): FramedItem[] {
    const items: FramedItem[] = [];
    const trailers = new TrailerFinder(chunk);
    let position = 0;
    while (position < chunk.length) {
      const state = this.state;
      switch (state.kind) {
        case 'between':
          position = this.startFrame(chunk, position);
          break;
        case 'count':
          position = this.readCount(state, chunk, position, items);
          break;
        case 'counted':
          position = this.readCounted(state, chunk, position, items);
          break;
        case 'skip-counted': {
          const skipped = Math.min(state.remaining, chunk.length - position);
          state.remaining -= skipped;
          position += skipped;
          if (state.remaining === 0) this.state = { kind: 'between' };
          break;
        }
        case 'line':
          position = this.readLine(state, chunk, position, trailers, items);
          break;
        case 'skip-line': {
          const trailer = trailers.next(position);
          if (trailer === -1) return items;
          this.state = { kind: 'between' };
          position = trailer + 1;
          break;
        }
      }
    }
    return items;
  }

  /**
   * The stream ended (the sender closed it). A frame the sender did not end with a trailer is
   * still a message: many close the connection right after their last one. An octet-counted
   * frame cut short is an error, since its MSG-LEN says it is incomplete.
   */
  end(): FramedItem[] {
    const state = this.state;
    this.state = { kind: 'between' };
    switch (state.kind) {
      case 'count':
        return [
          error(
            `the stream ended inside the octet count "${String.fromCharCode(...state.digits)}"`,
            Buffer.from(state.digits.slice(0, this.max)),
          ),
        ];
      case 'counted':
        return [
          error(
            `the stream ended after ${state.keptBytes} of the ${state.length} bytes of an octet-counted frame`,
            Buffer.concat(state.kept),
          ),
        ];
      case 'line': {
        let bytes = Buffer.concat(state.kept);
        // A CR at the very end is what is left of a CRLF cut short: not part of the message.
        if (bytes.at(-1) === CR) bytes = bytes.subarray(0, -1);
        return bytes.length === 0 ? [] : [this.lineItem(bytes, state.garbage)];
      }
      default:
        return [];
    }
  }

  /** Classifies a frame by its first byte (see the module comment); consumes nothing else. */
  private startFrame(chunk: Buffer, position: number): number {
    const byte = chunk[position]!;
    if (byte === LF || byte === NUL) return position + 1; // an empty frame: a stray trailer
    if (isDigit(byte)) this.state = { kind: 'count', digits: [] };
    else if (byte === LT) this.state = { kind: 'line', kept: [], keptBytes: 0, garbage: undefined };
    else {
      const garbage = `frame starts with ${describeByte(byte)}, neither a digit (octet counting, RFC 6587 §3.4.1) nor "<" (non-transparent framing, §3.4.2)`;
      this.state = { kind: 'line', kept: [], keptBytes: 0, garbage };
    }
    return position;
  }

  private readCount(
    state: Extract<State, { kind: 'count' }>,
    chunk: Buffer,
    start: number,
    items: FramedItem[],
  ): number {
    let position = start;
    while (position < chunk.length) {
      const byte = chunk[position]!;
      if (byte === SP) {
        // Leading zeros ("05 ") are read as the number they spell; RFC 6587 §3.4.1 starts
        // MSG-LEN with NONZERO-DIGIT, but nothing is ambiguous about them.
        const length = Number(String.fromCharCode(...state.digits));
        if (length === 0) {
          items.push(error('octet-counted frame with MSG-LEN 0: an empty message', Buffer.alloc(0)));
          this.state = { kind: 'between' };
        } else {
          this.state = { kind: 'counted', length, kept: [], keptBytes: 0 };
        }
        return position + 1;
      }
      if (!isDigit(byte) || state.digits.length === MAX_COUNT_DIGITS) {
        // Not an octet count after all: read it as a line, the only way to find where it ends.
        const digits = String.fromCharCode(...state.digits);
        const garbage = isDigit(byte)
          ? `frame starts with more than ${MAX_COUNT_DIGITS} digits: not an octet count (RFC 6587 §3.4.1)`
          : `frame starts with "${digits}" then ${describeByte(byte)}: neither an octet count "MSG-LEN SP" (RFC 6587 §3.4.1) nor "<" (non-transparent framing, §3.4.2)`;
        this.state = {
          kind: 'line',
          kept: [Buffer.from(state.digits)],
          keptBytes: state.digits.length,
          garbage,
        };
        return position;
      }
      state.digits.push(byte);
      position += 1;
    }
    return position;
  }

  private readCounted(
    state: Extract<State, { kind: 'counted' }>,
    chunk: Buffer,
    start: number,
    items: FramedItem[],
  ): number {
    const keepLimit = Math.min(state.length, this.max);
    const taken = Math.min(keepLimit - state.keptBytes, chunk.length - start);
    const piece = chunk.subarray(start, start + taken);
    state.keptBytes += taken;
    if (state.keptBytes < keepLimit) {
      // Copied: a view would keep the whole chunk in memory while the frame is incomplete.
      state.kept.push(Buffer.from(piece));
      return start + taken;
    }
    const bytes = Buffer.concat([...state.kept, piece]);
    if (state.length <= this.max) {
      items.push({ kind: 'message', bytes });
      this.state = { kind: 'between' };
    } else {
      items.push(
        error(
          `octet-counted frame of ${state.length} bytes is larger than maxMessageBytes (${this.max}); its first ${this.max} bytes are kept, the rest skipped`,
          bytes,
        ),
      );
      this.state = { kind: 'skip-counted', remaining: state.length - this.max };
    }
    return start + taken;
  }

  private readLine(
    state: Extract<State, { kind: 'line' }>,
    chunk: Buffer,
    start: number,
    trailers: TrailerFinder,
    items: FramedItem[],
  ): number {
    const trailer = trailers.next(start);
    if (trailer === -1) {
      const piece = chunk.subarray(start);
      const total = state.keptBytes + piece.length;
      // One byte over is still fine when it is a CR: the LF of a CRLF may come in the next chunk.
      if (total > this.max && !(total === this.max + 1 && piece.at(-1) === CR)) {
        // kept may already hold max + 1 bytes (a CR), or digits beyond a tiny max: cut to max.
        const bytes = Buffer.concat([
          ...state.kept,
          piece.subarray(0, Math.max(0, this.max - state.keptBytes)),
        ]).subarray(0, this.max);
        items.push(error(state.garbage ?? this.lineTooLong(), bytes));
        this.state = { kind: 'skip-line' };
      } else {
        state.kept.push(Buffer.from(piece));
        state.keptBytes = total;
      }
      return chunk.length;
    }
    let bytes = Buffer.concat([...state.kept, chunk.subarray(start, trailer)]);
    if (chunk[trailer] === LF && bytes.at(-1) === CR) bytes = bytes.subarray(0, -1);
    this.state = { kind: 'between' };
    // A line that is only a CR is the CRLF some senders put after an octet-counted frame.
    if (bytes.length > 0) items.push(this.lineItem(bytes, state.garbage));
    return trailer + 1;
  }

  /** A complete trailer-ended frame: a message, or an error when it is garbage or too long. */
  private lineItem(bytes: Buffer, garbage: string | undefined): FramedItem {
    if (bytes.length > this.max) {
      return error(garbage ?? this.lineTooLong(), Buffer.from(bytes.subarray(0, this.max)));
    }
    return garbage === undefined ? { kind: 'message', bytes } : error(garbage, bytes);
  }

  private lineTooLong(): string {
    return `frame is longer than maxMessageBytes (${this.max}); its first ${this.max} bytes are kept, the rest up to the next line end skipped`;
  }
}

function error(reason: string, bytes: Buffer): FramedItem {
  return { kind: 'error', reason, bytes };
}

/**
 * Finds the next trailer (LF or NUL) in one chunk. It remembers where the next of each is, so a
 * chunk holding many short lines is scanned once, not once per line.
 */
class TrailerFinder {
  /** -2: not searched yet; -1: none left in the chunk. */
  private nextLf = -2;
  private nextNul = -2;

  constructor(private readonly chunk: Buffer) {}

  next(from: number): number {
    if (this.nextLf !== -1 && this.nextLf < from) this.nextLf = this.chunk.indexOf(LF, from);
    if (this.nextNul !== -1 && this.nextNul < from) this.nextNul = this.chunk.indexOf(NUL, from);
    if (this.nextLf === -1) return this.nextNul;
    if (this.nextNul === -1) return this.nextLf;
    return Math.min(this.nextLf, this.nextNul);
  }
}
