// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are ce templates, whose ${...} is the manifest language
/**
 * Kafka to a function: records/s from a Kafka topic to a local HTTP function through the real
 * broker (CLI child process: kafka Source, durable SQLite store, dispatcher), beside a raw
 * baseline in the same run: a kafkajs consumer reading the same records and POSTing each to the
 * same function with undici (32 requests in flight, like a subscription's default concurrency),
 * storing nothing. Both read records already in the topic; the rate is measured from the first
 * delivery to the last, so group joins and process start-up are left out of both.
 *
 *   node --import tsx bench/kafka.ts [--records 20000]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type EachBatchPayload, Kafka, logLevel, type Message, Partitioners } from 'kafkajs';
import { Agent, request } from 'undici';
import { createKafkaTopics, kafkaBrokerList, startKafka, uniqueTopicName } from '../test/harness/kafka.js';

process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface KafkaBenchRow {
  name: string;
  brokerPerSec: number;
  baselinePerSec: number;
  ratio: number;
}

interface Scenario {
  name: string;
  partitions: number;
  /** The records, by number; each has a distinct id in `ce-id` of what reaches the function. */
  record(i: number): Message;
  /** The Source's `ce` block (raw records need one). */
  ce: Record<string, unknown> | undefined;
}

const PAYLOAD = (i: number) =>
  JSON.stringify({ id: `r-${i}`, deviceId: 'sensor-7', temperature: 21.5, humidity: 40 });

const SCENARIOS: Scenario[] = [
  {
    name: 'raw JSON records, ce mapping, 1 partition',
    partitions: 1,
    record: (i) => ({ key: `k-${i}`, value: PAYLOAD(i), headers: { 'content-type': 'application/json' } }),
    ce: { type: 'com.example.bench.reading', source: '/kafka/${topic}', id: '${body.id}' },
  },
  {
    name: 'raw JSON records, ce mapping, 4 partitions',
    partitions: 4,
    record: (i) => ({ key: `k-${i}`, value: PAYLOAD(i), headers: { 'content-type': 'application/json' } }),
    ce: { type: 'com.example.bench.reading', source: '/kafka/${topic}', id: '${body.id}' },
  },
  {
    name: 'binary-mode CloudEvents, 4 partitions',
    partitions: 4,
    record: (i) => ({
      key: `k-${i}`,
      value: PAYLOAD(i),
      headers: {
        ce_specversion: '1.0',
        ce_id: `r-${i}`,
        ce_type: 'com.example.bench.reading',
        ce_source: '/bench/sensor-7',
        'content-type': 'application/json',
      },
    }),
    ce: undefined,
  },
];

/** The function both sides deliver to: answers 200 and notes when each distinct id first came. */
async function startCountingFunction() {
  const seen = new Set<string>();
  let first = 0;
  let last = 0;
  let target = Number.POSITIVE_INFINITY;
  let reached: () => void = () => undefined;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['ce-id']);
      if (!seen.has(id)) {
        seen.add(id);
        const now = performance.now();
        if (seen.size === 1) first = now;
        last = now;
        if (seen.size >= target) reached();
      }
      res.writeHead(200).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Resets the count and resolves with records/s once `n` distinct ids arrived. */
    expect(n: number, timeoutMs: number): Promise<number> {
      seen.clear();
      target = n;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`only ${seen.size} of ${n} records arrived`)),
          timeoutMs,
        );
        reached = () => {
          clearTimeout(timer);
          resolve((n - 1) / ((last - first) / 1000));
        };
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function produce(brokers: string, topic: string, scenario: Scenario, records: number): Promise<void> {
  const producer = new Kafka({ brokers: kafkaBrokerList(brokers), logLevel: logLevel.NOTHING }).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    for (let i = 0; i < records; i += 1_000) {
      const messages = Array.from({ length: Math.min(1_000, records - i) }, (_, j) => scenario.record(i + j));
      await producer.send({ topic, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Starts `trigger-broker start` on `dir/config`; resolves with the process and its port once it listens. */
async function startBrokerProcess(dir: string): Promise<{ child: ChildProcess; port: number }> {
  const args = [
    'start',
    join(dir, 'config'),
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    '--data',
    join(dir, 'data'),
  ];
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bin', 'trigger-broker.js'), ...args, '--log-level', 'info'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the broker exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (/"level":(50|60)/.test(line)) process.stderr.write(`[broker] ${line}\n`);
      if (line.includes('"msg":"trigger-broker listening"')) resolve(Number(JSON.parse(line).port));
    });
  });
  return { child, port };
}

