/**
 * STRUCTURED-DATA of RFC 5424 (§6.3):
 *
 *   STRUCTURED-DATA = NILVALUE / 1*SD-ELEMENT
 *   SD-ELEMENT      = "[" SD-ID *(SP SD-PARAM) "]"
 *   SD-PARAM        = PARAM-NAME "=" %d34 PARAM-VALUE %d34
 *   SD-ID, PARAM-NAME = SD-NAME = 1*32PRINTUSASCII except '=', SP, ']', %d34 (")
 */
import { decodeValue, describeByte, isPrintableAscii, SP } from './bytes.js';

export type StructuredData = Record<string, Record<string, string | string[]>>;

export type StructuredDataResult =
  | { ok: true; data: StructuredData /** Offset of the first byte after it. */; end: number }
  | { ok: false; reason: string };

const NILVALUE = 0x2d; // '-'
const OPEN = 0x5b; // '['
const CLOSE = 0x5d; // ']'
const EQUALS = 0x3d; // '='
const QUOTE = 0x22; // '"'
const BACKSLASH = 0x5c; // '\'
const MAX_SD_NAME = 32;

/** A parse failure inside one element, thrown only within this module and turned into a result. */
class SdError extends Error {}

/** Reads STRUCTURED-DATA starting at `start`. */
export function parseStructuredData(bytes: Uint8Array, start: number): StructuredDataResult {
  if (bytes[start] === NILVALUE) return { ok: true, data: Object.create(null), end: start + 1 };
  if (bytes[start] !== OPEN) {
    return {
      ok: false,
      reason:
        start < bytes.length
          ? `structured data: expected "-" or "[" at byte ${start}, found ${describeByte(bytes[start]!)}`
          : `structured data: missing at byte ${start} (the message ends; "-" is written when there is none)`,
    };
  }
  const data: StructuredData = Object.create(null);
  let position = start;
  try {
    // Elements follow each other with nothing between them, "][": §6.3.5 example 3 calls a space
    // there invalid. In a whole message the grammar then reads "SP MSG", so what follows is MSG.
    while (bytes[position] === OPEN) position = readElement(bytes, position, data);
  } catch (error) {
    if (error instanceof SdError) return { ok: false, reason: `structured data: ${error.message}` };
    throw error;
  }
  return { ok: true, data, end: position };
}

/** Reads one SD-ELEMENT at `start` (on its "[") into `data`; returns the offset after its "]". */
function readElement(bytes: Uint8Array, start: number, data: StructuredData): number {
  const unterminated = () => new SdError(`unterminated SD-ELEMENT at byte ${start}`);
  const { name: id, end: idEnd } = readSdName(bytes, start + 1, 'SD-ID', unterminated);
  // §6.3.2: "The same SD-ID MUST NOT exist more than once in a message." Senders that break this
  // still meant to say something, so the parameters of both are kept together rather than one lost.
  data[id] ??= Object.create(null) as Record<string, string | string[]>;
  const params = data[id];
  let position = idEnd;
  for (;;) {
    if (position >= bytes.length) throw unterminated();
    if (bytes[position] === CLOSE) return position + 1;
    if (bytes[position] !== SP) {
      throw new SdError(
        `expected a space or "]" at byte ${position} in SD-ELEMENT "${id}", found ${describeByte(bytes[position]!)}`,
      );
    }
    const { name, end: nameEnd } = readSdName(bytes, position + 1, 'PARAM-NAME', unterminated);
    if (nameEnd >= bytes.length) throw unterminated();
    if (bytes[nameEnd] !== EQUALS) {
      throw new SdError(
        `expected "=" after PARAM-NAME "${name}" at byte ${nameEnd}, found ${describeByte(bytes[nameEnd]!)}`,
      );
    }
    if (bytes[nameEnd + 1] !== QUOTE) {
      if (nameEnd + 1 >= bytes.length) throw unterminated();
      throw new SdError(
        `expected '"' to open the value of "${name}" at byte ${nameEnd + 1}, found ${describeByte(bytes[nameEnd + 1]!)}`,
      );
    }
    const { value, end: valueEnd } = readParamValue(bytes, nameEnd + 2, unterminated);
    addParam(params, name, value);
    position = valueEnd;
  }
}

/** Reads an SD-NAME (SD-ID or PARAM-NAME) at `start`; `end` is the offset of the byte that ended it. */
function readSdName(
  bytes: Uint8Array,
  start: number,
  what: string,
  unterminated: () => SdError,
): { name: string; end: number } {
  let position = start;
  let name = '';
  while (position < bytes.length) {
    const byte = bytes[position]!;
    if (byte === SP || byte === CLOSE || byte === EQUALS) break;
    if (!isPrintableAscii(byte) || byte === QUOTE) {
      throw new SdError(`${what} has ${describeByte(byte)} at byte ${position}, not allowed in an SD-NAME`);
    }
    name += String.fromCharCode(byte);
    position += 1;
  }
  if (position >= bytes.length) throw unterminated();
  if (name.length === 0) throw new SdError(`empty ${what} at byte ${start}`);
  if (name.length > MAX_SD_NAME) {
    throw new SdError(`${what} "${name}" is ${name.length} characters long, more than ${MAX_SD_NAME}`);
  }
  return { name, end: position };
}

/**
 * Reads a PARAM-VALUE from `start` (just after its opening quote) to its closing quote, undoing
 * the escapes. RFC 5424 §6.3.3: '"', '\' and ']' MUST be escaped with a backslash; a backslash
 * before any other character is not an escape and both characters stay as they are. An unescaped
 * ']' breaks the MUST, but the quotes still say where the value ends, so it is taken as data.
 */
function readParamValue(
  bytes: Uint8Array,
  start: number,
  unterminated: () => SdError,
): { value: string; end: number } {
  const unescaped: number[] = [];
  let position = start;
  while (position < bytes.length) {
    const byte = bytes[position]!;
    if (byte === QUOTE) return { value: decodeValue(Uint8Array.from(unescaped)), end: position + 1 };
    const next = bytes[position + 1];
    if (byte === BACKSLASH && (next === QUOTE || next === BACKSLASH || next === CLOSE)) {
      unescaped.push(next);
      position += 2;
    } else {
      unescaped.push(byte);
      position += 1;
    }
  }
  throw unterminated();
}

/** A parameter repeated within an element (§6.3.3 allows it) keeps every value, in order. */
function addParam(params: Record<string, string | string[]>, name: string, value: string): void {
  const existing = params[name];
  if (existing === undefined) params[name] = value;
  else if (typeof existing === 'string') params[name] = [existing, value];
  else existing.push(value);
}
