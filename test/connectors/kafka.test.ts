// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are ce templates, whose ${...} is the manifest language
// The kafka Source against real Kafka: the shared connector contract against a Kafka this file
// runs (the contract restarts it), then what is Kafka's own against the run's shared Kafka: both
// binding modes, partitionkey, topicPattern, commits across a hand-over, and a wrong address.
// Its binding and mapping, settings and offset bookkeeping are tested on their own, without a
// broker, in test/unit/connectors/kafka/.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, type KafkaConfig, logLevel, type Message, Partitioners, type Producer } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CeMappingSpec } from '../../broker/config/types.js';
import { createRecordConverter } from '../../connectors/kafka/record-event.js';
import { type KafkaSourceSpec, readKafkaSettings } from '../../connectors/kafka/settings.js';
import { KafkaSource, type KafkaSourceOptions } from '../../connectors/kafka/source.js';
import { harnessCacheDir, pinnedVersion } from '../harness/cache.js';
import {
  type BrokerHandle,
  createKafkaTopics,
  externalBrokerUrl,
  freeLoopbackPort,
  kafkaBrokerList,
  startKafka,
  uniqueTopicName,
} from '../harness/index.js';
import { freeLoopbackPorts } from '../harness/ports.js';
import { findExecutable, makeBrokerDir, ServerProcess } from '../harness/process.js';
import { buildContext, mapper, RAW_CE } from '../unit/connectors/kafka/fixtures.js';
import { connectorContract, recordingContext } from './contract.js';

process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';

/** A KafkaSource as the builder makes it, with test-sized timings. */
function kafkaSource(
  spec: Partial<KafkaSourceSpec>,
  ce: CeMappingSpec | undefined = RAW_CE,
  options: KafkaSourceOptions = {},
): KafkaSource {
  const problems: string[] = [];
  const settings = readKafkaSettings(
    buildContext({ fromBeginning: true, sessionTimeout: 'PT10S', ...spec }, ce, problems),
  );
  expect(problems).toEqual([]);
  return new KafkaSource('test', settings!, createRecordConverter(mapper(ce)), {
    reconnectDelayMs: (attempt) => Math.min(250 * attempt, 2_000),
    ...options,
  });
}

/** A producer that resolves once every in-sync replica has the records (acks: -1). */
function producerFor(url: string): {
  send(topic: string, messages: Message[]): Promise<void>;
  close(): Promise<void>;
} {
  let producer: Producer | undefined;
  return {
    async send(topic, messages) {
      if (!producer) {
        producer = new Kafka({
          clientId: 'kafka-test-producer',
          brokers: kafkaBrokerList(url),
          logLevel: logLevel.NOTHING,
          retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 2_000 },
        }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
        await producer.connect();
      }
      await producer.send({ topic, acks: -1, messages });
    },
    async close() {
      await producer?.disconnect();
    },
  };
}

// The contract restarts its broker, which a Kafka named by KAFKA_BROKERS cannot be.
describe.skipIf(externalBrokerUrl('kafka') !== undefined)('kafka Source against its own Kafka', () => {
  let kafka: BrokerHandle;
  let producer: ReturnType<typeof producerFor>;
  beforeAll(async () => {
    kafka = await startKafka();
    producer = producerFor(kafka.url);
  });
  afterAll(async () => {
    await producer?.close();
    await kafka?.dispose();
  });

  connectorContract({
    kind: 'kafka',
    malformed: 'dead-letter',
    name: 'kafka',
    async freshChannel() {
      const topic = uniqueTopicName('contract');
      await createKafkaTopics(kafka.url, [topic]);
      return topic;
    },
    // One group per topic: a second connector on the same channel resumes from the first one's commits.
    connector: (topic) => kafkaSource({ brokers: [kafka.url], topics: [topic], groupId: `g-${topic}` }),
    publishRaw: (topic, ids) =>
      producer.send(
        topic,
        ids.map((id) => ({ value: JSON.stringify({ id }) })),
      ),
    publishMalformed: (topic) =>
      producer.send(topic, [
        { value: '{}', headers: { ce_specversion: '0.3', ce_id: 'bad', ce_type: 't', ce_source: '/s' } },
      ]),
    restartBroker: () => kafka.restart(),
  });
});

