import { describe, expect, it } from 'vitest';
import { RecordPipeline } from '../../../../../connectors/log/records/pipeline.js';
import { bytes, readAll, settings, summary } from './fixtures.js';

describe('log records: cutting bytes into lines', () => {
  it('ends a line at \\n, drops a CR before it from the text but counts it in the offsets', () => {
    const records = readAll(settings(), 'first\r\nsecond\nthird\r\n');
    expect(records.map(({ offset, end, line }) => ({ offset, end, line }))).toEqual([
      { offset: 0, end: 7, line: 'first' },
      { offset: 7, end: 14, line: 'second' },
      { offset: 14, end: 21, line: 'third' },
    ]);
    expect(records[0]!.data).toEqual({ kind: 'text', text: 'first' });
    expect(records[0]!.fields).toBeUndefined();
  });

  it('emits nothing for an empty line, but moves the resume offset past it', () => {
    const pipeline = new RecordPipeline(settings(), 100);
    const records = pipeline.push(bytes('a\n\n\r\n\nb\n\n'), 0);
    expect(summary(records)).toEqual([
      [100, 'a'],
      [106, 'b'],
    ]);
    expect(pipeline.resumeOffset).toBe(109);
  });

  it('keeps a CR that is not right before the newline', () => {
    expect(summary(readAll(settings(), 'a\rb\n'))).toEqual([[0, 'a\rb']]);
  });

  it('holds a line until its newline arrives, with the resume offset at its start', () => {
    const pipeline = new RecordPipeline(settings(), 0);
    expect(pipeline.push(bytes('one\ntw'), 0).map((r) => r.line)).toEqual(['one']);
    expect(pipeline.resumeOffset).toBe(4);
    expect(pipeline.push(bytes('o'), 1)).toEqual([]);
    expect(pipeline.resumeOffset).toBe(4);
    const [two] = pipeline.push(bytes('\n'), 2);
    expect(two).toMatchObject({ offset: 4, end: 8, line: 'two' });
    expect(pipeline.resumeOffset).toBe(8);
  });

  it('emits an unfinished last line after partialLineTimeoutMs without new bytes, and never repeats it', () => {
    const pipeline = new RecordPipeline(settings({ partialLineTimeoutMs: 500 }), 0);
    pipeline.push(bytes('done\nhalf a'), 1000);
    pipeline.push(bytes(' line'), 1200);
    expect(pipeline.nextDeadline()).toBe(1700);
    expect(pipeline.flushIdle(1699)).toEqual([]);
    const [half] = pipeline.flushIdle(1700);
    expect(half).toMatchObject({ offset: 5, end: 16, line: 'half a line' });
    expect(pipeline.resumeOffset).toBe(16);
    expect(pipeline.nextDeadline()).toBeUndefined();
    // The rest of the same line is a record of its own, at its own offset.
    pipeline.push(bytes(' and more'), 2000);
    expect(pipeline.resumeOffset).toBe(16);
    const [rest] = pipeline.push(bytes('\nnext\n'), 2100);
    expect(rest).toMatchObject({ offset: 16, end: 26, line: ' and more' });
    expect(pipeline.resumeOffset).toBe(31);
  });

  it('has no deadline while nothing is held', () => {
    const pipeline = new RecordPipeline(settings(), 0);
    pipeline.push(bytes('complete\n'), 0);
    expect(pipeline.nextDeadline()).toBeUndefined();
    expect(pipeline.flushIdle(1e12)).toEqual([]);
  });

  it('flushAll emits the unfinished line, and later bytes start a new line', () => {
    const pipeline = new RecordPipeline(settings(), 0);
    pipeline.push(bytes('a\nb'), 0);
    expect(summary(pipeline.flushAll())).toEqual([[2, 'b']]);
    expect(pipeline.resumeOffset).toBe(3);
    expect(summary(pipeline.push(bytes('c\n'), 0))).toEqual([[3, 'c']]);
  });

  it('cuts a line longer than maxLineBytes, on a character boundary, and says how long it was', () => {
    // 'é' is two bytes: the cut at 6 would fall inside the second one, so it backs off to 5.
    const records = readAll(settings({ maxLineBytes: 6 }), 'abcéé fin\nshort\n');
    expect(records[0]).toMatchObject({ offset: 0, end: 12, line: 'abcé', truncated: { originalBytes: 11 } });
    expect(records[1]).toMatchObject({ offset: 12, end: 18, line: 'short' });
    expect(records[1]!.truncated).toBeUndefined();
  });

  it('does not count the CR before the newline as part of a line of exactly maxLineBytes', () => {
    const [record] = readAll(settings({ maxLineBytes: 4 }), 'abcd\r\n');
    expect(record).toMatchObject({ line: 'abcd', end: 6 });
    expect(record!.truncated).toBeUndefined();
  });

  it('cuts a line of several megabytes holding no more than maxLineBytes of it', () => {
    const maxLineBytes = 64 * 1024;
    const chunkSize = 100_000;
    const lineBytes = 5 * 1024 * 1024 + 3;
    const pipeline = new RecordPipeline(settings({ maxLineBytes }), 0);
    const chunk = Buffer.alloc(chunkSize, 'x');
    let sent = 0;
    while (sent < lineBytes) {
      const size = Math.min(chunkSize, lineBytes - sent);
      expect(pipeline.push(chunk.subarray(0, size), 0)).toEqual([]);
      sent += size;
      expect(pipeline.bufferedLineBytes).toBeLessThanOrEqual(maxLineBytes);
      expect(pipeline.resumeOffset).toBe(0);
    }
    const [record, next] = pipeline.push(bytes('\r\nafter\n'), 0);
    expect(record!.offset).toBe(0);
    expect(record!.end).toBe(lineBytes + 2);
    expect(record!.line.length).toBe(maxLineBytes);
    expect(record!.truncated).toEqual({ originalBytes: lineBytes });
    expect(next).toMatchObject({ offset: lineBytes + 2, line: 'after' });
    expect(pipeline.bufferedLineBytes).toBe(0);
  });

  it('emits what it kept of a long unfinished line on timeout, and the rest as new lines', () => {
    const pipeline = new RecordPipeline(settings({ maxLineBytes: 4, partialLineTimeoutMs: 10 }), 0);
    pipeline.push(bytes('0123456789'), 0);
    expect(pipeline.bufferedLineBytes).toBe(4);
    expect(pipeline.flushIdle(10)).toMatchObject([
      { offset: 0, end: 10, line: '0123', truncated: { originalBytes: 10 } },
    ]);
    expect(pipeline.push(bytes('ab\n'), 20)).toMatchObject([{ offset: 10, end: 13, line: 'ab' }]);
  });

  it('decodes invalid UTF-8 and binary garbage as U+FFFD, never throwing', () => {
    const garbage = Buffer.from([
      0xff, 0xfe, 0x41, 0xc3, 0x28, 0xe2, 0x82, 0x0a, 0xed, 0xa0, 0x80, 0x00, 0x0a,
    ]);
    const records = readAll(settings(), garbage);
    expect(records.map((r) => r.line)).toEqual(['\uFFFD\uFFFDA\uFFFD(\uFFFD', '\uFFFD\uFFFD\uFFFD\u0000']);
    expect(records.map((r) => [r.offset, r.end])).toEqual([
      [0, 8],
      [8, 13],
    ]);
    const random = Buffer.alloc(64 * 1024);
    for (let i = 0; i < random.length; i++) random[i] = (i * 7919 + (i >> 3) * 31) & 0xff;
    for (const format of ['plain', 'json', 'cri', 'docker'] as const) {
      const options = settings({
        format,
        maxLineBytes: 100,
        multiline: { continuation: /^\s/, maxLines: 5, timeoutMs: 1 },
      });
      expect(() => readAll(options, random)).not.toThrow();
    }
  });

  it('keeps the raw bytes with encoding binary', () => {
    const input = Buffer.from([0x61, 0xff, 0x0d, 0x0a, 0x62, 0x0a]);
    const records = readAll(settings({ encoding: 'binary' }), input);
    expect(records[0]).toMatchObject({ offset: 0, end: 4, line: 'a\uFFFD' });
    expect(records[0]!.data).toEqual({ kind: 'bytes', bytes: new Uint8Array([0x61, 0xff]) });
    expect(records[0]!.bytes).toEqual(new Uint8Array([0x61, 0xff]));
    expect(records[1]!.data).toEqual({ kind: 'bytes', bytes: new Uint8Array([0x62]) });
  });

  it('copies what it keeps, so a caller may reuse its read buffer', () => {
    const pipeline = new RecordPipeline(settings({ encoding: 'binary' }), 0);
    const buffer = Buffer.from('abc\nde');
    const [abc] = pipeline.push(buffer, 0);
    buffer.fill(0x7a);
    const [de] = pipeline.push(bytes('\n'), 0);
    expect(abc!.bytes).toEqual(new Uint8Array(Buffer.from('abc')));
    expect(de!.line).toBe('de');
  });

  it('accepts a plain Uint8Array chunk and an offset to start from', () => {
    const pipeline = new RecordPipeline(settings(), 5000);
    const view = new Uint8Array(new TextEncoder().encode('xxhello\n').buffer, 2);
    expect(summary(pipeline.push(view, 0))).toEqual([[5000, 'hello']]);
    expect(pipeline.resumeOffset).toBe(5006);
  });
});
