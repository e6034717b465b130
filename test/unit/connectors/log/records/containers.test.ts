import { describe, expect, it } from 'vitest';
import { RecordPipeline } from '../../../../../connectors/log/records/pipeline.js';
import { bytes, readAll, settings, summary } from './fixtures.js';

const cri = (time: string, stream: string, tag: string, message: string) =>
  `${time} ${stream} ${tag} ${message}\n`;
const docker = (log: string, stream: string, time = '2019-04-30T12:34:56.123456789Z') =>
  `${JSON.stringify({ log, stream, time })}\n`;

describe('log records: CRI format', () => {
  it('unwraps TIME STREAM TAG MESSAGE, with the runtime time and stream', () => {
    const [record] = readAll(
      settings({ format: 'cri' }),
      cri('2016-10-06T00:17:09.669794202Z', 'stdout', 'F', 'hello world'),
    );
    expect(record).toMatchObject({
      offset: 0,
      line: 'hello world',
      stream: 'stdout',
      time: '2016-10-06T00:17:09.669794202Z',
      runtimeTime: '2016-10-06T00:17:09.669794202Z',
      data: { kind: 'text', text: 'hello world' },
    });
    expect(record!.fields).toBeUndefined();
  });

  it('joins P, P, F of one stream while the other stream interleaves, each at its first partial offset', () => {
    const lines = [
      cri('2024-01-01T00:00:01Z', 'stdout', 'P', 'out-1 '),
      cri('2024-01-01T00:00:02Z', 'stderr', 'P', 'err-1 '),
      cri('2024-01-01T00:00:03Z', 'stdout', 'P', 'out-2 '),
      cri('2024-01-01T00:00:04Z', 'stderr', 'F', 'err-2'),
      cri('2024-01-01T00:00:05Z', 'stdout', 'F:extra', 'out-3'),
      cri('2024-01-01T00:00:06Z', 'stderr', 'F', 'alone'),
    ];
    const starts = lines.map((_, i) => bytes(lines.slice(0, i).join('')).length);
    const records = readAll(settings({ format: 'cri' }), lines.join(''));
    expect(summary(records)).toEqual([
      [starts[0]!, 'out-1 out-2 out-3'],
      [starts[1]!, 'err-1 err-2'],
      [starts[5]!, 'alone'],
    ]);
    expect(records.map((r) => [r.stream, r.time, r.end])).toEqual([
      ['stdout', '2024-01-01T00:00:01Z', starts[5]],
      ['stderr', '2024-01-01T00:00:02Z', starts[4]],
      ['stderr', '2024-01-01T00:00:06Z', bytes(lines.join('')).length],
    ]);
  });

  it('emits nothing past an open partial run, so that a crash re-reads it whole', () => {
    const pipeline = new RecordPipeline(settings({ format: 'cri' }), 0);
    const open = cri('2024-01-01T00:00:01Z', 'stdout', 'P', 'begun ');
    const other = cri('2024-01-01T00:00:02Z', 'stderr', 'F', 'meanwhile');
    expect(pipeline.push(bytes(open + other), 0)).toEqual([]);
    expect(pipeline.resumeOffset).toBe(0);
    const last = cri('2024-01-01T00:00:03Z', 'stdout', 'F', 'done');
    const records = pipeline.push(bytes(last), 0);
    expect(records.map((r) => r.line)).toEqual(['begun done', 'meanwhile']);
    expect(pipeline.resumeOffset).toBe(bytes(open + other + last).length);
  });

  it('gives up a partial run idle for partialLineTimeoutMs, with what it has', () => {
    const pipeline = new RecordPipeline(settings({ format: 'cri', partialLineTimeoutMs: 100 }), 0);
    pipeline.push(bytes(cri('2024-01-01T00:00:01Z', 'stdout', 'P', 'never finished')), 50);
    expect(pipeline.nextDeadline()).toBe(150);
    expect(pipeline.flushIdle(149)).toEqual([]);
    expect(summary(pipeline.flushIdle(150))).toEqual([[0, 'never finished']]);
    expect(pipeline.nextDeadline()).toBeUndefined();
  });

  it('parses the joined message with innerFormat, fields being the message’s own', () => {
    const input =
      cri('2024-01-01T00:00:01Z', 'stdout', 'P', '{"stream":"mine",') +
      cri('2024-01-01T00:00:02Z', 'stdout', 'F', '"level":"info"}');
    const [record] = readAll(settings({ format: 'cri', innerFormat: 'json' }), input);
    expect(record!.fields).toEqual({ stream: 'mine', level: 'info' });
    expect(record!.stream).toBe('stdout');
  });

  it('keeps a line not in CRI shape as text with a parseError, never dropped', () => {
    const input = `not a cri line\n${cri('yesterday', 'stdout', 'F', 'x')}${cri('2024-01-01T00:00:01Z', 'stdin', 'F', 'x')}${cri('2024-01-01T00:00:01Z', 'stdout', 'X', 'x')}`;
    const records = readAll(settings({ format: 'cri', innerFormat: 'json' }), input);
    expect(records).toHaveLength(4);
    for (const record of records) {
      expect(record.parseError).toMatch(/CRI/);
      expect(record.data).toEqual({ kind: 'text', text: record.line });
      expect(record.stream).toBeUndefined();
    }
    expect(records[0]!.line).toBe('not a cri line');
  });

  it('reads an empty message, with or without the space before it', () => {
    const records = readAll(
      settings({ format: 'cri' }),
      '2024-01-01T00:00:01Z stdout F \n2024-01-01T00:00:01Z stderr F\n',
    );
    expect(records.map((r) => [r.line, r.stream, r.parseError])).toEqual([
      ['', 'stdout', undefined],
      ['', 'stderr', undefined],
    ]);
  });

  it('caps a joined message at maxLineBytes, counting the full length', () => {
    const parts = ['P', 'P', 'P', 'F'].map((tag, i) =>
      cri('2024-01-01T00:00:01Z', 'stdout', tag, `${i}`.repeat(20)),
    );
    const [whole] = readAll(settings({ format: 'cri', maxLineBytes: 80 }), parts.join(''));
    expect(whole!.line).toBe(['0', '1', '2', '3'].map((digit) => digit.repeat(20)).join(''));
    expect(whole!.truncated).toBeUndefined();
    const [capped] = readAll(settings({ format: 'cri', maxLineBytes: 60 }), parts.join(''));
    expect(capped!.line).toBe(['0', '1', '2'].map((digit) => digit.repeat(20)).join(''));
    expect(capped!.truncated).toEqual({ originalBytes: 80 });
  });

  it('counts the full message of a CRI line cut at maxLineBytes', () => {
    const [record] = readAll(
      settings({ format: 'cri', maxLineBytes: 40 }),
      cri('2024-01-01T00:00:01Z', 'stdout', 'F', 'x'.repeat(100)),
    );
    expect(record!.line).toBe('x'.repeat(10));
    expect(record!.truncated).toEqual({ originalBytes: 100 });
  });
});

