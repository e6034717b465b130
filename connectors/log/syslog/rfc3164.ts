/**
 * The rest of an RFC 3164 (BSD) message after "<PRI>":
 *
 *   TIMESTAMP SP HOSTNAME SP TAG["[" pid "]"] ":" SP CONTENT      (RFC 3164 §4.1.2, §4.1.3)
 *
 * RFC 3164 describes what was seen on the wire rather than prescribing it, and senders vary, so
 * this parser is lenient the way rsyslog is: every part it cannot find is left out and the rest
 * becomes the message. Nothing after a valid PRI is refused.
 */
import { readBsdTimestamp } from './bsd-timestamp.js';
import { ascii, decodeMessage, isPrintableAscii, nextSpace, SP } from './bytes.js';
import type { SyslogMessage } from './message.js';
import type { Priority } from './priority.js';
import { rfc3339Problem } from './rfc3339.js';

/** RFC 3164 §4.1.3: "The TAG is a string of ABNF alphanumeric characters that MUST NOT exceed 32". */
const MAX_TAG_LENGTH = 32;
/** As RFC 5424 limits HOSTNAME and PROCID, the fields these become. */
const MAX_HOSTNAME_LENGTH = 255;
const MAX_PID_LENGTH = 128;

const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Parses from `start`, the first byte after "<PRI>". */
export function parseRfc3164(bytes: Uint8Array, start: number, priority: Priority, now: Date): SyslogMessage {
  let position = start;
  const timestamp = readTimestamp(bytes, position, now);
  let hostname: string | undefined;
  if (timestamp) {
    position = timestamp.end;
    // Only after a TIMESTAMP: RFC 3164 §4.3.2 has a relay that finds no valid TIMESTAMP take all
    // that follows the PRI as CONTENT, so there is no HOSTNAME to look for (the first word of
    // "<13>sshd: ..." is a TAG, of "<13>disk full" text).
    hostname = readHostname(bytes, position);
    if (hostname !== undefined) position += hostname.length + 1;
  }
  const tag = readTag(bytes, position);
  if (tag) position = tag.end;
  return {
    protocol: 'rfc3164',
    ...priority,
    timestamp: timestamp?.iso,
    hostname,
    appName: tag?.name,
    procId: tag?.pid,
    msgId: undefined,
    structuredData: Object.create(null),
    message: decodeMessage(bytes.subarray(position)),
  };
}

/**
 * "Mmm dd hh:mm:ss", or an RFC 3339 timestamp as rsyslog forwards with its
 * RSYSLOG_ForwardFormat template; either must be followed by a space or the end.
 * `end` is the offset after that space.
 */
function readTimestamp(
  bytes: Uint8Array,
  start: number,
  now: Date,
): { iso: string | undefined; end: number } | undefined {
  const bsd = readBsdTimestamp(bytes, start, now);
  if (bsd) return endsField(bytes, bsd.end) ? { iso: bsd.iso, end: afterSpace(bytes, bsd.end) } : undefined;
  const end = nextSpace(bytes, start);
  // "YYYY-MM-DDThh:mm:ss.ffffff+hh:mm", 32 characters, is the longest RFC 5424 allows.
  if (end - start > 32) return undefined;
  const candidate = ascii(bytes, start, end);
  return rfc3339Problem(candidate) === undefined
    ? { iso: candidate, end: afterSpace(bytes, end) }
    : undefined;
}

function endsField(bytes: Uint8Array, at: number): boolean {
  return at === bytes.length || bytes[at] === SP;
}

/** The offset after the space at `at`, or the end when the message ends there. */
function afterSpace(bytes: Uint8Array, at: number): number {
  return Math.min(at + 1, bytes.length);
}

/**
 * The word at `start` when it looks like a host name rather than a TAG: printable US-ASCII
 * followed by a space, not ending with ':' and with no '[' ("su:" and "sshd[42]:" are TAGs).
 * A word at the very end is the message, not a host.
 */
function readHostname(bytes: Uint8Array, start: number): string | undefined {
  const end = nextSpace(bytes, start);
  if (end === start || end >= bytes.length || end - start > MAX_HOSTNAME_LENGTH) return undefined;
  for (let index = start; index < end; index += 1) {
    const byte = bytes[index]!;
    if (!isPrintableAscii(byte) || byte === OPEN_BRACKET || byte === CLOSE_BRACKET) return undefined;
  }
  if (bytes[end - 1] === COLON) return undefined;
  return ascii(bytes, start, end);
}

/**
 * TAG, an optional "[pid]", then ':' and at most one space (RFC 3164 §4.1.3; §5.3 shows the pid
 * form). The TAG may hold any printable character but ':', '[', ']': RFC 3164 says alphanumeric,
 * but real senders use "postfix/smtpd" and "systemd-logind", and rsyslog takes them.
 */
function readTag(bytes: Uint8Array, start: number): { name: string; pid?: string; end: number } | undefined {
  let position = start;
  while (position < bytes.length && position - start <= MAX_TAG_LENGTH && isTagByte(bytes[position]!)) {
    position += 1;
  }
  const nameEnd = position;
  if (nameEnd === start || nameEnd - start > MAX_TAG_LENGTH) return undefined;
  let pid: string | undefined;
  if (bytes[position] === OPEN_BRACKET) {
    const pidStart = position + 1;
    position = pidStart;
    while (position < bytes.length && position - pidStart <= MAX_PID_LENGTH && isPidByte(bytes[position]!)) {
      position += 1;
    }
    if (position === pidStart || position - pidStart > MAX_PID_LENGTH || bytes[position] !== CLOSE_BRACKET) {
      return undefined;
    }
    pid = ascii(bytes, pidStart, position);
    position += 1;
  }
  if (bytes[position] !== COLON) return undefined;
  position += 1;
  if (bytes[position] === SP) position += 1;
  return { name: ascii(bytes, start, nameEnd), pid, end: position };
}

function isTagByte(byte: number): boolean {
  return isPrintableAscii(byte) && byte !== COLON && byte !== OPEN_BRACKET && byte !== CLOSE_BRACKET;
}

function isPidByte(byte: number): boolean {
  return isPrintableAscii(byte) && byte !== CLOSE_BRACKET;
}
