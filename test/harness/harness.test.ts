// Proves the harness against the real brokers: each one starts, carries a message with the client
// library the connectors use, dies by SIGKILL, comes back on the same port and data, and still has
// what it had made durable.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect as connectNats } from '@nats-io/transport-node';
import { type ITopicConfig, Kafka, logLevel, Partitioners } from 'kafkajs';
import { connect as connectMqtt, type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type BrokerHandle, externalBrokerUrl } from './broker-handle.js';
import { kafkaGlobalSetup } from './global-kafka.js';
import { createKafkaTopics, kafkaBrokerList, startKafka } from './kafka.js';
import { startMosquitto } from './mosquitto.js';
import { startNats } from './nats.js';
import { waitFor } from './wait.js';

describe('Mosquitto', () => {
  let broker: BrokerHandle;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker?.dispose();
  });

  it('carries a QoS 1 message from publisher to subscriber', async () => {
    const subscriber = await mqttClient(broker.url, { clientId: 'harness-live' });
    await subscriber.client.subscribeAsync('harness/live', { qos: 1 });
    const publisher = await mqttClient(broker.url, { clientId: 'harness-live-pub' });
    await publisher.client.publishAsync('harness/live', 'hello', { qos: 1 });
    const message = await waitFor('the live message', () =>
      subscriber.received.find((m) => m.topic === 'harness/live'),
    );
    expect(message.payload).toBe('hello');
    await Promise.all([subscriber.client.endAsync(), publisher.client.endAsync()]);
  });

  it.skipIf(externalBrokerUrl('mqtt') !== undefined)(
    'keeps a retained message and a persistent session queue across kill -9',
    async () => {
      // A persistent MQTT 5 session (no clean start, an hour's expiry) subscribes, then goes away.
      const sessionOptions: IClientOptions = {
        clientId: 'harness-persistent',
        clean: false,
        properties: { sessionExpiryInterval: 3600 },
      };
      const offline = await mqttClient(broker.url, sessionOptions);
      await offline.client.subscribeAsync('harness/queued', { qos: 1 });
      await offline.client.endAsync();

      const publisher = await mqttClient(broker.url, { clientId: 'harness-pub' });
      await publisher.client.publishAsync('harness/retained', 'retained-payload', { qos: 1, retain: true });
      await publisher.client.publishAsync('harness/queued', 'queued-payload', { qos: 1 });
      await publisher.client.endAsync();

      // Mosquitto writes its state a moment after the PUBACK, not before: wait for it on disk.
      const database = join(broker.dir!, 'mosquitto.db');
      await waitFor('mosquitto.db to hold both messages', async () => {
        const content = await readFile(database).catch(() => Buffer.alloc(0));
        return content.includes('retained-payload') && content.includes('queued-payload');
      });

      await broker.kill();
      await broker.restart();

      const resumed = await mqttClient(broker.url, sessionOptions);
      expect(resumed.sessionPresent).toBe(true);
      const queued = await waitFor('the queued message', () =>
        resumed.received.find((m) => m.topic === 'harness/queued'),
      );
      expect(queued.payload).toBe('queued-payload');

      const late = await mqttClient(broker.url, { clientId: 'harness-late' });
      await late.client.subscribeAsync('harness/retained', { qos: 1 });
      const retained = await waitFor('the retained message', () =>
        late.received.find((m) => m.topic === 'harness/retained'),
      );
      expect(retained).toMatchObject({ payload: 'retained-payload', retain: true });
      await Promise.all([resumed.client.endAsync(), late.client.endAsync()]);
    },
  );
});

describe('nats-server with JetStream', () => {
  let broker: BrokerHandle;
  beforeAll(async () => {
    broker = await startNats();
  });
  afterAll(async () => {
    await broker?.dispose();
  });

  it('carries a core NATS message', async () => {
    const nc = await connectNats({ servers: broker.url });
    const subscription = nc.subscribe('harness.core', { max: 1 });
    nc.publish('harness.core', 'hello');
    for await (const message of subscription) expect(message.string()).toBe('hello');
    await nc.close();
  });

  it.skipIf(externalBrokerUrl('nats') !== undefined)(
    'keeps a stream message and a durable consumer position across kill -9',
    async () => {
      const before = await connectNats({ servers: broker.url });
      const jsm = await jetstreamManager(before);
      await jsm.streams.add({ name: 'HARNESS', subjects: ['harness.js.>'] });
      await jsm.consumers.add('HARNESS', { durable_name: 'harness-durable', ack_policy: AckPolicy.Explicit });
      const js = jetstream(before);
      await js.publish('harness.js.first', 'consumed-before-crash');
      await js.publish('harness.js.second', 'waiting-through-crash');

      const consumer = await js.consumers.get('HARNESS', 'harness-durable');
      const first = await consumer.next({ expires: 5_000 });
      expect(first?.string()).toBe('consumed-before-crash');
      // ackAck waits for the server to confirm it recorded the ack, so the kill cannot overtake it.
      expect(await first?.ackAck()).toBe(true);
      await before.close();

      await broker.kill();
      await broker.restart();

      const after = await connectNats({ servers: broker.url });
      const info = await (await jetstreamManager(after)).streams.info('HARNESS');
      expect(info.state.messages).toBe(2);
      const resumed = await jetstream(after).consumers.get('HARNESS', 'harness-durable');
      const next = await resumed.next({ expires: 5_000 });
      expect(next?.string()).toBe('waiting-through-crash');
      expect(next?.info.deliveryCount).toBe(1);
      next?.ack();
      await after.close();
    },
  );
});

