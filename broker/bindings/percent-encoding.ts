/**
 * Header value encoding for CloudEvents attributes in binary mode, the same in HTTP
 * (http-binding.md 3.1.3.2) and NATS (nats-binding.md 3.1.3.2).
 */
import { decodeUtf8, encodeUtf8 } from '../cloudevents/utf8.js';

/** A header value could not be decoded; `reason` completes "header ce-x ...". */
export class HeaderValueError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'HeaderValueError';
  }
}

/**
 * Percent-encodes a canonical string for use as a header value: space, double quote, percent
 * and everything outside printable ASCII (U+0021-U+007E) become the %XY form of their UTF-8
 * bytes, with upper-case hex digits. Iterating with for...of visits a surrogate pair as one
 * character, as 3.1.3.2 requires.
 */
export function percentEncodeHeaderValue(value: string): string {
  if (needsNoEncoding(value)) return value; // the common case: nothing to escape, nothing to copy
  let encoded = '';
  for (const character of value) {
    const codePoint = character.codePointAt(0)!;
    if (codePoint >= 0x21 && codePoint <= 0x7e && codePoint !== 0x22 && codePoint !== 0x25) {
      encoded += character;
      continue;
    }
    const bytes = encodeUtf8(character);
    if (bytes === undefined) {
      throw new HeaderValueError('contains an unpaired surrogate, which has no UTF-8 form');
    }
    for (const byte of bytes) encoded += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return encoded;
}

/** Whether every character is printable ASCII other than space, `"` and `%` (kept as they are). */
function needsNoEncoding(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x21 || code > 0x7e || code === 0x22 || code === 0x25) return false;
  }
  return true;
}

/**
 * Decodes a received header value, generously (docs/architecture.md, "Header values"): the
 * HTTP binding (http-binding.md 3.1.3.2) says a sender percent-encodes, but of the official SDKs
 * only C# and the Python SDK's newer core API do; Go and Java send raw UTF-8, JavaScript and the
 * Python v1 API ISO-8859-1 (through their HTTP clients), and none of those encodes `%` or `"`
 * (README, "Header values", has the table the interop tests assert). So, in order:
 *
 * 1. Surrounding spaces and tabs are not part of the value (RFC 7230 3.2.4).
 * 2. Only a value that is one quoted-string as a whole (begins and ends with `"`) is unquoted
 *    (RFC 7230 3.2.6, which 3.1.3.2 keeps for older senders); a `"` anywhere else is data, so a
 *    JSON extension value such as `{"a": 5}` from a non-encoding SDK arrives intact.
 * 3. A control character (other than tab) is refused: no sender puts one in a header by mistake.
 * 4. `%` followed by two hex digits is the byte they spell; any other `%` is a literal `%`.
 * 5. The bytes are read as UTF-8 when they are valid UTF-8, else as ISO-8859-1, so every byte
 *    sequence means something and nothing is refused for its charset.
 *
 * The ambiguity that remains: a non-encoding sender's literal `%41` reads as `A`. Node hands a
 * header's bytes over as ISO-8859-1 characters (U+0000-U+00FF); a value holding a character
 * above U+00FF was already decoded as UTF-8 by its transport (a NATS client) and is taken as the
 * UTF-8 bytes of that text.
 */
export function decodeHeaderValue(rawValue: string): string {
  // Nearly every value is printable ASCII without `%`: it decodes to itself, with no allocation.
  if (isPlainValue(rawValue)) return rawValue;
  const trimmed = rawValue.replace(/^[ \t]+|[ \t]+$/g, '');
  const value = isWholeQuotedString(trimmed) ? unescapeQuotedString(trimmed) : trimmed;
  const raw = asBytes(value);
  const bytes = new Uint8Array(raw.length);
  let length = 0;
  for (let index = 0; index < raw.length; index++) {
    const byte = raw[index]!;
    if ((byte < 0x20 && byte !== 0x09) || byte === 0x7f) {
      throw new HeaderValueError(
        `contains the control character U+${byte.toString(16).toUpperCase().padStart(4, '0')} at position ${index}`,
      );
    }
    if (
      byte === 0x25 &&
      index + 2 < raw.length &&
      isHexDigit(raw[index + 1]!) &&
      isHexDigit(raw[index + 2]!)
    ) {
      bytes[length++] = (hexValue(raw[index + 1]!) << 4) | hexValue(raw[index + 2]!);
      index += 2;
      continue;
    }
    bytes[length++] = byte;
  }
  const decoded = bytes.subarray(0, length);
  return decodeUtf8(decoded) ?? latin1(decoded);
}

/**
 * Whether decodeHeaderValue would return the value unchanged: printable ASCII (U+0020-U+007E)
 * without `%`, not beginning or ending with a space, and not beginning with `"` (which may open a
 * quoted-string). A `"` further in is data (rule 2).
 */
function isPlainValue(value: string): boolean {
  const length = value.length;
  if (length === 0) return true;
  const first = value.charCodeAt(0);
  if (first === 0x20 || first === 0x22 || value.charCodeAt(length - 1) === 0x20) return false;
  for (let index = 0; index < length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x20 || code > 0x7e || code === 0x25) return false;
  }
  return true;
}

/** The bytes a header value stands for (see decodeHeaderValue). */
function asBytes(value: string): Uint8Array {
  let latin1Only = true;
  for (let index = 0; index < value.length; index++) {
    if (value.charCodeAt(index) > 0xff) {
      latin1Only = false;
      break;
    }
  }
  if (!latin1Only) return encodeUtf8(value) ?? Buffer.from(value, 'utf8');
  return Buffer.from(value, 'latin1');
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function isHexDigit(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66);
}

function hexValue(byte: number): number {
  return byte <= 0x39 ? byte - 0x30 : (byte | 0x20) - 0x61 + 10;
}

function isWholeQuotedString(value: string): boolean {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"');
}

/**
 * Unquotes a value that is one quoted-string: the surrounding quotes go and each backslash
 * escape (quoted-pair) yields the character after it. A `"` inside that is not escaped is kept
 * as data rather than refused (a sender that quoted a value holding one).
 */
function unescapeQuotedString(value: string): string {
  let result = '';
  const inner = value.slice(1, -1);
  for (let index = 0; index < inner.length; index++) {
    const character = inner[index]!;
    if (character === '\\' && index + 1 < inner.length) {
      result += inner[index + 1];
      index++;
    } else result += character;
  }
  return result;
}
