// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the ce templates are the manifest language, not JavaScript template literals
/**
 * MQTT to HTTP function: messages/s from Mosquitto through trigger-broker (the real CLI as a
 * child process: mqtt Source, embedded SQLite store, HTTP sink) to a local HTTP function,
 * beside a raw baseline in the same run: mqtt.js consuming the same messages and POSTing each
 * to the same function with undici, acknowledging on receipt, storing nothing.
 *
 * Each scenario queues N messages in a persistent session first, then lets the consumer drain
 * it; the rate is measured at the function, from its first request to its N-th, so start-up
 * is not counted. Mosquitto runs with its own configuration (no persistence, no queue limit):
 * the harness's, which saves to disk after every change, would make Mosquitto the bottleneck
 * of both sides.
 *
 *   node --import tsx bench/mqtt.ts [--messages 20000]
 */
import { randomUUID } from 'node:crypto';
import { connect, connectAsync, type IClientPublishOptions, type MqttClient } from 'mqtt';
import { Agent, request } from 'undici';
import { mosquittoServer } from '../test/harness/mosquitto.js';
import { freeLoopbackPort } from '../test/harness/ports.js';
import { makeBrokerDir, type ServerProcess } from '../test/harness/process.js';
import {
  type ConnectorRow,
  connectorRow,
  isMain,
  numberFlag,
  printConnectorTable,
  startCountingFunction,
  UNLIMITED_PENDING,
  withBroker,
} from './support.js';

interface Scenario {
  name: string;
  qos: 0 | 1;
  /** The MQTT PUBLISH each message is sent as (`i` makes each one distinct). */
  message(i: number): { payload: string; options: IClientPublishOptions };
}

const reading = (i: number) =>
  JSON.stringify({ id: `m-${i}`, deviceId: 'sensor-7', temperature: 21.5, humidity: 40, tags: ['a', 'b'] });

const SCENARIOS: Scenario[] = [
  {
    name: 'QoS 1, raw JSON mapped by ce',
    qos: 1,
    message: (i) => ({
      payload: reading(i),
      options: { qos: 1, properties: { contentType: 'application/json' } },
    }),
  },
  {
    name: 'QoS 1, binary-mode CloudEvent (MQTT 5 user properties)',
    qos: 1,
    message: (i) => ({
      payload: reading(i),
      options: {
        qos: 1,
        properties: {
          contentType: 'application/json',
          userProperties: {
            specversion: '1.0',
            type: 'com.example.bench.reading',
            source: '/bench/sensor-7',
            id: `m-${i}`,
          },
        },
      },
    }),
  },
  {
    name: 'QoS 0, raw JSON mapped by ce',
    qos: 0,
    message: (i) => ({
      payload: reading(i),
      options: { qos: 0, properties: { contentType: 'application/json' } },
    }),
  },
];

async function startMosquittoForBench(): Promise<{ url: string; server: ServerProcess }> {
  const dir = await makeBrokerDir('mosquitto-bench');
  const port = await freeLoopbackPort();
  const lines = [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'persistence false',
    'max_queued_messages 0',
    'queue_qos0_messages true',
    'set_tcp_nodelay true',
    'log_dest stderr',
    'log_type error',
  ];
  const url = `mqtt://127.0.0.1:${port}`;
  const server = await mosquittoServer(dir, lines, url);
  await server.start();
  return { url, server };
}

/** Makes the persistent session of `clientId` subscribe to `topic`, then leaves it offline. */
async function prepareSession(url: string, clientId: string, topic: string, qos: 0 | 1): Promise<void> {
  const client = await connectAsync(url, {
    clientId,
    clean: false,
    protocolVersion: 5,
    properties: { sessionExpiryInterval: 3600 },
  });
  await client.subscribeAsync(topic, { qos });
  await client.endAsync();
}

/** Queues `count` messages of the scenario for the offline session, 64 in flight. */
async function queueMessages(url: string, topic: string, scenario: Scenario, count: number): Promise<void> {
  const client: MqttClient = await connectAsync(url, {
    clientId: `bench-pub-${randomUUID()}`,
    protocolVersion: 5,
  });
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const { payload, options } = scenario.message(next++);
      await client.publishAsync(topic, payload, { ...options, qos: 1 });
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  await client.endAsync();
}

/** The baseline: mqtt.js takes each message (auto-acknowledged) and POSTs it with undici. */
async function runBaseline(
  mqttUrl: string,
  clientId: string,
  functionUrl: string,
): Promise<() => Promise<void>> {
  const agent = new Agent({ connections: 32, pipelining: 1 });
  // The listener is in place before the CONNACK: the queued messages follow it at once.
  const client = connect(mqttUrl, {
    clientId,
    clean: false,
    protocolVersion: 5,
    properties: { sessionExpiryInterval: 3600 },
  });
  client.on('message', (_topic, payload) => {
    request(functionUrl, {
      method: 'POST',
      body: payload,
      headers: { 'content-type': 'application/json' },
      dispatcher: agent,
    }).then(
      (res) => res.body.dump(),
      () => undefined,
    );
  });
  await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  return async () => {
    await client.endAsync(true);
    await agent.close();
  };
}

export async function runMqttBench(options: { messages?: number } = {}): Promise<ConnectorRow[]> {
  const messages = options.messages ?? 20_000;
  const mosquitto = await startMosquittoForBench();
  // The baseline sends no ce-id: every request counts, from the first to the N-th.
  const fn = await startCountingFunction({ count: 'request', from: 0 });
  const rows: ConnectorRow[] = [];
  try {
    for (const [index, scenario] of SCENARIOS.entries()) {
      // trigger-broker, draining a session queued before it starts
      const brokerTopic = `bench/${index}/broker`;
      const brokerClientId = `bench-broker-${index}`;
      await prepareSession(mosquitto.url, brokerClientId, brokerTopic, scenario.qos);
      await queueMessages(mosquitto.url, brokerTopic, scenario, messages);
      const brokerDone = fn.measure(messages);
      const brokerPerSec = await withBroker(
        {
          broker: { limits: UNLIMITED_PENDING },
          source: {
            mqtt: { url: mosquitto.url, topics: [brokerTopic], qos: scenario.qos, clientId: brokerClientId },
            ce: { type: 'com.example.bench.reading', source: '/bench/${body.deviceId}', id: '${body.id}' },
          },
          subscription: { sink: { uri: fn.url } },
        },
        () => brokerDone,
      );

      // baseline, on the same messages in a session of its own
      const baseTopic = `bench/${index}/baseline`;
      const baseClientId = `bench-baseline-${index}`;
      await prepareSession(mosquitto.url, baseClientId, baseTopic, scenario.qos);
      await queueMessages(mosquitto.url, baseTopic, scenario, messages);
      const baseDone = fn.measure(messages);
      const stopBaseline = await runBaseline(mosquitto.url, baseClientId, fn.url);
      const baselinePerSec = await baseDone;
      await stopBaseline();

      rows.push(
        connectorRow(
          `${scenario.name}, ${messages.toLocaleString('en-US')} messages`,
          brokerPerSec,
          baselinePerSec,
        ),
      );
    }
  } finally {
    await fn.close();
    await mosquitto.server.dispose();
  }
  return rows;
}

export const MQTT_HEADING =
  'mqtt: messages/s from Mosquitto to a local HTTP function (baseline: mqtt.js posting each message with undici, no storage)';

if (isMain(import.meta.url)) {
  const messages = numberFlag('messages');
  printConnectorTable(MQTT_HEADING, await runMqttBench(messages ? { messages } : {}));
}
