/**
 * Parses one syslog message, RFC 5424 or RFC 3164, from the bytes of one datagram or frame.
 * Never throws: whatever the bytes, the answer is a message or the reason there is none.
 */
import { CR, LF, NUL, SP } from './bytes.js';
import type { SyslogMessage } from './message.js';
import { parsePri } from './priority.js';
import { parseRfc3164 } from './rfc3164.js';
import { parseRfc5424 } from './rfc5424.js';

export type SyslogParseResult = { ok: true; message: SyslogMessage } | { ok: false; reason: string };

const VERSION_1 = 0x31; // '1'

/**
 * `now` is when the message was received: RFC 3164 timestamps have no year, and it decides which
 * one they get. Byte offsets in reasons count from 0 at the '<' of the PRI.
 */
export function parseSyslog(raw: Uint8Array, now: Date = new Date()): SyslogParseResult {
  const bytes = withoutTrailer(raw);
  if (bytes.length === 0) return { ok: false, reason: 'empty message' };
  const pri = parsePri(bytes);
  if (!pri.ok) return pri;
  // RFC 5424 §6.2.2: VERSION follows the PRI directly; "1" is the only version there is. A
  // 3164 message has a TIMESTAMP (a month name) or text there, never "1" and a space.
  if (bytes[pri.end] === VERSION_1 && bytes[pri.end + 1] === SP) {
    return parseRfc5424(bytes, pri.end + 2, pri.priority);
  }
  return { ok: true, message: parseRfc3164(bytes, pri.end, pri.priority, now) };
}

/**
 * The message without what senders append to it: trailing NULs (some BSD senders terminate
 * datagrams with one, RFC 6587 §3.4.2 names NUL as a trailer) and one line end, LF or CRLF,
 * which most senders add even to datagrams. Only one line end: the others belong to the text.
 */
function withoutTrailer(raw: Uint8Array): Uint8Array {
  let end = raw.length;
  while (end > 0 && raw[end - 1] === NUL) end -= 1;
  if (end > 0 && raw[end - 1] === LF) {
    end -= 1;
    if (end > 0 && raw[end - 1] === CR) end -= 1;
  }
  return raw.subarray(0, end);
}
