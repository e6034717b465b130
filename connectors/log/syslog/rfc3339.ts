/**
 * The TIMESTAMP of RFC 5424 (§6.2.3): an RFC 3339 date-time, with the restrictions RFC 5424 adds
 * to it. The value is checked, not converted: the message keeps it exactly as sent.
 */

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** Why `text` is not a TIMESTAMP RFC 5424 accepts, or undefined when it is one. */
export function rfc3339Problem(text: string): string | undefined {
  const match = DATE_TIME.exec(text);
  if (!match) return shapeProblem(text);
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12) return `month ${month}`;
  if (day < 1 || day > daysInMonth(year, month)) return `day ${day} of month ${month} in ${year}`;
  if (hour > 23) return `hour ${hour}`;
  if (minute > 59) return `minute ${minute}`;
  // RFC 5424 §6.2.3 item 4: "Leap seconds MUST NOT be used", so 60 is refused like 61.
  if (second > 59) return `second ${second}`;
  // Groups 8 and 9 are absent for "Z".
  if (match[8] !== undefined && Number(match[8]) > 23) return `offset hour ${match[8]}`;
  if (match[9] !== undefined && Number(match[9]) > 59) return `offset minute ${match[9]}`;
  return undefined;
}

/** The reason for a TIMESTAMP that does not even have the right shape. */
function shapeProblem(text: string): string {
  // RFC 5424 §6.2.3 item 1: "The "T" and "Z" characters in this syntax MUST be upper case",
  // although RFC 3339 itself allows lower case.
  if (DATE_TIME.test(text.toUpperCase())) return '"T" and "Z" must be upper case (RFC 5424 §6.2.3)';
  // RFC 5424 §6.2.3 item 3: TIME-SECFRAC has at most 6 digits (microseconds).
  if (/\.\d{7,}/.test(text)) return 'more than 6 digits of fractional seconds (RFC 5424 §6.2.3)';
  return 'expected YYYY-MM-DDThh:mm:ss[.ffffff] then Z, +hh:mm or -hh:mm';
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The Gregorian rule (RFC 3339 appendix C), also for years below 100, where Date.UTC would add 1900. */
function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}
