import { describe, expect, it } from 'vitest';
import { RecordPipeline } from '../../../../../connectors/log/records/pipeline.js';
import type { MultilineSettings } from '../../../../../connectors/log/records/settings.js';
import { bytes, readAll, settings, summary } from './fixtures.js';

const stackTrace: MultilineSettings = { continuation: /^(\s|Caused by:)/, maxLines: 500, timeoutMs: 1000 };

const trace = [
  'Exception in thread "main" java.lang.IllegalStateException: boom',
  '\tat com.example.App.run(App.java:42)',
  '\tat com.example.App.main(App.java:7)',
  'Caused by: java.io.IOException: disk',
  '\t... 2 more',
];

describe('log records: multi-line records', () => {
  it('joins a stack trace to the line before it, with \\n, ended by the next ordinary line', () => {
    const input = `starting\n${trace.join('\n')}\nrecovered\n`;
    const records = readAll(settings({ multiline: stackTrace }), input);
    expect(summary(records)).toEqual([
      [0, 'starting'],
      [9, trace.join('\n')],
      [9 + bytes(trace.join('\n')).length + 1, 'recovered'],
    ]);
    expect(records[1]!.end).toBe(9 + bytes(trace.join('\n')).length + 1);
  });

  it('holds the record, and the resume offset at its start, until a line that is no continuation', () => {
    const pipeline = new RecordPipeline(settings({ multiline: stackTrace }), 0);
    expect(pipeline.push(bytes(`${trace[0]}\n${trace[1]}\n`), 0)).toEqual([]);
    expect(pipeline.resumeOffset).toBe(0);
    const [record] = pipeline.push(bytes('next\n'), 1);
    expect(record!.line).toBe(`${trace[0]}\n${trace[1]}`);
    expect(pipeline.resumeOffset).toBe(record!.end);
  });

  it('completes a record at maxLines, and the next continuation starts a new one', () => {
    const records = readAll(
      settings({ multiline: { ...stackTrace, maxLines: 2 } }),
      'head\n a\n b\n c\nnext\n',
    );
    expect(summary(records)).toEqual([
      [0, 'head\n a'],
      [8, ' b\n c'],
      [14, 'next'],
    ]);
  });

  it('emits a record idle for multiline.timeoutMs', () => {
    const pipeline = new RecordPipeline(settings({ multiline: { ...stackTrace, timeoutMs: 300 } }), 0);
    pipeline.push(bytes('Error\n  at x\n'), 100);
    pipeline.push(bytes('  at y\n'), 200);
    expect(pipeline.nextDeadline()).toBe(500);
    expect(pipeline.flushIdle(499)).toEqual([]);
    expect(summary(pipeline.flushIdle(500))).toEqual([[0, 'Error\n  at x\n  at y']]);
    expect(pipeline.resumeOffset).toBe(20);
    // A late continuation starts a record of its own.
    expect(summary(pipeline.push(bytes('  at z\nok\n'), 900))).toEqual([[20, '  at z']]);
  });

  it('parses the joined text: a pretty-printed JSON object is one record', () => {
    const options = settings({
      format: 'json',
      multiline: { continuation: /^[\s}]/, maxLines: 50, timeoutMs: 10 },
    });
    const [record] = readAll(options, '{\n  "a": 1,\n  "b": [2]\n}\n{"c":3}\n');
    expect(record!.fields).toEqual({ a: 1, b: [2] });
  });

  it('joins per stream: a stdout line between stderr stack trace lines does not break it', () => {
    const cri = (stream: string, message: string) => `2024-01-01T00:00:00Z ${stream} F ${message}\n`;
    const input =
      cri('stderr', 'Exception: boom') +
      cri('stdout', 'request served') +
      cri('stderr', '    at handler') +
      cri('stdout', 'next request');
    const records = readAll(settings({ format: 'cri', multiline: stackTrace }), input);
    expect(records.map((r) => [r.stream, r.line])).toEqual([
      ['stderr', 'Exception: boom\n    at handler'],
      ['stdout', 'request served'],
      ['stdout', 'next request'],
    ]);
  });

  it('caps a joined record at maxLineBytes, counting every line', () => {
    const [record] = readAll(
      settings({ maxLineBytes: 12, multiline: stackTrace }),
      'Error\n at a\n at b\n at c\n',
    );
    expect(record!.line).toBe('Error\n at a\n');
    expect(record!.truncated).toEqual({ originalBytes: 23 });
  });

  it('joins raw bytes with encoding binary', () => {
    const input = Buffer.concat([Buffer.from([0x45, 0xff, 0x0a]), bytes(' at\nnext\n')]);
    const [record] = readAll(settings({ encoding: 'binary', multiline: stackTrace }), input);
    expect(record!.bytes).toEqual(new Uint8Array([0x45, 0xff, 0x0a, 0x20, 0x61, 0x74]));
    expect(record!.line).toBe('E\uFFFD\n at');
  });
});
