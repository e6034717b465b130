/**
 * The rest of an RFC 5424 message after "<PRI>1 " (RFC 5424 §6):
 *
 *   SYSLOG-MSG = HEADER SP STRUCTURED-DATA [SP MSG]
 *   HEADER     = PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID
 *
 * Unlike RFC 3164, this format is strict enough to be checked: a message that breaks the grammar
 * is refused with the reason, rather than guessed at, so that the sender can be fixed.
 */
import {
  ascii,
  decodeMessage,
  describeByte,
  isPrintableAscii,
  nextSpace,
  quoteExcerpt,
  SP,
} from './bytes.js';
import type { SyslogMessage } from './message.js';
import type { Priority } from './priority.js';
import { rfc3339Problem } from './rfc3339.js';
import { parseStructuredData } from './structured-data.js';

export type Rfc5424Result = { ok: true; message: SyslogMessage } | { ok: false; reason: string };

const NILVALUE = '-';

/** The header fields after TIMESTAMP with their maximum lengths (RFC 5424 §6, the ABNF). */
const FIELDS = [
  { name: 'HOSTNAME', maxLength: 255 },
  { name: 'APP-NAME', maxLength: 48 },
  { name: 'PROCID', maxLength: 128 },
  { name: 'MSGID', maxLength: 32 },
] as const;

/** Parses from `start`, the first byte of TIMESTAMP. */
export function parseRfc5424(bytes: Uint8Array, start: number, priority: Priority): Rfc5424Result {
  const timestampField = readField(bytes, start, 'TIMESTAMP', 'HOSTNAME');
  if (!timestampField.ok) return timestampField;
  const timestamp = timestampField.value;
  if (timestamp !== undefined) {
    const problem = rfc3339Problem(timestamp);
    if (problem) {
      const sent = quoteExcerpt(bytes.subarray(start, timestampField.end - 1));
      return { ok: false, reason: `RFC 5424 header: TIMESTAMP ${sent} is not RFC 3339 (${problem})` };
    }
  }
  const values: (string | undefined)[] = [];
  let position = timestampField.end;
  for (const [index, { name, maxLength }] of FIELDS.entries()) {
    const field = readField(bytes, position, name, FIELDS[index + 1]?.name ?? 'STRUCTURED-DATA', maxLength);
    if (!field.ok) return field;
    values.push(field.value);
    position = field.end;
  }
  const structured = parseStructuredData(bytes, position);
  if (!structured.ok) return structured;
  const message = readMsg(bytes, structured.end);
  if (!message.ok) return message;
  const [hostname, appName, procId, msgId] = values;
  return {
    ok: true,
    message: {
      protocol: 'rfc5424',
      ...priority,
      timestamp,
      hostname,
      appName,
      procId,
      msgId,
      structuredData: structured.data,
      message: message.text,
    },
  };
}

type FieldResult =
  | {
      ok: true /** Undefined for the NILVALUE. */;
      value: string | undefined /** After the SP. */;
      end: number;
    }
  | { ok: false; reason: string };

/** Reads one header field at `start`, which must be followed by SP and then `next`. */
function readField(
  bytes: Uint8Array,
  start: number,
  name: string,
  next: string,
  maxLength = Number.POSITIVE_INFINITY,
): FieldResult {
  const fail = (why: string): FieldResult => ({ ok: false, reason: `RFC 5424 header: ${why}` });
  if (start >= bytes.length) return fail(`the message ends before ${name}`);
  const end = nextSpace(bytes, start);
  if (end === start) {
    return fail(`${name} is empty at byte ${start} (a field without a value is "-", the NILVALUE)`);
  }
  for (let index = start; index < end; index += 1) {
    if (!isPrintableAscii(bytes[index]!)) {
      // RFC 5424 §6: every header field is NILVALUE or PRINTUSASCII (%d33-126).
      return fail(`${name} has ${describeByte(bytes[index]!)} at byte ${index}, not printable US-ASCII`);
    }
  }
  if (end - start > maxLength)
    return fail(`${name} is ${end - start} characters long, more than ${maxLength}`);
  if (end >= bytes.length) return fail(`the message ends after ${name}, before ${next}`);
  const value = ascii(bytes, start, end);
  return { ok: true, value: value === NILVALUE ? undefined : value, end: end + 1 };
}

/** "[SP MSG]" after STRUCTURED-DATA: nothing at all, or a space and the message (maybe empty). */
function readMsg(
  bytes: Uint8Array,
  start: number,
): { ok: true; text: string } | { ok: false; reason: string } {
  if (start >= bytes.length) return { ok: true, text: '' };
  if (bytes[start] !== SP) {
    return {
      ok: false,
      reason: `structured data: expected a space before MSG at byte ${start}, found ${describeByte(bytes[start]!)}`,
    };
  }
  return { ok: true, text: decodeMessage(bytes.subarray(start + 1)) };
}
