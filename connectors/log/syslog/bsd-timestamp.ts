/**
 * The TIMESTAMP of RFC 3164 (§4.1.2), "Mmm dd hh:mm:ss": local time of the sender, with no year
 * and no zone. It is read as UTC in the receiver's current year, since there is nothing better to
 * go on (RFC 3164 §4.1.2 itself leaves the year to the receiver).
 */
import { ascii, isDigit, SP } from './bytes.js';
import { daysInMonth } from './rfc3339.js';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_MS = 24 * 60 * 60 * 1000;

export interface BsdTimestamp {
  /** The instant as an ISO string, or undefined for a date that exists in neither year tried. */
  iso: string | undefined;
  /** Offset of the first byte after the seconds. */
  end: number;
}

/**
 * Reads "Mmm dd hh:mm:ss" at `start`, or returns undefined when the bytes there are not one.
 * Lenient as rsyslog is: the month in any case, and the day as RFC 3164 pads it ("Oct  9"), with
 * a zero ("Oct 09") or unpadded ("Oct 9").
 */
export function readBsdTimestamp(bytes: Uint8Array, start: number, now: Date): BsdTimestamp | undefined {
  if (start + 3 > bytes.length) return undefined;
  const month = MONTHS.indexOf(ascii(bytes, start, start + 3).toLowerCase()) + 1;
  if (month === 0 || bytes[start + 3] !== SP) return undefined;
  const day = readDay(bytes, start + 4);
  if (!day || bytes[day.end] !== SP) return undefined;
  const time = readClock(bytes, day.end + 1);
  if (!time) return undefined;
  const [hour, minute, second] = time.parts;
  if (day.value < 1 || day.value > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  return { iso: inferYear(month, day.value, hour, minute, second, now), end: time.end };
}

/** " 9" (RFC 3164 pads with a space), "09" or "9"; the offset after it. */
function readDay(bytes: Uint8Array, start: number): { value: number; end: number } | undefined {
  const first = bytes[start];
  const second = bytes[start + 1];
  if (first === undefined || second === undefined) return undefined;
  if (first === SP && isDigit(second)) return { value: second - 0x30, end: start + 2 };
  if (isDigit(first) && isDigit(second))
    return { value: (first - 0x30) * 10 + second - 0x30, end: start + 2 };
  if (isDigit(first)) return { value: first - 0x30, end: start + 1 };
  return undefined;
}

/** "hh:mm:ss"; the offset after it. */
function readClock(
  bytes: Uint8Array,
  start: number,
): { parts: [number, number, number]; end: number } | undefined {
  const parts: number[] = [];
  for (let field = 0; field < 3; field += 1) {
    const at = start + field * 3;
    const tens = bytes[at];
    const ones = bytes[at + 1];
    if (tens === undefined || ones === undefined || !isDigit(tens) || !isDigit(ones)) return undefined;
    if (field < 2 && bytes[at + 2] !== 0x3a) return undefined; // ':'
    parts.push((tens - 0x30) * 10 + ones - 0x30);
  }
  return { parts: parts as [number, number, number], end: start + 8 };
}

/**
 * The year the sender most likely meant: the current one, unless that puts the message more
 * than a day in the future (a December message received in January), then the one before. A
 * day of slack, because the sender's local time may be ahead of UTC. Feb 29 outside a leap year
 * also falls back to the year before.
 */
function inferYear(
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  now: Date,
): string | undefined {
  const currentYear = now.getUTCFullYear();
  for (const year of [currentYear, currentYear - 1]) {
    if (day > daysInMonth(year, month)) continue;
    const instant = Date.UTC(year, month - 1, day, hour, minute, second);
    if (year === currentYear && instant > now.getTime() + DAY_MS) continue;
    return new Date(instant).toISOString();
  }
  return undefined;
}