/** A broker configuration: the Kafka Source and one subscription (to the function, or matching nothing). */
function writeBrokerConfig(dir: string, source: Record<string, unknown>, sinkUrl: string | undefined): void {
  const manifest = (kind: string, name: string, spec: unknown) =>
    `apiVersion: trigger-broker/v1\nkind: ${kind}\nmetadata: { name: ${name} }\nspec: ${JSON.stringify(spec)}\n`;
  mkdirSync(join(dir, 'config'));
  writeFileSync(join(dir, 'config', 'source.yaml'), manifest('Source', 'bench', source));
  const subscription =
    sinkUrl === undefined
      ? { filters: [{ exact: { type: 'com.example.nothing' } }], sink: { uri: 'http://127.0.0.1:9/x' } }
      : { sink: { uri: sinkUrl } };
  writeFileSync(join(dir, 'config', 'sub.yaml'), manifest('Subscription', 'fn', subscription));
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** kafkajs reads the topic and POSTs every record, `inFlight` at a time per batch, then commits. */
async function runBaseline(brokers: string, topic: string, functionUrl: string, inFlight: number) {
  const agent = new Agent({ connections: inFlight, pipelining: 1 });
  const consumer = new Kafka({ brokers: kafkaBrokerList(brokers), logLevel: logLevel.NOTHING }).consumer({
    groupId: `baseline-${topic}`,
    maxWaitTimeInMs: 1_000,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const post = async (value: Buffer | null, id: string) => {
    const res = await request(`${functionUrl}/fn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'ce-id': id },
      body: value ?? '',
      dispatcher: agent,
    });
    await res.body.dump();
  };
  await consumer.run({
    partitionsConsumedConcurrently: 4,
    eachBatch: async ({ batch }: EachBatchPayload) => {
      let next = 0;
      const worker = async () => {
        while (next < batch.messages.length) {
          const message = batch.messages[next++]!;
          await post(message.value, JSON.parse(String(message.value)).id);
        }
      };
      await Promise.all(Array.from({ length: inFlight }, worker));
    },
  });
  return async () => {
    await consumer.disconnect();
    await agent.close();
  };
}

/**
 * A rate over the stretch from a tenth of `n` to all of it, so that start-up, the group join and
 * the first fetches (which arrive in large batches) are left out.
 */
class WindowRate {
  private start: { at: number; count: number } | undefined;
  constructor(private readonly n: number) {}
  /** Notes the count now; returns the rate once it reached `n`. */
  observe(count: number): number | undefined {
    const now = performance.now();
    if (this.start === undefined && count >= this.n / 10) this.start = { at: now, count };
    if (this.start === undefined || count < this.n || count === this.start.count) return undefined;
    return (count - this.start.count) / ((now - this.start.at) / 1000);
  }
}

/** Polls the broker's accepted-events counter until `n` events are stored. */
async function storedRate(port: number, n: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const window = new WindowRate(n);
  for (;;) {
    if (Date.now() > deadline) throw new Error(`the broker stored fewer than ${n} events in time`);
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const count = [...text.matchAll(/^trigger_broker_events_accepted_total\{[^}]*\} (\d+)/gm)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
    const rate = window.observe(count);
    if (rate !== undefined) return rate;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** kafkajs reading the topic and doing nothing with the records: the ceiling of any consumer. */
async function consumeOnlyRate(brokers: string, topic: string, n: number): Promise<number> {
  const consumer = new Kafka({ brokers: kafkaBrokerList(brokers), logLevel: logLevel.NOTHING }).consumer({
    groupId: `consume-only-${topic}`,
    maxWaitTimeInMs: 1_000,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const window = new WindowRate(n);
  let count = 0;
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('kafkajs did not read every record in time')), 300_000);
      void consumer.run({
        partitionsConsumedConcurrently: 4,
        eachBatch: async ({ batch }) => {
          count += batch.messages.length;
          const rate = window.observe(count);
          if (rate !== undefined) {
            clearTimeout(timer);
            resolve(rate);
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
}

export async function runKafkaBench(options: { records?: number } = {}): Promise<KafkaBenchRow[]> {
  const records = options.records ?? 20_000;
  const kafka = await startKafka();
  const fn = await startCountingFunction();
  const rows: KafkaBenchRow[] = [];
  const withBroker = async <T>(
    source: Record<string, unknown>,
    sinkUrl: string | undefined,
    measure: (port: number) => Promise<T>,
  ): Promise<T> => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-bench-kafka-'));
    try {
      writeBrokerConfig(dir, source, sinkUrl);
      const broker = await startBrokerProcess(dir);
      try {
        return await measure(broker.port);
      } finally {
        await stopProcess(broker.child);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    for (const scenario of SCENARIOS) {
      const topic = uniqueTopicName('bench');
      await createKafkaTopics(kafka.url, [{ topic, numPartitions: scenario.partitions }]);
      await produce(kafka.url, topic, scenario, records);

      const baselineRate = fn.expect(records, 300_000);
      const stopBaseline = await runBaseline(kafka.url, topic, fn.url, 32);
      const baselinePerSec = await baselineRate.finally(stopBaseline);

      const source = {
        kafka: { brokers: [kafka.url], topics: [topic], groupId: `broker-${topic}`, fromBeginning: true },
        ...(scenario.ce ? { ce: scenario.ce } : {}),
      };
      const brokerRate = fn.expect(records, 300_000);
      const brokerPerSec = await withBroker(source, `${fn.url}/fn`, () => brokerRate);
      rows.push({ name: scenario.name, brokerPerSec, baselinePerSec, ratio: brokerPerSec / baselinePerSec });
    }

    // The Source alone: records into the durable store with no delivery, beside kafkajs reading
    // the same records and doing nothing with them.
    const stored = SCENARIOS[1]!;
    const topic = uniqueTopicName('bench-store');
    const many = records * 10;
    await createKafkaTopics(kafka.url, [{ topic, numPartitions: stored.partitions }]);
    await produce(kafka.url, topic, stored, many);
    const consumeOnly = await consumeOnlyRate(kafka.url, topic, many);
    const source = {
      kafka: { brokers: [kafka.url], topics: [topic], groupId: `broker-${topic}`, fromBeginning: true },
      ce: stored.ce,
    };
    const storedPerSec = await withBroker(source, undefined, (port) => storedRate(port, many, 300_000));
    rows.push({
      name: `stored only, no delivery (${stored.name}; baseline: kafkajs reading without processing)`,
      brokerPerSec: storedPerSec,
      baselinePerSec: consumeOnly,
      ratio: storedPerSec / consumeOnly,
    });
  } finally {
    await fn.close();
    await kafka.dispose();
  }
  return rows;
}

export function printKafkaRows(rows: readonly KafkaBenchRow[], records: number): void {
  console.log(
    `\nkafka: records/s from a topic (${records.toLocaleString('en-US')} records already in it) to a local HTTP function (baseline: kafkajs posting each record with undici, no storage)`,
  );
  console.log('| scenario | trigger-broker msg/s | baseline msg/s | ratio |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of rows)
    console.log(
      `| ${r.name} | ${Math.round(r.brokerPerSec).toLocaleString('en-US')} | ${Math.round(r.baselinePerSec).toLocaleString('en-US')} | ${r.ratio.toFixed(2)} |`,
    );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--records');
  const records = i > 0 ? Number(process.argv[i + 1]) : 20_000;
  printKafkaRows(await runKafkaBench({ records }), records);
}
