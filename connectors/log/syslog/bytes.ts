/** Byte-level helpers the syslog parsers share: the grammars are defined over octets, not text. */

export const SP = 0x20;
export const LF = 0x0a;
export const CR = 0x0d;
export const NUL = 0x00;

/**
 * MSG as text. TextDecoder's defaults are what RFC 5424 §6.4 asks of a UTF-8 MSG: a leading BOM
 * is taken as the marker it is and removed, and an invalid sequence becomes U+FFFD instead of
 * failing, so a message with a stray Latin-1 byte is still received.
 */
const messageDecoder = new TextDecoder('utf-8');

/** Like messageDecoder, but a BOM is kept: inside a PARAM-VALUE it is not a marker, it is data. */
const valueDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

export function decodeMessage(bytes: Uint8Array): string {
  return messageDecoder.decode(bytes);
}

export function decodeValue(bytes: Uint8Array): string {
  return valueDecoder.decode(bytes);
}

/** PRINTUSASCII = %d33-126 (RFC 5424 §6): what header fields and SD-NAMEs are made of. */
export function isPrintableAscii(byte: number): boolean {
  return byte >= 33 && byte <= 126;
}

export function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

/** Bytes known to be US-ASCII (the caller checked) as a string. */
export function ascii(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let index = start; index < end; index += 1) text += String.fromCharCode(bytes[index]!);
  return text;
}

/** A byte as an error message shows it: printable ones as themselves, the others in hex. */
export function describeByte(byte: number): string {
  return isPrintableAscii(byte)
    ? `"${String.fromCharCode(byte)}"`
    : `byte 0x${byte.toString(16).padStart(2, '0')}`;
}

/** Where the next SP is at or after `start`, or the end when there is none. */
export function nextSpace(bytes: Uint8Array, start: number): number {
  const found = bytes.indexOf(SP, start);
  return found === -1 ? bytes.length : found;
}

/** At most `limit` characters of some received bytes, quoted, for an error message. */
export function quoteExcerpt(bytes: Uint8Array, limit = 40): string {
  const text = decodeValue(bytes.subarray(0, limit));
  return JSON.stringify(bytes.length > limit ? `${text}...` : text);
}
