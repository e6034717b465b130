import { describe, expect, it } from 'vitest';
import {
  clfTime,
  epochTime,
  rfc3339Time,
  timeFromValue,
} from '../../../../../connectors/log/records/timestamps.js';
import { readAll, settings } from './fixtures.js';

describe('log records: timestamps', () => {
  it('keeps an RFC 3339 timestamp as written, sub-millisecond digits included', () => {
    expect(rfc3339Time('2016-10-06T00:17:09.669794202Z')).toBe('2016-10-06T00:17:09.669794202Z');
    expect(rfc3339Time('2024-02-29T23:59:60+05:30')).toBe('2024-02-29T23:59:60+05:30');
    expect(rfc3339Time('2024-01-01t01:02:03z')).toBe('2024-01-01T01:02:03Z');
  });

  it('normalizes ISO 8601 as logs write it, taking a timestamp without offset as UTC', () => {
    expect(rfc3339Time('2024-01-01 01:02:03,123')).toBe('2024-01-01T01:02:03.123Z');
    expect(rfc3339Time('2024-01-01T01:02:03+0100')).toBe('2024-01-01T01:02:03+01:00');
    expect(rfc3339Time('2024-01-01T01:02:03-08')).toBe('2024-01-01T01:02:03-08:00');
  });

  it('refuses impossible dates and times', () => {
    for (const text of [
      '2023-02-29T00:00:00Z',
      '2024-13-01T00:00:00Z',
      '2024-01-01T24:00:00Z',
      '2024-01-01',
      'now',
    ])
      expect(rfc3339Time(text)).toBeUndefined();
    expect(rfc3339Time('2024-02-29T00:00:00Z')).toBeDefined();
  });

  it('reads Unix times exactly, without floating-point noise', () => {
    expect(epochTime(1700000000, 'seconds')).toBe('2023-11-14T22:13:20Z');
    expect(epochTime(1700000000.123456, 'seconds')).toBe('2023-11-14T22:13:20.123456Z');
    expect(epochTime('1700000000.123456789', 'seconds')).toBe('2023-11-14T22:13:20.123456789Z');
    expect(epochTime(1700000000123, 'milliseconds')).toBe('2023-11-14T22:13:20.123Z');
    expect(epochTime('1700000000123.5', 'milliseconds')).toBe('2023-11-14T22:13:20.1235Z');
    expect(epochTime(5, 'milliseconds')).toBe('1970-01-01T00:00:00.005Z');
    expect(epochTime(-1, 'seconds')).toBeUndefined();
    expect(epochTime(1e20, 'seconds')).toBeUndefined();
  });

  it('reads Common Log Format timestamps', () => {
    expect(clfTime('10/Oct/2000:13:55:36 -0700')).toBe('2000-10-10T13:55:36-07:00');
    expect(clfTime('1/Feb/2024:00:00:00 +0000')).toBe('2024-02-01T00:00:00+00:00');
    expect(clfTime('31/Feb/2024:00:00:00 +0000')).toBeUndefined();
  });

  it('guesses without a timeFormat: RFC 3339, then numbers (seconds below 1e11, else milliseconds), then CLF', () => {
    expect(timeFromValue('2024-01-01T00:00:00Z', undefined)).toBe('2024-01-01T00:00:00Z');
    expect(timeFromValue(1700000000, undefined)).toBe('2023-11-14T22:13:20Z');
    expect(timeFromValue(1700000000123, undefined)).toBe('2023-11-14T22:13:20.123Z');
    expect(timeFromValue('1700000000', undefined)).toBe('2023-11-14T22:13:20Z');
    expect(timeFromValue('10/Oct/2000:13:55:36 -0700', undefined)).toBe('2000-10-10T13:55:36-07:00');
    expect(timeFromValue(true, undefined)).toBeUndefined();
    expect(timeFromValue(1700000000, 'rfc3339')).toBeUndefined();
    expect(timeFromValue('1700000000123', 'unix_ms')).toBe('2023-11-14T22:13:20.123Z');
  });
});

