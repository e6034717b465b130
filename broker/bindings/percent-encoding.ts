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

/**
 * Decodes a received header value: first the RFC 7230 3.2.6 quoted-string unescaping that
 * 3.1.3.2 requires for compatibility with older senders, then one round of percent-decoding,
 * then strict UTF-8 decoding of the resulting bytes (overlong forms such as %C0%A0 are rejected).
 *
 * Decision: after unquoting, the value must be printable US-ASCII or space. HTTP header values
 * only carry such characters (RFC 7230 3.2), and a raw byte above 0x7F (which Node hands over as
 * a Latin-1 character) has no defined charset, so it is rejected instead of guessed at.
 * Surrounding whitespace is not part of a header value (RFC 7230 3.2.4) and is ignored.
 */
export function decodeHeaderValue(rawValue: string): string {
  const unquoted = unescapeQuotedStrings(rawValue.replace(/^[ \t]+|[ \t]+$/g, ''));
  const bytes: number[] = [];
  for (let index = 0; index < unquoted.length; index++) {
    const unit = unquoted.charCodeAt(index);
    if (unit < 0x20 || unit > 0x7e) {
      throw new HeaderValueError(
        `contains a character outside printable US-ASCII at position ${index}; such characters must be percent-encoded`,
      );
    }
    if (unit !== 0x25) {
      bytes.push(unit);
      continue;
    }
    const hex = unquoted.slice(index + 1, index + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
      throw new HeaderValueError(
        `has an invalid percent-encoding at position ${index}: "%" must be followed by two hex digits`,
      );
    }
    bytes.push(Number.parseInt(hex, 16));
    index += 2;
  }
  const decoded = decodeUtf8(Uint8Array.from(bytes));
  if (decoded === undefined) throw new HeaderValueError('percent-decodes to bytes that are not valid UTF-8');
  return decoded;
}

/**
 * Removes the quoting of every quoted-string in the value: the surrounding double quotes go and
 * each backslash escape (quoted-pair) yields the character after it. Outside quotes, characters
 * are kept as they are.
 */
function unescapeQuotedStrings(value: string): string {
  if (!value.includes('"')) return value;
  let result = '';
  let inQuotes = false;
  for (let index = 0; index < value.length; index++) {
    const character = value[index]!;
    if (!inQuotes) {
      if (character === '"') inQuotes = true;
      else result += character;
      continue;
    }
    if (character === '"') {
      inQuotes = false;
    } else if (character === '\\') {
      const escaped = value[index + 1];
      if (escaped === undefined) break;
      result += escaped;
      index++;
    } else {
      result += character;
    }
  }
  if (inQuotes) throw new HeaderValueError('has an unterminated quoted-string');
  return result;
}
