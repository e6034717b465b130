import { describe, expect, it } from 'vitest';
import { RecordPipeline } from '../../../../../connectors/log/records/pipeline.js';
import type { LogRecord } from '../../../../../connectors/log/records/record.js';
import type { RecordPipelineSettings } from '../../../../../connectors/log/records/settings.js';
import { bytes, randomCuts, readAll, readInChunks, seededRandom, settings } from './fixtures.js';

/**
 * The two promises everything else rests on, checked over generated files of every format:
 * chunking does not change the records, and a fresh pipeline started at resumeOffset after a
 * crash emits exactly the records not emitted yet, at the same offsets.
 */

interface Case {
  name: string;
  options: RecordPipelineSettings;
  input: Buffer;
}

const PARTIAL_LINE_TIMEOUT_MS = 40;
const MULTILINE_TIMEOUT_MS = 25;
/** Random crash points per generated file (each tried with and without time passing first). */
const CRASH_POINTS = 200;

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function lines(count: number, line: () => string, finalNewline: boolean): Buffer {
  const text = Array.from({ length: count }, line).join('\n');
  return bytes(finalNewline ? `${text}\n` : text);
}

const PLAIN_LINES = [
  'short',
  '',
  '\r',
  'with CR\r',
  'ünïcödé 日本語 🎉🎉',
  'x'.repeat(40),
  'é'.repeat(15),
  ' indented',
];
const JSON_LINES = [
  '{"a":1,"ts":"2024-01-01T00:00:00.123456Z"}',
  '{"ts":1700000000,"msg":"é 🎉"}',
  '[1,2]',
  'garbage',
  '{"broken":',
  '',
  '{"nested":{"ts":"x"}}',
];
const TRACE_LINES = [
  'Exception: boom',
  '\tat a(A.java:1)',
  '  at b',
  'Caused by: cause',
  'info line',
  '',
  'ünïcödé',
];
const MESSAGES = ['hello', '', 'ünïcödé 🎉', '{"k":"v"}', 'Exception: e', '  at frame', 'x'.repeat(30)];

function criLine(random: () => number, message: string): string {
  if (random() < 0.05) return 'not a cri line';
  const stream = random() < 0.5 ? 'stdout' : 'stderr';
  const tag = random() < 0.4 ? 'P' : random() < 0.5 ? 'F' : 'F:x';
  return `2024-01-01T00:00:0${Math.floor(random() * 10)}.${Math.floor(random() * 1e9)}Z ${stream} ${tag} ${message}`;
}

function dockerLine(random: () => number, message: string): string {
  if (random() < 0.05) return '{"not":"docker"}';
  const stream = random() < 0.5 ? 'stdout' : 'stderr';
  const log = random() < 0.4 ? message : `${message}\n`;
  return JSON.stringify({ log, stream, time: '2019-04-30T12:34:56.123456789Z' });
}

function cases(seed: number): Case[] {
  const random = seededRandom(seed);
  const multiline = { continuation: /^(\s|Caused by:)/, maxLines: 4, timeoutMs: MULTILINE_TIMEOUT_MS };
  const base = { partialLineTimeoutMs: PARTIAL_LINE_TIMEOUT_MS };
  const tail = () => random() < 0.5;
  return [
    {
      name: 'plain',
      options: settings({ ...base, maxLineBytes: 24 }),
      input: lines(30, () => pick(random, PLAIN_LINES), tail()),
    },
    {
      name: 'json',
      options: settings({ ...base, format: 'json', timeField: 'ts', maxLineBytes: 40 }),
      input: lines(25, () => pick(random, JSON_LINES), tail()),
    },
    {
      name: 'cri with partials',
      options: settings({ ...base, format: 'cri', innerFormat: 'json', maxLineBytes: 90 }),
      input: lines(25, () => criLine(random, pick(random, MESSAGES)), tail()),
    },
    {
      name: 'docker with partials',
      options: settings({ ...base, format: 'docker', maxLineBytes: 120 }),
      input: lines(20, () => dockerLine(random, pick(random, MESSAGES)), tail()),
    },
    {
      name: 'multiline',
      options: settings({ ...base, multiline, maxLineBytes: 60 }),
      input: lines(35, () => pick(random, TRACE_LINES), tail()),
    },
    {
      name: 'cri with partials and multiline',
      options: settings({ ...base, format: 'cri', multiline, maxLineBytes: 90 }),
      input: lines(25, () => criLine(random, pick(random, TRACE_LINES)), tail()),
    },
  ];
}