describe('kafka Source against the shared Kafka', () => {
  const url = inject('kafkaBrokers');
  let producer: ReturnType<typeof producerFor>;
  beforeAll(() => {
    producer = producerFor(url);
  });
  afterAll(async () => {
    await producer?.close();
  });

  async function freshTopic(prefix: string, partitions = 1): Promise<string> {
    const topic = uniqueTopicName(prefix);
    await createKafkaTopics(url, [{ topic, numPartitions: partitions }]);
    return topic;
  }

  async function running(source: KafkaSource, rec = recordingContext()) {
    await source.start(rec.ctx);
    await rec.waitFor(() => rec.states.some((s) => s.status === 'up'), 'state up');
    return rec;
  }

  it('reads binary and structured records with their own attributes, the key as partitionkey', async () => {
    const topic = await freshTopic('binding');
    const source = kafkaSource({ brokers: [url], topics: [topic] });
    const rec = await running(source);
    try {
      await producer.send(topic, [
        {
          key: 'device-7',
          value: Buffer.from([1, 2, 3]),
          headers: {
            ce_specversion: '1.0',
            ce_id: 'b-1',
            ce_type: 'com.example.binary',
            ce_source: '/dev',
            'content-type': 'application/octet-stream',
          },
        },
        {
          key: 'device-8',
          value: JSON.stringify({
            specversion: '1.0',
            id: 's-1',
            type: 'com.example.structured',
            source: '/dev',
            partitionkey: 'own',
            data: { t: 21.5 },
          }),
          headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
        },
        { key: 'device-9', value: JSON.stringify({ id: 'raw-1' }) },
      ]);
      await rec.waitFor(() => rec.events.length >= 3, '3 events');
      const byId = new Map(rec.events.map((e) => [String(e.attributes['id']), e]));
      expect(byId.get('b-1')!.attributes).toMatchObject({
        type: 'com.example.binary',
        datacontenttype: 'application/octet-stream',
        partitionkey: 'device-7',
      });
      expect(byId.get('b-1')!.data).toEqual({ kind: 'bytes', bytes: Buffer.from([1, 2, 3]) });
      expect(byId.get('s-1')!.attributes).toMatchObject({
        type: 'com.example.structured',
        partitionkey: 'own',
      });
      expect(byId.get('s-1')!.data).toEqual({ kind: 'json', value: { t: 21.5 } });
      expect(byId.get('raw-1')!.attributes).toMatchObject({ type: 'contract.raw', partitionkey: 'device-9' });
    } finally {
      await source.stop();
    }
  });

  it('topicPattern reads every matching topic, not others, and picks up a matching topic created later', async () => {
    const base = uniqueTopicName('pat');
    await createKafkaTopics(url, [`${base}.a`, `${base}.b`, `x${base}.a`]);
    const source = kafkaSource(
      { brokers: [url], topicPattern: `${base.replace(/-/g, '\\-')}\\..*` },
      { type: 't', source: '/${topic}', id: '${body.id}' },
      { topicRefreshMs: 500 },
    );
    const rec = await running(source);
    try {
      await producer.send(`${base}.a`, [{ value: JSON.stringify({ id: 'a1' }) }]);
      await producer.send(`${base}.b`, [{ value: JSON.stringify({ id: 'b1' }) }]);
      await producer.send(`x${base}.a`, [{ value: JSON.stringify({ id: 'x1' }) }]);
      await rec.waitFor(() => rec.ids().includes('a1') && rec.ids().includes('b1'), 'a1 and b1');
      await createKafkaTopics(url, [`${base}.c`]);
      await producer.send(`${base}.c`, [{ value: JSON.stringify({ id: 'c1' }) }]);
      await rec.waitFor(() => rec.ids().includes('c1'), 'c1 from the topic created later', 60_000);
      expect(rec.ids()).not.toContain('x1');
      expect(rec.events.find((e) => e.attributes['id'] === 'c1')!.attributes['source']).toBe(`/${base}.c`);
    } finally {
      await source.stop();
    }
  });

  it('hands a multi-partition topic over mid-stream without losing a record, and commits up to the end', async () => {
    const topic = await freshTopic('handover', 4);
    const ids = Array.from({ length: 2_000 }, (_, i) => `h-${i}`);
    for (let i = 0; i < ids.length; i += 250)
      await producer.send(
        topic,
        ids.slice(i, i + 250).map((id) => ({ key: id, value: JSON.stringify({ id }) })),
      );
    const groupId = `g-${topic}`;
    const first = kafkaSource({ brokers: [url], topics: [topic], groupId });
    const firstRec = await running(first);
    await firstRec.waitFor(() => firstRec.events.length >= 300, '300 events');
    await first.stop();
    const second = kafkaSource({ brokers: [url], topics: [topic], groupId });
    const secondRec = await running(second);
    try {
      const all = () => new Set([...firstRec.ids(), ...secondRec.ids()]);
      await secondRec.waitFor(() => all().size === ids.length, 'every record once at least', 60_000);
      // What the first one stored before its stop was committed: the second does not read it all again.
      expect(secondRec.ids().length).toBeLessThan(ids.length);
      const admin = new Kafka({ brokers: kafkaBrokerList(url), logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        const deadline = Date.now() + 30_000;
        for (;;) {
          const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
          const ends = await admin.fetchTopicOffsets(topic);
          const behind = ends.filter(
            (end) => committed!.partitions.find((p) => p.partition === end.partition)?.offset !== end.offset,
          );
          if (behind.length === 0) break;
          if (Date.now() > deadline)
            throw new Error(`offsets not committed to the end: ${JSON.stringify(behind)}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      } finally {
        await admin.disconnect();
      }
    } finally {
      await second.stop();
    }
  });

  it('a member joining mid-stream triggers a rebalance that loses nothing; the two split the partitions', async () => {
    const topic = await freshTopic('rebalance', 4);
    const groupId = `g-${topic}`;
    const first = kafkaSource({ brokers: [url], topics: [topic], groupId });
    const firstRec = await running(first);
    const second = kafkaSource({ brokers: [url], topics: [topic], groupId });
    const secondRec = recordingContext();
    // Records keep coming until the second member has its share, so partitions change hands mid-stream.
    const ids: string[] = [];
    const producing = (async () => {
      while (ids.length < 2_000 || secondRec.events.length < 100) {
        const next = Array.from({ length: 50 }, (_, i) => `rb-${ids.length + i}`);
        await producer.send(
          topic,
          next.map((id) => ({ key: id, value: JSON.stringify({ id }) })),
        );
        ids.push(...next);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    try {
      await firstRec.waitFor(() => firstRec.events.length >= 200, '200 events');
      await second.start(secondRec.ctx);
      await producing;
      const all = () => new Set([...firstRec.ids(), ...secondRec.ids()]);
      await secondRec.waitFor(() => all().size === ids.length, 'every record once at least', 60_000);
      expect(firstRec.ids().length + secondRec.ids().length).toBeLessThan(ids.length * 1.5);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  });

  it("stores each fetched batch with one ingest call, its partitions' calls together within the store budget", async () => {
    const topic = await freshTopic('one-commit', 4);
    const ids = Array.from({ length: 4_000 }, (_, i) => `oc-${i}`);
    for (let i = 0; i < ids.length; i += 1_000)
      await producer.send(
        topic,
        ids.slice(i, i + 1_000).map((id) => ({ key: id, value: JSON.stringify({ id }) })),
      );
    const source = kafkaSource(
      { brokers: [url], topics: [topic] },
      { type: 't', source: '/p/${partition}', id: '${body.id}' },
      { storeBudget: 1_000 },
    );
    const rec = recordingContext();
    const calls: { size: number; partitions: Set<unknown> }[] = [];
    let underWay = 0;
    let mostUnderWay = 0;
    const ingest = rec.ctx.ingest;
    rec.ctx.ingest = async (events, options) => {
      calls.push({ size: events.length, partitions: new Set(events.map((e) => e.attributes['source'])) });
      underWay += events.length;
      mostUnderWay = Math.max(mostUnderWay, underWay);
      try {
        // A store that takes its time, so that partitions' ingests would overlap if they could.
        await new Promise((r) => setTimeout(r, 50));
        await ingest(events, options);
      } finally {
        underWay -= events.length;
      }
    };
    await running(source, rec);
    try {
      await rec.waitFor(() => new Set(rec.ids()).size === ids.length, 'every record', 60_000);
    } finally {
      await source.stop();
    }
    // The records were all in the topic before the Source joined: a few fetches, one call per
    // partition's batch, never one per record.
    expect(calls.length).toBeLessThanOrEqual(12);
    for (const call of calls) expect(call.partitions.size).toBe(1);
    expect(calls.reduce((sum, call) => sum + call.size, 0)).toBe(ids.length);
    // Batches of about 1,000 records and a budget of 1,000 events: one ingest under way at a time.
    expect(mostUnderWay).toBe(Math.max(...calls.map((call) => call.size)));
  });

  it('a wrong address gives one clear error line and reconnection with backoff, never a crash', async () => {
    const port = await freeLoopbackPort();
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const rec = recordingContext();
    const source = kafkaSource({ brokers: [`127.0.0.1:${port}`], topics: ['nowhere'] }, RAW_CE, {
      reconnectDelayMs: () => 100,
    });
    await source.start({ ...rec.ctx, log });
    try {
      await rec.waitFor(
        () => rec.states.some((s) => s.status === 'reconnecting' && s.attempt >= 2),
        'a second reconnection attempt',
        60_000,
      );
    } finally {
      await source.stop();
    }
    const errors = lines.filter((l) => Number(l['level']) >= 50);
    expect(errors).toHaveLength(1);
    expect(String(errors[0]!['msg'])).toMatch(
      new RegExp(`cannot reach Kafka at 127\\.0\\.0\\.1:${port}.*retrying with backoff`),
    );
    expect(rec.states.at(-1)).toEqual({ status: 'stopped' });
    expect(rec.events).toHaveLength(0);
  });
});

/**
 * A single-node Kafka whose client listener wants SASL/PLAIN (user `alice`, password
 * `alice-secret`): the harness's Kafka is plaintext only. Same jars and JVM flags as the harness.
 */
async function startSaslKafka(): Promise<{ url: string; dispose(): Promise<void> }> {
  const libs = join(harnessCacheDir(), `kafka-${pinnedVersion('KAFKA_VERSION')}`, 'libs');
  const [port, controller] = (await freeLoopbackPorts(2)) as [number, number];
  const dir = await makeBrokerDir('kafka-sasl');
  await mkdir(join(dir, 'data'));
  const properties = join(dir, 'server.properties');
  const jaas =
    'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" ' +
    'user_admin="admin-secret" user_alice="alice-secret";';
  await writeFile(
    properties,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controller}`,
      `listeners=SASL_PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`,
      `advertised.listeners=SASL_PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=SASL_PLAINTEXT',
      'listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
      'sasl.enabled.mechanisms=PLAIN',
      'sasl.mechanism.inter.broker.protocol=PLAIN',
      `listener.name.sasl_plaintext.plain.sasl.jaas.config=${jaas}`,
      `log.dirs=${join(dir, 'data')}`,
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'default.replication.factor=1',
      'min.insync.replicas=1',
      'num.partitions=1',
      'group.initial.rebalance.delay.ms=0',
      'num.network.threads=2',
      'num.io.threads=2',
      '',
    ].join('\n'),
  );
  const java = findExecutable('java', {
    preferred: process.env['JAVA_HOME'] ? [join(process.env['JAVA_HOME'], 'bin', 'java')] : [],
  });
  const jvm = ['-Xms128m', '-Xmx512m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', join(libs, '*')];
  let clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
  await promisify(execFile)(java, [
    ...jvm,
    'kafka.tools.StorageTool',
    'format',
    '--cluster-id',
    clusterId,
    '--config',
    properties,
  ]);
  const url = `127.0.0.1:${port}`;
  const client = (sasl: KafkaConfig['sasl']) =>
    new Kafka({
      brokers: [url],
      sasl,
      connectionTimeout: 1_000,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
  const server = new ServerProcess(dir, {
    name: 'kafka',
    command: java,
    args: [...jvm, 'kafka.Kafka', properties],
    startTimeoutMs: 60_000,
    stopTimeoutMs: 20_000,
    async isServing() {
      const admin = client({ mechanism: 'plain', username: 'alice', password: 'alice-secret' }).admin();
      try {
        await admin.connect();
        if ((await admin.describeCluster()).brokers.length === 0) return false;
        await admin.describeGroups(['probe']);
        return true;
      } finally {
        await admin.disconnect();
      }
    },
  });
  try {
    await server.start();
  } catch (error) {
    await server.dispose();
    throw error;
  }
  return { url, dispose: () => server.dispose() };
}

describe.skipIf(externalBrokerUrl('kafka') !== undefined)('kafka Source with SASL/PLAIN', () => {
  let kafka: Awaited<ReturnType<typeof startSaslKafka>>;
  beforeAll(async () => {
    kafka = await startSaslKafka();
  });
  afterAll(async () => {
    await kafka?.dispose();
  });

  const withPassword = (password: string) =>
    new KafkaSource(
      'sasl',
      {
        ...readKafkaSettings(
          buildContext({ brokers: [kafka.url], topics: ['secured'], fromBeginning: true }),
        )!,
        sasl: { mechanism: 'plain', username: 'alice', password },
      },
      createRecordConverter(mapper(RAW_CE)),
      { reconnectDelayMs: () => 100 },
    );

  it('reads with the right password, and a wrong one gives one clear error line and no crash', async () => {
    const good = withPassword('alice-secret');
    const rec = recordingContext();
    await good.start(rec.ctx);
    try {
      await rec.waitFor(() => rec.states.some((s) => s.status === 'up'), 'state up', 60_000);
      const producer = new Kafka({
        brokers: [kafka.url],
        sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' },
        logLevel: logLevel.NOTHING,
      }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      await producer.send({
        topic: 'secured',
        acks: -1,
        messages: [{ value: JSON.stringify({ id: 'sasl-1' }) }],
      });
      await producer.disconnect();
      await rec.waitFor(() => rec.ids().includes('sasl-1'), 'the record');
    } finally {
      await good.stop();
    }

    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const bad = withPassword('wrong');
    const refused = recordingContext();
    await bad.start({ ...refused.ctx, log });
    try {
      await refused.waitFor(
        () => refused.states.some((s) => s.status === 'reconnecting' && s.attempt >= 3),
        'three attempts',
      );
    } finally {
      await bad.stop();
    }
    const errors = lines.filter((l) => Number(l['level']) >= 50);
    expect(errors).toHaveLength(1);
    expect(String(errors[0]!['msg'])).toMatch(
      /^Kafka at 127\.0\.0\.1:\d+ refused the credentials: .*; retrying with backoff$/,
    );
    expect(JSON.stringify(lines)).not.toContain('wrong');
  });
});
