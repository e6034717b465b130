/**
 * The PRI part that starts every syslog message, "<" PRIVAL ">", in both formats
 * (RFC 5424 §6.2.1, RFC 3164 §4.1.1).
 */

import { isDigit } from './bytes.js';

/** Facility keywords by code (RFC 5424 §6.2.1 table 1), spelled as syslog.conf(5) spells them. */
export const FACILITY_NAMES: readonly string[] = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'security', // "log audit"
  'console', // "log alert"
  'solaris-cron', // "clock daemon (note 2)"
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
];

/** Severity keywords by code (RFC 5424 §6.2.1 table 2). */
export const SEVERITY_NAMES: readonly string[] = [
  'emerg',
  'alert',
  'crit',
  'err',
  'warning',
  'notice',
  'info',
  'debug',
];

/** 23 * 8 + 7: local7.debug, the largest PRIVAL there is. */
const MAX_PRIVAL = 191;

export interface Priority {
  facility: number;
  severity: number;
  facilityName: string;
  severityName: string;
}

export type PriResult =
  | { ok: true; priority: Priority /** Offset of the first byte after ">". */; end: number }
  | { ok: false; reason: string };

const LT = 0x3c;
const GT = 0x3e;

/**
 * Reads "<" 1*3DIGIT ">" at the start of `bytes`. Leading zeros are accepted ("<013>"): RFC 3164
 * §4.1.1 says they are not sent, but nothing is ambiguous about them, and rsyslog takes them too.
 */
export function parsePri(bytes: Uint8Array): PriResult {
  if (bytes[0] !== LT) return { ok: false, reason: 'no <PRI> at the start' };
  let value = 0;
  let position = 1;
  while (position < bytes.length && isDigit(bytes[position]!)) {
    if (position > 3) return { ok: false, reason: 'PRI has more than 3 digits' };
    value = value * 10 + (bytes[position]! - 0x30);
    position += 1;
  }
  if (position === 1) return { ok: false, reason: 'PRI has no digits after "<"' };
  if (bytes[position] !== GT) return { ok: false, reason: `PRI is not closed by ">" at byte ${position}` };
  if (value > MAX_PRIVAL) return { ok: false, reason: `PRI ${value} is above ${MAX_PRIVAL}` };
  return { ok: true, priority: priorityOf(value), end: position + 1 };
}

/** Splits a PRIVAL (0..191) into facility and severity: PRIVAL = facility * 8 + severity. */
export function priorityOf(prival: number): Priority {
  const facility = Math.floor(prival / 8);
  const severity = prival % 8;
  return {
    facility,
    severity,
    facilityName: FACILITY_NAMES[facility]!,
    severityName: SEVERITY_NAMES[severity]!,
  };
}
