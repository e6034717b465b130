import { RecordPipeline } from '../../../../../connectors/log/records/pipeline.js';
import type { LogRecord } from '../../../../../connectors/log/records/record.js';
import type { RecordPipelineSettings } from '../../../../../connectors/log/records/settings.js';

/** Settings as the Source's builder would give them, defaults applied, with `overrides` on top. */
export function settings(overrides: Partial<RecordPipelineSettings> = {}): RecordPipelineSettings {
  return {
    format: 'plain',
    innerFormat: 'plain',
    maxLineBytes: 1024 * 1024,
    encoding: 'utf8',
    partialLineTimeoutMs: 1000,
    ...overrides,
  };
}

export function bytes(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/** Every record of `input` read in one chunk, then everything held flushed (the whole file's records). */
export function readAll(
  options: RecordPipelineSettings,
  input: string | Uint8Array,
  startOffset = 0,
): LogRecord[] {
  const pipeline = new RecordPipeline(options, startOffset);
  const data = typeof input === 'string' ? bytes(input) : input;
  return [...pipeline.push(data, 0), ...pipeline.flushAll()];
}

/** Reads `input` in chunks cut at the given positions (ascending), then flushes everything. */
export function readInChunks(
  options: RecordPipelineSettings,
  input: Uint8Array,
  cuts: number[],
): LogRecord[] {
  const pipeline = new RecordPipeline(options, 0);
  const records: LogRecord[] = [];
  let from = 0;
  for (const cut of [...cuts, input.length]) {
    records.push(...pipeline.push(input.subarray(from, cut), 0));
    from = cut;
  }
  return [...records, ...pipeline.flushAll()];
}

/** The records' offsets and texts, which is what most tests compare. */
export function summary(records: LogRecord[]): Array<[number, string]> {
  return records.map((record) => [record.offset, record.line]);
}

/** A small deterministic PRNG (mulberry32), so that a failing random case can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sorted distinct cut positions strictly inside [0, length). */
export function randomCuts(random: () => number, length: number, count: number): number[] {
  const cuts = new Set<number>();
  for (let i = 0; i < count; i++) cuts.add(1 + Math.floor(random() * Math.max(length - 1, 1)));
  return [...cuts].filter((cut) => cut < length).sort((a, b) => a - b);
}
