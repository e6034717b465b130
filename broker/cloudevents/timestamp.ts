/**
 * RFC 3339 section 5.6 `date-time`, the string encoding of the CloudEvents `Timestamp` type.
 *
 *   date-time = full-date "T" full-time
 *   full-time = partial-time time-offset
 *   partial-time = time-hour ":" time-minute ":" time-second [time-secfrac]
 *   time-offset = "Z" / time-numoffset ; time-numoffset = ("+" / "-") time-hour ":" time-minute
 *
 * Choices where RFC 3339 leaves room:
 * - "T" and "Z" may be lower case: RFC 3339 5.6 says so explicitly (ABNF strings are
 *   case-insensitive).
 * - A space instead of "T" is NOT accepted: RFC 3339 only mentions it as something
 *   applications "may choose" for readability; it is not in the grammar.
 * - Seconds, the offset's colon and at least one fractional digit (when there is a ".") are
 *   mandatory, as in the grammar; any number of fractional digits is allowed.
 * - "-00:00" (offset unknown, RFC 3339 4.3) is accepted.
 * - Second 60 is accepted only where a leap second can happen (RFC 3339 5.7): at 23:59:60 UTC
 *   on the last day of a month, after applying the offset. The IERS table is not consulted, so
 *   any month end is allowed.
 */
const DATE_TIME =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?(?:[Zz]|([+-])([0-9]{2}):([0-9]{2}))$/;

export function isRfc3339Timestamp(text: string): boolean {
  const match = DATE_TIME.exec(text);
  if (match === null) return false;
  const [
    ,
    yearText,
    monthText,
    dayText,
    hourText,
    minuteText,
    secondText,
    sign,
    offsetHourText,
    offsetMinuteText,
  ] = match;
  const year = Number(yearText);
  const month = Number(monthText);
  const day = Number(dayText);
  const hour = Number(hourText);
  const minute = Number(minuteText);
  const second = Number(secondText);
  if (month < 1 || month > 12) return false;
  if (day < 1 || day > daysInMonth(year, month)) return false;
  if (hour > 23 || minute > 59 || second > 60) return false;

  let offsetMinutes = 0;
  if (sign !== undefined) {
    const offsetHour = Number(offsetHourText);
    const offsetMinute = Number(offsetMinuteText);
    if (offsetHour > 23 || offsetMinute > 59) return false;
    offsetMinutes = (sign === '-' ? -1 : 1) * (offsetHour * 60 + offsetMinute);
  }
  if (second === 60) return isLeapSecondMinute(year, month, day, hour, minute, offsetMinutes);
  return true;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** True when the given local minute is 23:59 UTC on the last day of a month. */
function isLeapSecondMinute(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  offsetMinutes: number,
): boolean {
  const utc = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute - offsetMinutes, 0, 0);
  if (utc.getUTCHours() !== 23 || utc.getUTCMinutes() !== 59) return false;
  const nextDay = new Date(utc.getTime() + 24 * 60 * 60 * 1000);
  return nextDay.getUTCDate() === 1;
}
