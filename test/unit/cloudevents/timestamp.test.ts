import { describe, expect, it } from 'vitest';
import { isRfc3339Timestamp } from '../../../broker/cloudevents/timestamp.js';

describe('isRfc3339Timestamp', () => {
  const valid = [
    '2018-04-05T17:31:00Z',
    '2018-04-05t17:31:00z',
    '2018-04-05T17:31:00.1Z',
    '2018-04-05T17:31:00.123456789012Z',
    '2018-04-05T17:31:00+01:00',
    '2018-04-05T17:31:00-08:30',
    '2018-04-05T17:31:00.5+23:59',
    '2018-04-05T17:31:00-00:00',
    '2020-02-29T00:00:00Z',
    '2000-02-29T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '2016-12-31T23:59:60Z',
    '2015-06-30T23:59:60.5Z',
    '2016-12-31T15:59:60-08:00',
    '2017-01-01T00:59:60+01:00',
  ];
  for (const text of valid) {
    it(`accepts ${text}`, () => expect(isRfc3339Timestamp(text)).toBe(true));
  }

  const invalid: Array<[string, string]> = [
    ['2018-04-05 17:31:00Z', 'a space instead of T'],
    ['2018-04-05T17:31:00', 'no offset'],
    ['2018-04-05T17:31Z', 'no seconds'],
    ['2018-04-05', 'a date only'],
    ['2018-04-05T17:31:00.Z', 'a dot without digits'],
    ['2018-04-05T17:31:00,5Z', 'a comma as decimal separator'],
    ['2018-04-05T17:31:00+0100', 'an offset without colon'],
    ['2018-04-05T17:31:00+01', 'an offset without minutes'],
    ['2018-04-05T17:31:00+24:00', 'an offset hour of 24'],
    ['2018-04-05T17:31:00+01:60', 'an offset minute of 60'],
    ['2018-04-05T24:00:00Z', 'hour 24'],
    ['2018-04-05T17:60:00Z', 'minute 60'],
    ['2018-04-05T17:31:61Z', 'second 61'],
    ['2018-04-05T17:31:60Z', 'a leap second in the middle of a month'],
    ['2016-12-31T22:59:60Z', 'a leap second at 22:59 UTC'],
    ['2016-12-31T23:59:60+01:00', 'a leap second that is 22:59 UTC'],
    ['2018-13-01T00:00:00Z', 'month 13'],
    ['2018-00-01T00:00:00Z', 'month 0'],
    ['2018-04-00T00:00:00Z', 'day 0'],
    ['2018-04-31T00:00:00Z', 'April 31'],
    ['2019-02-29T00:00:00Z', 'February 29 in a common year'],
    ['1900-02-29T00:00:00Z', 'February 29 in a century year that is not a leap year'],
    ['18-04-05T17:31:00Z', 'a two-digit year'],
    ['+2018-04-05T17:31:00Z', 'a signed year'],
    ['2018-4-5T17:31:00Z', 'single-digit month and day'],
    ['2018-04-05T17:31:00Z ', 'trailing whitespace'],
    [' 2018-04-05T17:31:00Z', 'leading whitespace'],
    ['2018-04-05T17:31:00ZZ', 'a doubled Z'],
    ['２018-04-05T17:31:00Z', 'a full-width digit'],
    ['2018-04-05T17:31:00Z\n', 'a trailing newline'],
    ['', 'an empty string'],
  ];
  for (const [text, what] of invalid) {
    it(`rejects ${what}: ${JSON.stringify(text)}`, () => expect(isRfc3339Timestamp(text)).toBe(false));
  }
});