describe('Apache Kafka (KRaft)', () => {
  let broker: BrokerHandle;
  beforeAll(async () => {
    broker = await startKafka();
  });
  afterAll(async () => {
    await broker?.dispose();
  });

  it.skipIf(externalBrokerUrl('kafka') !== undefined)(
    'kafkajs produces, consumes in a group and commits; record and offset survive kill -9',
    async () => {
      const topic: ITopicConfig = { topic: 'harness-records', numPartitions: 1 };
      await createKafkaTopics(broker.url, [topic]);
      const kafka = kafkaClient(broker.url);

      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      await producer.send({
        topic: topic.topic,
        acks: -1,
        messages: [{ key: 'k', value: 'survives-crash' }],
      });
      await producer.disconnect();

      expect(await consumeOne(kafka, topic.topic, 'harness-group')).toBe('survives-crash');
      expect(await committedOffset(kafka, topic.topic, 'harness-group')).toBe('1');

      await broker.kill();
      await broker.restart();

      const afterCrash = kafkaClient(broker.url);
      expect(await committedOffset(afterCrash, topic.topic, 'harness-group')).toBe('1');
      // A new group reads from the beginning: the record itself is still in the log.
      expect(await consumeOne(afterCrash, topic.topic, 'harness-group-after')).toBe('survives-crash');
    },
  );

  it('shares one Kafka per run through globalSetup and inject()', async () => {
    // The wiring, without a second JVM: a stand-in broker, and a project that records provide().
    const provided = new Map<string, unknown>();
    let disposed = false;
    const standIn: BrokerHandle = {
      ...broker,
      dispose: async () => {
        disposed = true;
      },
    };
    const setup = kafkaGlobalSetup(async () => standIn);
    const teardown = await setup({ provide: (key, value) => void provided.set(key, value) });
    expect(provided.get('kafkaBrokers')).toBe(broker.url);
    await teardown();
    expect(disposed).toBe(true);

    // When vitest.config.ts lists global-kafka.ts, the run's shared Kafka must answer too.
    const shared = inject('kafkaBrokers');
    if (shared !== undefined) {
      const admin = kafkaClient(shared).admin();
      await admin.connect();
      expect((await admin.describeCluster()).brokers.length).toBeGreaterThan(0);
      await admin.disconnect();
    }
  });
});

describe('external brokers', () => {
  it('refuses to crash a broker the harness does not run, and says why', async () => {
    const saved = process.env['MQTT_URL'];
    process.env['MQTT_URL'] = 'mqtt://127.0.0.1:1';
    try {
      const external = await startMosquitto();
      expect(external).toMatchObject({ url: 'mqtt://127.0.0.1:1', managed: false, dir: undefined });
      await expect(external.kill()).rejects.toThrow(/needs a harness-managed broker; unset MQTT_URL/);
      await expect(external.restart()).rejects.toThrow(/MQTT_URL/);
      await external.dispose();
    } finally {
      if (saved === undefined) delete process.env['MQTT_URL'];
      else process.env['MQTT_URL'] = saved;
    }
  });
});

interface ReceivedMqttMessage {
  topic: string;
  payload: string;
  retain: boolean;
}

/**
 * Connects and records every message from the first packet on: a persistent session's queued
 * messages arrive right behind the CONNACK, before an await after connectAsync could add a listener.
 */
async function mqttClient(
  url: string,
  options: IClientOptions,
): Promise<{ client: MqttClient; received: ReceivedMqttMessage[]; sessionPresent: boolean }> {
  const received: ReceivedMqttMessage[] = [];
  const client = connectMqtt(url, { protocolVersion: 5, reconnectPeriod: 0, ...options });
  client.on('message', (topic, payload, packet) => {
    received.push({ topic, payload: payload.toString(), retain: packet.retain });
  });
  const sessionPresent = await new Promise<boolean>((resolve, reject) => {
    client.once('connect', (connack) => resolve(connack.sessionPresent));
    client.once('error', reject);
  });
  return { client, received, sessionPresent };
}

function kafkaClient(url: string): Kafka {
  return new Kafka({ clientId: 'harness-test', brokers: kafkaBrokerList(url), logLevel: logLevel.ERROR });
}

/** Joins `groupId`, reads the first record from the beginning, commits it, leaves the group. */
async function consumeOne(kafka: Kafka, topic: string, groupId: string): Promise<string> {
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<string>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const next = (BigInt(message.offset) + 1n).toString();
            await consumer.commitOffsets([{ topic, partition, offset: next }]);
            resolve(message.value?.toString() ?? '');
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}

async function committedOffset(kafka: Kafka, topic: string, groupId: string): Promise<string | undefined> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return offsets?.partitions[0]?.offset;
  } finally {
    await admin.disconnect();
  }
}