/** A pipeline that checks, at every step, what must hold of whatever it emits. */
class CheckedPipeline {
  private readonly pipeline: RecordPipeline;
  private lastResume: number;
  private lastOffset = -1;
  private position: number;

  constructor(options: RecordPipelineSettings, start: number) {
    this.pipeline = new RecordPipeline(options, start);
    this.lastResume = start;
    this.position = start;
  }

  get resumeOffset(): number {
    return this.pipeline.resumeOffset;
  }

  push(chunk: Uint8Array, now: number): LogRecord[] {
    this.position += chunk.length;
    return this.check(this.pipeline.push(chunk, now));
  }

  flushIdle(now: number): LogRecord[] {
    return this.check(this.pipeline.flushIdle(now));
  }

  flushAll(): LogRecord[] {
    const records = this.check(this.pipeline.flushAll());
    expect(this.pipeline.resumeOffset).toBe(this.position);
    return records;
  }

  /** Plain comparisons rather than expect(): this runs for every record of thousands of pipelines. */
  private check(records: LogRecord[]): LogRecord[] {
    const resume = this.pipeline.resumeOffset;
    if (resume < this.lastResume) fail(`resumeOffset moved back from ${this.lastResume} to ${resume}`);
    if (resume > this.position) fail(`resumeOffset ${resume} is past the bytes read (${this.position})`);
    for (const record of records) {
      // In offset order (records of interleaved streams may overlap), none before what was
      // already passed, each wholly before what is still held.
      if (record.offset <= this.lastOffset)
        fail(`record at ${record.offset} emitted after one at ${this.lastOffset}`);
      if (record.offset < this.lastResume)
        fail(`record at ${record.offset} is before the resume offset ${this.lastResume}`);
      if (record.end <= record.offset || record.end > resume)
        fail(`record ${record.offset}-${record.end} is not wholly before the resume offset ${resume}`);
      this.lastOffset = record.offset;
    }
    this.lastResume = resume;
    return records;
  }
}

function fail(message: string): never {
  throw new Error(message);
}

/** Pushes input[from, to) in a few random chunks, each at the time of its first byte (1 ms a byte). */
function pushRange(pipeline: CheckedPipeline, input: Buffer, from: number, to: number, random: () => number) {
  const records: LogRecord[] = [];
  const cuts = randomCuts(random, to - from, Math.floor(random() * 4)).map((cut) => from + cut);
  let start = from;
  for (const cut of [...cuts, to]) {
    records.push(...pipeline.push(input.subarray(start, cut), start));
    start = cut;
  }
  return records;
}

describe('log records: properties', () => {
  for (const seed of [1, 2, 3]) {
    for (const { name, options, input } of cases(seed)) {
      it(`${name} (seed ${seed}): any chunking gives the same records as one chunk`, () => {
        const reference = readAll(options, input);
        expect(reference.length).toBeGreaterThan(3);
        for (let cut = 1; cut < input.length; cut++)
          expect(readInChunks(options, input, [cut])).toEqual(reference);
        const everyByte = Array.from({ length: input.length - 1 }, (_, i) => i + 1);
        expect(readInChunks(options, input, everyByte)).toEqual(reference);
        const random = seededRandom(seed * 7);
        for (let i = 0; i < 20; i++)
          expect(readInChunks(options, input, randomCuts(random, input.length, 10))).toEqual(reference);
      });

      it(`${name} (seed ${seed}): after a crash at a random point, resuming at resumeOffset emits exactly what was not emitted`, () => {
        const reference = readAll(options, input);
        const random = seededRandom(seed * 13);
        const crashPoints = [0, ...randomCuts(random, input.length, CRASH_POINTS), input.length];
        for (const crashAt of crashPoints) {
          for (const idle of [false, true]) {
            const first = new CheckedPipeline(options, 0);
            const before = pushRange(first, input, 0, crashAt, random);
            // Sometimes time passes before the crash: some of what is held is given up, some not.
            if (idle)
              before.push(...first.flushIdle(crashAt + Math.floor(random() * 2 * PARTIAL_LINE_TIMEOUT_MS)));
            const resumeAt = first.resumeOffset;
            const after = [...pushRange(first, input, crashAt, input.length, random), ...first.flushAll()];

            const second = new CheckedPipeline(options, resumeAt);
            const resumed = [
              ...pushRange(second, input, resumeAt, input.length, random),
              ...second.flushAll(),
            ];
            expect(resumed, `crash at ${crashAt}, resumed at ${resumeAt}, idle ${idle}`).toEqual(after);
            if (!idle) expect([...before, ...after]).toEqual(reference);
          }
        }
      });
    }
  }
});