describe('log records: docker json-file format', () => {
  it('unwraps log, stream and time, dropping the newline that ends log', () => {
    const [record] = readAll(settings({ format: 'docker' }), docker('hello\r\n', 'stderr'));
    expect(record).toMatchObject({
      offset: 0,
      line: 'hello',
      stream: 'stderr',
      time: '2019-04-30T12:34:56.123456789Z',
      data: { kind: 'text', text: 'hello' },
    });
  });

  it('joins entries whose log does not end in a newline, per stream', () => {
    const lines = [
      docker('a'.repeat(5), 'stdout', '2019-01-01T00:00:01Z'),
      docker('err\n', 'stderr', '2019-01-01T00:00:02Z'),
      docker('b'.repeat(5), 'stdout', '2019-01-01T00:00:03Z'),
      docker('end\n', 'stdout', '2019-01-01T00:00:04Z'),
    ];
    const starts = lines.map((_, i) => bytes(lines.slice(0, i).join('')).length);
    const records = readAll(settings({ format: 'docker' }), lines.join(''));
    expect(summary(records)).toEqual([
      [starts[0]!, 'aaaaabbbbbend'],
      [starts[1]!, 'err'],
    ]);
    expect(records[0]!.time).toBe('2019-01-01T00:00:01Z');
  });

  it('parses the message with innerFormat regex', () => {
    const regex = /^(?<method>[A-Z]+) (?<path>\S+)$/;
    const [record] = readAll(
      settings({ format: 'docker', innerFormat: 'regex', regex }),
      docker('GET /health\n', 'stdout'),
    );
    expect(record!.fields).toEqual({ method: 'GET', path: '/health' });
    expect(record!.data).toEqual({ kind: 'json', value: { method: 'GET', path: '/health' } });
  });

  it('keeps a line that is not a docker entry as text with a parseError', () => {
    const input = 'plain\n{"log":1,"stream":"stdout"}\n{"log":"x\\n","stream":"other"}\n[1]\n';
    const records = readAll(settings({ format: 'docker' }), input);
    expect(records.map((r) => r.line)).toEqual([
      'plain',
      '{"log":1,"stream":"stdout"}',
      '{"log":"x\\n","stream":"other"}',
      '[1]',
    ]);
    for (const record of records) expect(record.parseError).toMatch(/docker/);
  });

  it('keeps the entry without a time when docker’s time is not a timestamp', () => {
    const [record] = readAll(settings({ format: 'docker' }), docker('x\n', 'stdout', 'soon'));
    expect(record!.line).toBe('x');
    expect(record!.time).toBeUndefined();
    expect(record!.runtimeTime).toBeUndefined();
  });
});

describe('log records: many records behind an unfinished one', () => {
  it('gives the unfinished run up rather than hold records without bound', () => {
    const pipeline = new RecordPipeline(settings({ format: 'cri' }), 0);
    pipeline.push(bytes(cri('2024-01-01T00:00:01Z', 'stderr', 'P', 'stuck')), 0);
    const line = cri('2024-01-01T00:00:01Z', 'stdout', 'F', 'x');
    const records = pipeline.push(bytes(line.repeat(10_001)), 0);
    expect(records).toHaveLength(10_002);
    expect(records[0]!.line).toBe('stuck');
    expect(pipeline.resumeOffset).toBe(
      bytes(cri('2024-01-01T00:00:01Z', 'stderr', 'P', 'stuck') + line.repeat(10_001)).length,
    );
  });
});
