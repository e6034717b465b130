import type { TimeFormat } from './settings.js';

/**
 * Timestamps as logs write them, turned into RFC 3339 (what a CloudEvent's `time` is). Digits are
 * carried over as text rather than through a Date, so sub-millisecond precision (nanoseconds from
 * a container runtime, microseconds from a Unix time) survives. Each function returns undefined
 * for a value that is not a valid timestamp of its kind.
 */

// ISO 8601 as logs write it: RFC 3339, or a space for the T, a comma for the decimal point, an
// offset without colon (+0100) or minutes (+01), or no offset at all.
const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

// Common Log Format (Apache, nginx): 10/Oct/2000:13:55:36 -0700
const CLF_TIMESTAMP = /^(\d{1,2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

const MONTHS: Record<string, string> = {
  jan: '01',
  feb: '02',
  mar: '03',
  apr: '04',
  may: '05',
  jun: '06',
  jul: '07',
  aug: '08',
  sep: '09',
  oct: '10',
  nov: '11',
  dec: '12',
};

/** The last second RFC 3339's four-digit year can write: 9999-12-31T23:59:59Z. */
const MAX_EPOCH_SECONDS = 253_402_300_799;

/** Below this a bare number is taken as seconds, above as milliseconds (1e11 s is the year 5138). */
const AUTO_MILLISECONDS_FROM = 1e11;

/**
 * An RFC 3339 or ISO 8601 timestamp, normalized to RFC 3339: upper-case T and Z, '.' before the
 * fraction, offset as ±HH:MM. The fraction keeps every digit written. A timestamp without an offset
 * is taken as UTC: the broker's own time zone is no better a guess, and would differ between hosts.
 */
export function rfc3339Time(text: string): string | undefined {
  const m = ISO_TIMESTAMP.exec(text);
  if (m === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zulu, sign, offsetHour, offsetMinute] = m;
  if (!validDateTime(year!, month!, day!, hour!, minute!, second!)) return undefined;
  let zone = 'Z';
  if (zulu === undefined && sign !== undefined) {
    const minutes = offsetMinute ?? '00';
    if (Number(offsetHour) > 23 || Number(minutes) > 59) return undefined;
    zone = `${sign}${offsetHour}:${minutes}`;
  }
  const decimals = fraction === undefined ? '' : `.${fraction}`;
  return `${year}-${month}-${day}T${hour}:${minute}:${second}${decimals}${zone}`;
}

/** A Common Log Format timestamp (`10/Oct/2000:13:55:36 -0700`) as RFC 3339. */
export function clfTime(text: string): string | undefined {
  const m = CLF_TIMESTAMP.exec(text);
  if (m === null) return undefined;
  const [, dayDigits, monthName, year, hour, minute, second, sign, offsetHour, offsetMinute] = m;
  const month = MONTHS[monthName!.toLowerCase()];
  const day = dayDigits!.padStart(2, '0');
  if (month === undefined || !validDateTime(year!, month, day, hour!, minute!, second!)) return undefined;
  if (Number(offsetHour) > 23 || Number(offsetMinute) > 59) return undefined;
  return `${year}-${month}-${day}T${hour}:${minute}:${second}${sign}${offsetHour}:${offsetMinute}`;
}

/** A Unix time (a number, or its decimal digits as text) in seconds or milliseconds, as RFC 3339 UTC. */
export function epochTime(value: number | string, unit: 'seconds' | 'milliseconds'): string | undefined {
  const digits = typeof value === 'number' ? numberDigits(value) : value;
  if (digits === undefined) return undefined;
  const m = /^(\d+)(?:\.(\d+))?$/.exec(digits);
  if (m === null) return undefined;
  let whole = m[1]!;
  let fraction = m[2] ?? '';
  if (unit === 'milliseconds') {
    // The last three digits of the milliseconds are the fraction's first three.
    fraction = whole.slice(-3).padStart(3, '0') + fraction;
    whole = whole.length > 3 ? whole.slice(0, -3) : '0';
  }
  const seconds = Number(whole);
  if (seconds > MAX_EPOCH_SECONDS) return undefined;
  const dateTime = new Date(seconds * 1000).toISOString().slice(0, 19);
  return `${dateTime}${fraction === '' ? '' : `.${fraction}`}Z`;
}

/**
 * A field's value as RFC 3339, read the way `format` says. Without a format (auto): a string in
 * RFC 3339/ISO 8601 (or Common Log Format), or a number, or a string of digits, as a Unix time in
 * seconds when below 1e11 and milliseconds above.
 */
export function timeFromValue(value: unknown, format: TimeFormat | undefined): string | undefined {
  switch (format) {
    case 'rfc3339':
      return typeof value === 'string' ? rfc3339Time(value) : undefined;
    case 'clf':
      return typeof value === 'string' ? clfTime(value) : undefined;
    case 'unix':
      return isEpoch(value) ? epochTime(value, 'seconds') : undefined;
    case 'unix_ms':
      return isEpoch(value) ? epochTime(value, 'milliseconds') : undefined;
    case undefined:
      return autoTime(value);
  }
}

function autoTime(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const time = rfc3339Time(value);
    if (time !== undefined) return time;
    if (!/^\d+(?:\.\d+)?$/.test(value)) return clfTime(value);
  } else if (typeof value !== 'number') {
    return undefined;
  }
  const magnitude = Number(value);
  return epochTime(value, magnitude < AUTO_MILLISECONDS_FROM ? 'seconds' : 'milliseconds');
}

function isEpoch(value: unknown): value is number | string {
  return typeof value === 'number' || typeof value === 'string';
}

/** A non-negative number's decimal digits, without exponent notation. */
function numberDigits(value: number): string | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  const text = String(value);
  // String() switches to exponent notation below 1e-6 and from 1e21 (far past year 9999 anyway).
  if (!text.includes('e')) return text;
  return value < 1 ? value.toFixed(9) : undefined;
}

function validDateTime(
  year: string,
  month: string,
  day: string,
  hour: string,
  minute: string,
  second: string,
) {
  const m = Number(month);
  const d = Number(day);
  // Second 60 is a leap second, which RFC 3339 allows.
  return (
    m >= 1 &&
    m <= 12 &&
    d >= 1 &&
    d <= daysInMonth(Number(year), m) &&
    Number(hour) <= 23 &&
    Number(minute) <= 59 &&
    Number(second) <= 60
  );
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
