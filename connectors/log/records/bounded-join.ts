import { truncateUtf8, utf8CutPoint } from './utf8.js';

export interface JoinPiece {
  text: string;
  bytes: Uint8Array | undefined;
  originalBytes: number | undefined;
}

export interface JoinedText {
  text: string;
  bytes: Uint8Array | undefined;
  /** Set when the result was cut (here, or in a piece): the full length in bytes. */
  originalBytes: number | undefined;
}

/**
 * Joins the pieces of one record (a container's partial messages, the lines of a multi-line
 * record) under the same cap as a line: pieces past maxBytes are counted, not kept, so a runaway
 * stack trace or an endless partial run cannot grow memory. With raw bytes (encoding binary) the
 * bytes are joined and the text decoded from them, so text and bytes always agree.
 */
export class BoundedJoin {
  private readonly texts: string[] = [];
  private readonly raw: Uint8Array[] = [];
  private pieces = 0;
  private keptBytes = 0;
  private fullBytes = 0;
  private cut = false;

  constructor(
    private readonly maxBytes: number,
    private readonly separator: '' | '\n',
  ) {}

  add(piece: JoinPiece): void {
    const separatorBytes = this.pieces === 0 ? 0 : this.separator.length;
    const size = piece.bytes?.length ?? Buffer.byteLength(piece.text);
    this.pieces++;
    this.fullBytes += separatorBytes + (piece.originalBytes ?? size);
    if (piece.originalBytes !== undefined) this.cut = true;
    if (this.keptBytes >= this.maxBytes) {
      if (separatorBytes + size > 0) this.cut = true;
      return;
    }
    this.texts.push(piece.text);
    if (piece.bytes !== undefined) this.raw.push(piece.bytes);
    this.keptBytes += separatorBytes + size;
  }

  result(): JoinedText {
    let text: string;
    let bytes: Uint8Array | undefined;
    if (this.raw.length > 0) {
      bytes = this.joinRaw();
      text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
    } else {
      text = this.texts.join(this.separator);
      if (this.keptBytes > this.maxBytes) {
        text = truncateUtf8(text, this.maxBytes);
        this.cut = true;
      }
    }
    return { text, bytes, originalBytes: this.cut ? this.fullBytes : undefined };
  }

  private joinRaw(): Uint8Array {
    const parts: Uint8Array[] = [];
    for (const [i, part] of this.raw.entries()) {
      if (i > 0 && this.separator !== '') parts.push(SEPARATOR_BYTES);
      parts.push(part);
    }
    const joined = Buffer.concat(parts);
    if (joined.length <= this.maxBytes) return new Uint8Array(joined);
    this.cut = true;
    return new Uint8Array(joined.subarray(0, utf8CutPoint(joined, 0, this.maxBytes)));
  }
}

const SEPARATOR_BYTES = new Uint8Array([0x0a]);