describe('log records: timeField', () => {
  it('json: reads a top-level or dotted field', () => {
    const input =
      '{"ts":"2024-05-01T10:00:00.123456Z"}\n{"meta":{"at":1714557600}}\n{"log.time":"2024-05-01T10:00:00Z"}\n';
    const [top] = readAll(settings({ format: 'json', timeField: 'ts' }), input);
    expect(top!.time).toBe('2024-05-01T10:00:00.123456Z');
    const nested = readAll(settings({ format: 'json', timeField: 'meta.at', timeFormat: 'unix' }), input);
    expect(nested[1]!.time).toBe('2024-05-01T10:00:00Z');
    const flat = readAll(settings({ format: 'json', timeField: 'log.time' }), input);
    expect(flat[2]!.time).toBe('2024-05-01T10:00:00Z');
  });

  it('json: an absent or unreadable value gives no time and a timeError, the record kept whole', () => {
    const records = readAll(
      settings({ format: 'json', timeField: 'ts', timeFormat: 'rfc3339' }),
      '{"ts":"yesterday","a":1}\n{"a":2}\n{"ts":{"deep":true}}\nnot json\n',
    );
    expect(records[0]).toMatchObject({ fields: { ts: 'yesterday', a: 1 }, data: { kind: 'json' } });
    expect(records[0]!.time).toBeUndefined();
    expect(records[0]!.timeError).toBe('time field "ts" ("yesterday") is not an RFC 3339 timestamp');
    expect(records[0]!.parseError).toBeUndefined();
    expect(records[1]!.timeError).toBe('time field "ts" is absent');
    expect(records[2]!.timeError).toBe('time field "ts" (an object) is not an RFC 3339 timestamp');
    // A line that did not parse has no fields to read: its parseError says why.
    expect(records[3]!.timeError).toBeUndefined();
    expect(records[3]!.time).toBeUndefined();
  });

  it('regex: reads a named group, here in Common Log Format', () => {
    const regex = /^(?<host>\S+) \S+ \S+ \[(?<when>[^\]]+)\] "(?<request>[^"]*)"/;
    const line = '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326\n';
    const [record] = readAll(
      settings({ format: 'regex', regex, timeField: 'when', timeFormat: 'clf' }),
      line,
    );
    expect(record!.time).toBe('2000-10-10T13:55:36-07:00');
    expect(record!.fields).toMatchObject({ host: '127.0.0.1', request: 'GET /apache_pb.gif HTTP/1.0' });
  });

  it('cri: the message’s time field wins over the runtime’s timestamp, which is the fallback', () => {
    const cri = (message: string) => `2024-01-01T00:00:00.000000001Z stdout F ${message}\n`;
    const records = readAll(
      settings({ format: 'cri', innerFormat: 'json', timeField: 'time', timeFormat: 'unix_ms' }),
      cri('{"time":1714557600000}') + cri('{"time":"bad"}') + cri('not json'),
    );
    expect(records[0]!.time).toBe('2024-05-01T10:00:00.000Z');
    expect(records[0]!.runtimeTime).toBe('2024-01-01T00:00:00.000000001Z');
    expect(records[1]!.time).toBe('2024-01-01T00:00:00.000000001Z');
    expect(records[1]!.timeError).toMatch(/not a Unix time in milliseconds/);
    expect(records[2]!.time).toBe('2024-01-01T00:00:00.000000001Z');
  });

  it('docker: reads a field of the regex-parsed message', () => {
    const regex = /^(?<at>\S+) (?<msg>.*)$/;
    const line = `${JSON.stringify({ log: '2024-05-01T12:00:00+02:00 ready\n', stream: 'stdout', time: '2024-05-01T10:00:01Z' })}\n`;
    const [record] = readAll(
      settings({ format: 'docker', innerFormat: 'regex', regex, timeField: 'at' }),
      line,
    );
    expect(record!.time).toBe('2024-05-01T12:00:00+02:00');
    expect(record!.runtimeTime).toBe('2024-05-01T10:00:01Z');
  });

  it('multi-line: reads the time of the joined record', () => {
    const options = settings({
      format: 'regex',
      regex: /^(?<at>\d+) (?<msg>[\s\S]*)$/,
      timeField: 'at',
      multiline: { continuation: /^\s/, maxLines: 10, timeoutMs: 10 },
    });
    const [record] = readAll(options, '1714557600 Error\n  at x\n');
    expect(record).toMatchObject({ time: '2024-05-01T10:00:00Z', fields: { msg: 'Error\n  at x' } });
  });
});
