// The kafka Source reads record batches as producers compress them: gzip, snappy, lz4 and zstd,
// written by librdkafka (kcat -z) and by Kafka's own Java codecs (a topic whose compression.type
// makes the broker recompress what it is sent), against the run's shared Kafka. Each test also
// watches the client's codec table, so that it proves batches of that codec really were read.
import { spawn } from 'node:child_process';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRecordConverter } from '../../connectors/kafka/record-event.js';
import { readKafkaSettings } from '../../connectors/kafka/settings.js';
import { KafkaSource } from '../../connectors/kafka/source.js';
import { createKafkaTopics, uniqueTopicName } from '../harness/index.js';
import { buildContext, mapper, RAW_CE } from '../unit/connectors/kafka/fixtures.js';
import { recordingContext } from './contract.js';

type Codec = 'gzip' | 'snappy' | 'lz4' | 'zstd';
const CODECS: readonly Codec[] = ['gzip', 'snappy', 'lz4', 'zstd'];
// kafkajs's codec table, through its default export as client.ts reaches it.
const { CompressionCodecs, CompressionTypes } = kafkajs;
const TYPES: Record<Codec, number> = {
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};
/** snappy-java's stream header, which Java producers put before their snappy blocks. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

interface Decompression {
  readonly codec: Codec;
  readonly xerial: boolean;
}

/**
 * Wraps each codec the client has registered (client.ts does it when the Source's modules load,
 * which the imports above did) to note every batch it decompresses; the wrapped codec does the
 * real work. Returns the notes and a function that puts the codecs back.
 */
function watchDecompressions(): { seen: Decompression[]; restore(): void } {
  type Factory = () => { compress: unknown; decompress(buffer: Buffer): Promise<Buffer> };
  const table = CompressionCodecs as unknown as Record<number, Factory>;
  const seen: Decompression[] = [];
  const originals = new Map<number, Factory>();
  for (const codec of CODECS) {
    const type = TYPES[codec];
    const original = table[type]!;
    originals.set(type, original);
    table[type] = () => {
      const real = original();
      return {
        compress: real.compress,
        decompress(buffer: Buffer) {
          seen.push({ codec, xerial: buffer.subarray(0, 8).equals(XERIAL_MAGIC) });
          return real.decompress(buffer);
        },
      };
    };
  }
  return {
    seen,
    restore() {
      for (const [type, original] of originals) table[type] = original;
    },
  };
}

/** Produces one record per line with kcat (librdkafka), `key|value`, compressed with `codec` or not at all. */
function kcatProduce(
  url: string,
  topic: string,
  lines: readonly string[],
  codec: Codec | 'none',
): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = ['-P', '-b', url, '-t', topic, '-K', '|', '-H', 'content-type=application/json'];
    args.push('-z', codec, '-X', 'linger.ms=100');
    const child = spawn('kcat', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`kcat exited with ${code}: ${stderr.trim()}`)),
    );
    child.stdin.end(`${lines.join('\n')}\n`);
  });
}

/** Records large enough together to fill several compression blocks (snappy-java's are 32 KiB, lz4's 64 KiB). */
function recordLines(prefix: string, count: number): { ids: string[]; lines: string[] } {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const pad = 'reading '.repeat(60);
  const lines = ids.map((id, i) => `key-${i}|${JSON.stringify({ id, n: i, pad })}`);
  return { ids, lines };
}

describe('kafka Source reading compressed record batches', () => {
  const url = inject('kafkaBrokers');
  let watch: ReturnType<typeof watchDecompressions>;
  beforeAll(() => {
    watch = watchDecompressions();
  });
  afterAll(() => {
    watch?.restore();
  });

  /** Starts a Source on `topic`, waits until it has every id, stops it, and returns the events. */
  async function readAll(topic: string, ids: readonly string[]) {
    const problems: string[] = [];
    const settings = readKafkaSettings(
      buildContext(
        { brokers: [url], topics: [topic], fromBeginning: true, sessionTimeout: 'PT10S' },
        RAW_CE,
        problems,
      ),
    );
    expect(problems).toEqual([]);
    const source = new KafkaSource('codecs', settings!, createRecordConverter(mapper(RAW_CE)), {
      reconnectDelayMs: () => 250,
    });
    const rec = recordingContext();
    await source.start(rec.ctx);
    try {
      await rec.waitFor(() => new Set(rec.ids()).size >= ids.length, `${ids.length} events`, 30_000);
    } finally {
      await source.stop();
    }
    expect(rec.deadLetters).toEqual([]);
    expect(new Set(rec.ids())).toEqual(new Set(ids));
    // The Source never had to give up on a batch: no reconnection.
    expect(rec.states.filter((s) => s.status === 'reconnecting')).toEqual([]);
    return rec.events;
  }

  for (const codec of CODECS) {
    it(`reads records a librdkafka producer compressed with ${codec}`, async () => {
      const topic = uniqueTopicName(`kcat-${codec}`);
      await createKafkaTopics(url, [topic]);
      const { ids, lines } = recordLines(`${codec}-kcat`, 300);
      const before = watch.seen.length;
      await kcatProduce(url, topic, lines, codec);
      const events = await readAll(topic, ids);
      const last = events.find((e) => e.attributes['id'] === ids.at(-1))!;
      expect(last.attributes['partitionkey']).toBe('key-299');
      // The value byte for byte (the ce mapping sets no content type, so the data stays bytes).
      expect(last.data).toEqual({
        kind: 'bytes',
        bytes: Buffer.from(lines.at(-1)!.slice('key-299|'.length)),
      });
      const seen = watch.seen.slice(before).filter((d) => d.codec === codec);
      expect(seen.length).toBeGreaterThan(0);
      // librdkafka sends one raw snappy block per batch, without snappy-java's framing.
      if (codec === 'snappy') expect(seen.some((d) => d.xerial)).toBe(false);
    });
  }

  for (const codec of ['snappy', 'lz4', 'zstd'] as const) {
    it(`reads records Kafka's Java ${codec} codec compressed (the topic's compression.type)`, async () => {
      const topic = uniqueTopicName(`java-${codec}`);
      await createKafkaTopics(url, [
        { topic, numPartitions: 1, configEntries: [{ name: 'compression.type', value: codec }] },
      ]);
      const { ids, lines } = recordLines(`${codec}-java`, 300);
      const before = watch.seen.length;
      // Sent uncompressed; the broker recompresses every batch with the topic's codec before storing it.
      await kcatProduce(url, topic, lines, 'none');
      await readAll(topic, ids);
      const seen = watch.seen.slice(before).filter((d) => d.codec === codec);
      expect(seen.length).toBeGreaterThan(0);
      // snappy-java frames its blocks (xerial framing), unlike librdkafka's raw snappy.
      if (codec === 'snappy') expect(seen.every((d) => d.xerial)).toBe(true);
    });
  }
});
