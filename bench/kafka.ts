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
import { type EachBatchPayload, Kafka, logLevel, type Message, Partitioners } from 'kafkajs';
import { Agent, request } from 'undici';
import { createKafkaTopics, kafkaBrokerList, startKafka, uniqueTopicName } from '../test/harness/kafka.js';
import {
  type ConnectorRow,
  connectorRow,
  isMain,
  MATCH_NOTHING,
  numberFlag,
  printConnectorTable,
  startCountingFunction,
  storedRate,
  WindowRate,
  withBroker,
} from './support.js';

process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';
const DEFAULT_RECORDS = 20_000;

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
    const res = await request(functionUrl, {
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

export async function runKafkaBench(options: { records?: number } = {}): Promise<ConnectorRow[]> {
  const records = options.records ?? DEFAULT_RECORDS;
  const kafka = await startKafka();
  // Each record's id arrives as ce-id on both sides; the rate runs from the first to the last.
  const fn = await startCountingFunction({ count: 'distinct ce-id', from: 0 });
  const rows: ConnectorRow[] = [];
  try {
    for (const scenario of SCENARIOS) {
      const topic = uniqueTopicName('bench');
      await createKafkaTopics(kafka.url, [{ topic, numPartitions: scenario.partitions }]);
      await produce(kafka.url, topic, scenario, records);

      const baselineRate = fn.measure(records, 300_000);
      const stopBaseline = await runBaseline(kafka.url, topic, fn.url, 32);
      const baselinePerSec = await baselineRate.finally(stopBaseline);

      const source = {
        kafka: { brokers: [kafka.url], topics: [topic], groupId: `broker-${topic}`, fromBeginning: true },
        ...(scenario.ce ? { ce: scenario.ce } : {}),
      };
      const brokerRate = fn.measure(records, 300_000);
      const brokerPerSec = await withBroker(
        { source, subscription: { sink: { uri: fn.url } } },
        () => brokerRate,
      );
      rows.push(connectorRow(scenario.name, brokerPerSec, baselinePerSec));
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
    const storedPerSec = await withBroker({ source, subscription: MATCH_NOTHING }, (broker) =>
      storedRate(broker.port, many, 300_000),
    );
    rows.push(
      connectorRow(
        `stored only, no delivery (${stored.name}; baseline: kafkajs reading without processing)`,
        storedPerSec,
        consumeOnly,
      ),
    );
  } finally {
    await fn.close();
    await kafka.dispose();
  }
  return rows;
}

/** The heading of the kafka table, which names the number of records each scenario reads. */
export function kafkaHeading(records = DEFAULT_RECORDS): string {
  return `kafka: records/s from a topic (${records.toLocaleString('en-US')} records already in it) to a local HTTP function (baseline: kafkajs posting each record with undici, no storage)`;
}

if (isMain(import.meta.url)) {
  const records = numberFlag('records') ?? DEFAULT_RECORDS;
  printConnectorTable(kafkaHeading(records), await runKafkaBench({ records }));
}
