// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are ce templates of the manifest language, not JavaScript template literals
// The mqtt Source against a real Mosquitto (and a fake server for what Mosquitto will not send).
// Its pure parts (binding, mapping, topic filters, settings, shared-group rules) are tested
// without a broker in test/unit/connectors/mqtt/.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectAsync, type IClientPublishOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../broker/cloudevents/event.js';
import type { CeMappingSpec } from '../../broker/config/types.js';
import { BrokerError } from '../../broker/errors.js';
import type {
  Connector,
  ConnectorContext,
  ConnectorState,
  MalformedMessage,
} from '../../broker/ports/connector.js';
import { IN_FLIGHT_MAXIMUM } from '../../connectors/mqtt/ack-gate.js';
import { DEFAULT_MEMBERSHIP_TOPIC } from '../../connectors/mqtt/settings.js';
import { parseAnnouncement } from '../../connectors/mqtt/shared-group/announcement.js';
import { WILL_DELAY_SECONDS } from '../../connectors/mqtt/shared-group/announcer.js';
import { memberTopic } from '../../connectors/mqtt/shared-group/membership-topics.js';
import { ADOPT_SETTLE_MS } from '../../connectors/mqtt/shared-group/takeover.js';
import { type BrokerHandle, externalBrokerUrl, freeLoopbackPort, startMosquitto } from '../harness/index.js';
import { mosquittoServer } from '../harness/mosquitto.js';
import { findExecutable, makeBrokerDir, type ServerProcess } from '../harness/process.js';
import { build, dataText, RAW_CE } from '../unit/connectors/mqtt/fixtures.js';
import { connectorContract } from './contract.js';

// ---------------------------------------------------------------------------------------------
// Helpers

/** A connector with a session of its own (unless the test names the clientId). */
function connectorFor(spec: Record<string, unknown>, ce?: CeMappingSpec): Connector {
  const { connector, problems } = build({ clientId: `test-${randomUUID()}`, ...spec }, ce);
  expect(problems).toEqual([]);
  return connector!;
}

/** A ConnectorContext that records everything and whose ingest a test can script. */
function testContext(
  options: {
    ingest?: (events: readonly CloudEvent[], call: number) => Promise<void>;
    deadLetter?: (message: MalformedMessage) => Promise<void>;
  } = {},
) {
  const events: CloudEvent[] = [];
  const deadLetters: MalformedMessage[] = [];
  const states: ConnectorState[] = [];
  const logs: Record<string, unknown>[] = [];
  /** Every list of adopted members the connector reported, in order. */
  const adopted: (readonly string[])[] = [];
  let calls = 0;
  const ctx: ConnectorContext = {
    sourceName: 'mqtt-test',
    log: pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line)) }),
    async ingest(batch) {
      calls += 1;
      if (options.ingest) await options.ingest(batch, calls);
      events.push(...batch);
    },
    async deadLetter(message) {
      if (options.deadLetter) await options.deadLetter(message);
      deadLetters.push(message);
    },
    checkpoints: () => new Map(),
    reportState(state) {
      states.push(state);
    },
    reportAdoptedSessions(members) {
      adopted.push(members);
    },
  };
  const waitFor = async (test: () => boolean, what: string, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!test()) {
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}; ${events.length} events, ${deadLetters.length} dead letters, states ${JSON.stringify(states.slice(-3))}`,
        );
      await sleep(20);
    }
  };
  const payloads = () => events.map((e) => dataText(e));
  return {
    ctx,
    events,
    deadLetters,
    states,
    logs,
    adopted,
    payloads,
    waitFor,
    calls: () => calls,
    up: () => waitFor(() => states.some((s) => s.status === 'up'), 'state up'),
  };
}

async function publisher(url: string, protocolVersion: 4 | 5 = 5): Promise<MqttClient> {
  return connectAsync(url, { clientId: `pub-${randomUUID()}`, protocolVersion, reconnectPeriod: 0 });
}

async function publish(
  url: string,
  topic: string,
  payloads: (string | Buffer)[],
  options: Partial<IClientPublishOptions> & { protocolVersion?: 4 | 5 } = {},
): Promise<void> {
  const { protocolVersion, ...publishOptions } = options;
  const client = await publisher(url, protocolVersion);
  try {
    for (const payload of payloads) await client.publishAsync(topic, payload, { qos: 1, ...publishOptions });
  } finally {
    await client.endAsync();
  }
}

/**
 * Publishes `payloads` from one client, 16 at a time (Mosquitto takes at most 20 unacknowledged
 * QoS 2 messages from a client), in order: each is written as its turn comes.
 */
async function publishAll(
  url: string,
  topic: string,
  payloads: string[],
  protocolVersion: 4 | 5 = 5,
  qos: 1 | 2 = 1,
): Promise<void> {
  const client = await publisher(url, protocolVersion);
  let next = 0;
  const worker = async () => {
    while (next < payloads.length) await client.publishAsync(topic, payloads[next++]!, { qos });
  };
  try {
    await Promise.all(Array.from({ length: 16 }, worker));
  } finally {
    await client.endAsync();
  }
}

const freshTopic = (prefix = 't') => `${prefix}/${randomUUID()}`;

/**
 * Watches a connector's own MQTT client (white box: its `client`): the QoS 1 and 2 PUBLISH
 * packets it takes and the PUBACKs and PUBRECs it writes, and checks each acknowledgement as it
 * is written: its message must be stored by then (`stored`, over the payload).
 */
function watchAcks(connector: Connector, stored: (payload: string) => boolean) {
  const client = (connector as unknown as { client: MqttClient }).client;
  type Seen = { connection: number; messageId: number; payload: string };
  const received: Seen[] = [];
  const acknowledged: Seen[] = [];
  /** Acknowledgements written before their message was stored: must stay empty. */
  const early: Seen[] = [];
  let connection = 0;
  let inFlight = 0;
  let peak = 0;
  const taken = new Map<number, string>();
  client.on('close', () => {
    connection += 1;
    taken.clear();
    inFlight = 0;
  });
  client.on('packetreceive', (packet) => {
    if (packet.cmd !== 'publish' || packet.qos === 0) return;
    const seen = { connection, messageId: packet.messageId!, payload: packet.payload.toString() };
    taken.set(seen.messageId, seen.payload);
    received.push(seen);
    inFlight += 1;
    peak = Math.max(peak, inFlight);
  });
  client.on('packetsend', (packet) => {
    if (packet.cmd !== 'puback' && packet.cmd !== 'pubrec') return;
    const seen = { connection, messageId: packet.messageId!, payload: taken.get(packet.messageId!) ?? '' };
    acknowledged.push(seen);
    inFlight -= 1;
    if (!stored(seen.payload)) early.push(seen);
  });
  return {
    received,
    acknowledged,
    early,
    /** The most messages taken and not yet acknowledged at any moment. */
    peak: () => peak,
    inFlight: () => inFlight,
    /** The packet identifiers of `list` on one connection, in order. */
    ids: (list: Seen[], on = 0) => list.filter((s) => s.connection === on).map((s) => s.messageId),
  };
}

/** Whether `rec` stored the payload, as an event or as a dead letter. */
const storedIn = (rec: ReturnType<typeof testContext>) => (payload: string) =>
  rec.payloads().includes(payload) ||
  rec.deadLetters.some((d) => Buffer.from(d.payload).toString() === payload);

// ---------------------------------------------------------------------------------------------
// Against a real Mosquitto

describe('mqtt Source against Mosquitto', () => {
  let broker: BrokerHandle;
  const managed = externalBrokerUrl('mqtt') === undefined;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker?.dispose();
  });

  for (const protocolVersion of [5, 4] as const) {
    const clientIds = new Map<string, string>();
    connectorContract({
      kind: 'mqtt',
      malformed: 'dead-letter',
      name: `mqtt (protocol version ${protocolVersion})`,
      freshChannel: () => freshTopic('contract'),
      connector: (channel) => {
        // One session per channel, so a second connector on it resumes the first one's.
        if (!clientIds.has(channel)) clientIds.set(channel, `contract-${randomUUID()}`);
        return connectorFor({
          url: broker.url,
          protocolVersion,
          topics: [channel],
          clientId: clientIds.get(channel),
        });
      },
      publishRaw: (channel, ids) =>
        publish(
          broker.url,
          channel,
          ids.map((id) => JSON.stringify({ id })),
          { protocolVersion },
        ),
      publishMalformed: (channel) =>
        protocolVersion === 5
          ? publish(broker.url, channel, ['{}'], {
              properties: { userProperties: { specversion: '0.3', type: 't', source: '/s', id: 'bad-1' } },
            })
          : publish(broker.url, channel, ['{"specversion":"0.3","type":"t","source":"/s","id":"bad-1"}'], {
              protocolVersion: 4,
            }),
      restartBroker: () => broker.restart(),
    });
  }

  describe.each([
    [4, 1],
    [4, 2],
    [5, 1],
    [5, 2],
  ] as const)('protocol version %i, QoS %i', (protocolVersion, qos) => {
    it('delivers messages published at that QoS, in order', async () => {
      const topic = freshTopic();
      const rec = testContext();
      const connector = connectorFor({ url: broker.url, protocolVersion, qos, topics: [topic] });
      await connector.start(rec.ctx);
      try {
        await rec.up();
        const sent = Array.from({ length: 20 }, (_, i) => JSON.stringify({ id: `m${i}` }));
        await publish(broker.url, topic, sent, { qos, protocolVersion });
        await rec.waitFor(() => rec.events.length >= 20, '20 events');
        expect(rec.payloads()).toEqual(sent);
      } finally {
        await connector.stop();
      }
    });

    it.skipIf(!managed)(
      'holds the acknowledgement until ingest resolves: a message whose ingest hangs comes again after a broker restart',
      async () => {
        const topic = freshTopic();
        let release: () => void = () => undefined;
        const rec = testContext({
          ingest: (_events, call) =>
            call === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve(),
        });
        const clientId = `hold-${randomUUID()}`;
        const connector = connectorFor({ url: broker.url, protocolVersion, qos, topics: [topic], clientId });
        await connector.start(rec.ctx);
        try {
          await rec.up();
          await publish(broker.url, topic, ['{"id":"held"}'], { qos, protocolVersion });
          await rec.waitFor(() => rec.calls() === 1, 'the first ingest');
          // Mosquitto saves its state on SIGTERM: the session and the message without its ack.
          await broker.restart();
          await rec.waitFor(() => rec.events.length === 1, 'the same message, sent again', 60_000);
          expect(rec.calls()).toBe(2);
          expect(rec.payloads()).toEqual(['{"id":"held"}']);
        } finally {
          release();
          await connector.stop();
        }
        // The first (stale) ingest resolving later acknowledges nothing on the new connection.
        const again = testContext();
        const second = connectorFor({ url: broker.url, protocolVersion, qos, topics: [topic], clientId });
        await second.start(again.ctx);
        try {
          await again.up();
          await publish(broker.url, topic, ['{"id":"sentinel"}'], { qos, protocolVersion });
          await again.waitFor(() => again.events.length >= 1, 'sentinel');
          expect(again.payloads()).toEqual(['{"id":"sentinel"}']);
        } finally {
          await second.stop();
        }
      },
    );
  });

  describe.each([
    [5, 1],
    [4, 1],
    [5, 2],
  ] as const)('several messages in flight (protocol version %i, QoS %i)', (protocolVersion, qos) => {
    it('stores them in batches and acknowledges each once stored, in the order the messages arrived', async () => {
      const topic = freshTopic('in-flight');
      const sizes: number[] = [];
      // Slow commits, so that messages pile up behind each; dead letters slower still, so that
      // later messages are stored before earlier ones and their acknowledgements must wait.
      const rec = testContext({
        ingest: async (events) => {
          sizes.push(events.length);
          await sleep(20);
        },
        deadLetter: () => sleep(150),
      });
      const connector = connectorFor({ url: broker.url, protocolVersion, qos, topics: [topic] });
      await connector.start(rec.ctx);
      const acks = watchAcks(connector, storedIn(rec));
      try {
        await rec.up();
        const sent = Array.from({ length: 200 }, (_, i) =>
          i % 40 === 7
            ? JSON.stringify({ specversion: '0.3', type: 't', source: '/s', id: `bad-${i}` })
            : JSON.stringify({ id: `m${i}` }),
        );
        await publishAll(broker.url, topic, sent, protocolVersion, qos);
        await rec.waitFor(() => acks.acknowledged.length === 200, 'every message acknowledged');
        // Nothing acknowledged before it was stored, and acknowledged in the order received (MQTT 4.6).
        expect(acks.early).toEqual([]);
        expect(acks.ids(acks.acknowledged)).toEqual(acks.ids(acks.received));
        expect(acks.received.map((r) => r.payload)).toEqual(sent);
        // Stored in order, malformed ones as dead letters.
        expect(rec.payloads()).toEqual(sent.filter((p) => !p.includes('bad-')));
        expect(rec.deadLetters).toHaveLength(5);
        if (qos === 1) {
          // Several at once, and many to one commit.
          expect(acks.peak()).toBeGreaterThan(1);
          expect(acks.peak()).toBeLessThanOrEqual(IN_FLIGHT_MAXIMUM);
          expect(Math.max(...sizes)).toBeGreaterThan(1);
          expect(sizes.length).toBeLessThan(100);
        } else {
          // QoS 2 goes one message at a time (see AckGate): the PUBREC is written before the next is read.
          expect(acks.peak()).toBe(1);
        }
      } finally {
        await connector.stop();
      }
    });

    it('a store that fails mid-stream: nothing unstored is acknowledged, and after a reconnect the MQTT broker sends it again; nothing is lost', async () => {
      const topic = freshTopic('fails');
      // Stores the first 60 events, then fails (a batch crossing 60 too) until the connection has been cut.
      let phase: 'storing' | 'failing' | 'recovered' = 'storing';
      let failures = 0;
      const rec = testContext({
        ingest: async (events) => {
          await sleep(5);
          if (phase === 'storing' && rec.events.length + events.length > 60) phase = 'failing';
          if (phase === 'failing') {
            failures += 1;
            throw new BrokerError('unavailable', 'the event store could not commit (test)');
          }
        },
      });
      const connector = connectorFor({ url: broker.url, protocolVersion, qos, topics: [topic] });
      await connector.start(rec.ctx);
      const acks = watchAcks(connector, storedIn(rec));
      try {
        await rec.up();
        const sent = Array.from({ length: 150 }, (_, i) => JSON.stringify({ id: `f${i}` }));
        await publishAll(broker.url, topic, sent, protocolVersion, qos);
        await rec.waitFor(() => failures >= 2, 'the store failing');
        const firstAcked = acks.acknowledged.length;
        expect(firstAcked).toBe(rec.events.length);
        // The connection dies (white box: its socket); mqtt.js reconnects within a second.
        (connector as unknown as { client: MqttClient }).client.stream.destroy();
        await rec.waitFor(() => acks.received.some((r) => r.connection === 1), 'the next connection');
        phase = 'recovered';
        await rec.waitFor(
          () => sent.every((p) => rec.payloads().includes(p)),
          'every message stored',
          60_000,
        );
        expect(acks.early).toEqual([]);
        // What the first connection did not acknowledge came again on the next one.
        const ackedFirst = new Set(acks.acknowledged.filter((a) => a.connection === 0).map((a) => a.payload));
        const again = new Set(acks.received.filter((r) => r.connection > 0).map((r) => r.payload));
        for (const payload of sent) if (!ackedFirst.has(payload)) expect(again.has(payload)).toBe(true);
        expect(ackedFirst.size).toBe(firstAcked);
        expect(firstAcked).toBeLessThanOrEqual(60);
      } finally {
        await connector.stop();
      }
    });
  });

  it('stop() while an ingest hangs leaves the message unacknowledged for the next session', async () => {
    const topic = freshTopic();
    const clientId = `stop-${randomUUID()}`;
    const hanging = testContext({ ingest: () => new Promise<void>(() => undefined) });
    const first = connectorFor({ url: broker.url, topics: [topic], clientId, qos: 2 });
    await first.start(hanging.ctx);
    await hanging.up();
    await publish(broker.url, topic, ['{"id":"unfinished"}'], { qos: 2 });
    await hanging.waitFor(() => hanging.calls() === 1, 'the ingest');
    await first.stop();
    expect(hanging.states.at(-1)).toEqual({ status: 'stopped' });
    expect(hanging.logs.some((l) => String(l['msg']).includes('stays unacknowledged'))).toBe(true);

    const rec = testContext();
    const second = connectorFor({ url: broker.url, topics: [topic], clientId, qos: 2 });
    await second.start(rec.ctx);
    try {
      await rec.waitFor(() => rec.events.length === 1, 'the message in the next session');
      expect(rec.payloads()).toEqual(['{"id":"unfinished"}']);
    } finally {
      await second.stop();
    }
  });

  it.each([4, 5] as const)(
    'keeps a persistent session: messages published while stopped arrive at the next start (version %i)',
    async (protocolVersion) => {
      const topic = freshTopic();
      // The default clientId comes from the Source name: the same name finds the same session.
      const spec = { url: broker.url, protocolVersion, topics: [`${topic}/+`] };
      const name = `catch-up-${randomUUID().slice(0, 8)}`;
      const first = build(spec, RAW_CE, name).connector!;
      const rec1 = testContext();
      await first.start(rec1.ctx);
      await rec1.up();
      await first.stop();
      await publish(broker.url, `${topic}/a`, ['{"id":"while-away-1"}', '{"id":"while-away-2"}'], {
        protocolVersion,
      });
      const second = build(spec, RAW_CE, name).connector!;
      const rec2 = testContext();
      await second.start(rec2.ctx);
      try {
        await rec2.waitFor(() => rec2.events.length === 2, 'the two queued messages');
        expect(rec2.events.map((e) => e.attributes['id'])).toEqual(['while-away-1', 'while-away-2']);
        expect(rec2.logs.find((l) => l['msg'] === 'mqtt connected')).toMatchObject({
          clientId: `trigger-broker-${name}`,
          sessionPresent: true,
        });
      } finally {
        await second.stop();
      }
    },
  );

  it('reads binary mode (user properties), structured mode in both versions, and maps raw messages', async () => {
    const topic = freshTopic('home');
    const rec = testContext();
    const connector = connectorFor(
      { url: broker.url, topics: [`${topic}/+/+`] },
      {
        type: 'com.example.${topic[3]}',
        source: '/rooms/${topic[2]}',
        subject: '${userProperties.device}',
        extensions: { reading: '${body.value}' },
      },
    );
    await connector.start(rec.ctx);
    try {
      await rec.up();
      await publish(broker.url, `${topic}/kitchen/temperature`, ['{"value":21}'], {
        properties: {
          contentType: 'application/json',
          userProperties: {
            specversion: '1.0',
            type: 'com.example.binary',
            source: '/binary',
            id: 'b-1',
            traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
          },
        },
      });
      const structured = {
        specversion: '1.0',
        type: 'com.example.structured',
        source: '/structured',
        id: 's-1',
        datacontenttype: 'application/json',
        data: { ok: true },
      };
      await publish(broker.url, `${topic}/hall/door`, [JSON.stringify(structured)], {
        properties: { contentType: 'application/cloudevents+json; charset=utf-8' },
      });
      await publish(broker.url, `${topic}/hall/door`, [JSON.stringify({ ...structured, id: 's-2' })], {
        protocolVersion: 4,
      });
      await publish(broker.url, `${topic}/attic/humidity`, ['{"value":40}'], {
        properties: { contentType: 'application/json', userProperties: { device: 'h-9' } },
      });
      await rec.waitFor(() => rec.events.length === 4, '4 events');
      const [binary, s1, s2, raw] = rec.events;
      expect(binary!.attributes).toEqual({
        specversion: '1.0',
        type: 'com.example.binary',
        source: '/binary',
        id: 'b-1',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        datacontenttype: 'application/json',
      });
      expect(dataText(binary!)).toBe('{"value":21}');
      expect(s1!.attributes).toMatchObject({ type: 'com.example.structured', id: 's-1' });
      expect(s1!.data).toEqual({ kind: 'json', value: { ok: true } });
      expect(s2!.attributes).toMatchObject({ type: 'com.example.structured', id: 's-2' });
      expect(raw!.attributes).toMatchObject({
        type: 'com.example.humidity',
        source: '/rooms/attic',
        subject: 'h-9',
        reading: '40',
        datacontenttype: 'application/json',
      });
      expect(dataText(raw!)).toBe('{"value":40}');
      expect(rec.deadLetters).toEqual([]);
    } finally {
      await connector.stop();
    }
  });

  it('dead-letters malformed binding messages and acknowledges them; the stream goes on', async () => {
    const topic = freshTopic();
    const clientId = `malformed-${randomUUID()}`;
    const rec = testContext();
    const connector = connectorFor({ url: broker.url, topics: [topic], clientId });
    await connector.start(rec.ctx);
    try {
      await rec.up();
      await publish(broker.url, topic, ['{"specversion":"1.0", oops'], {
        properties: { contentType: 'application/cloudevents+json' },
      });
      await publish(broker.url, topic, ['x'], {
        properties: { userProperties: { specversion: '1.0', type: 't', source: '/s', id: ['1', '2'] } },
      });
      await publish(broker.url, topic, ['{"id":"next"}']);
      await rec.waitFor(
        () => rec.events.length === 1 && rec.deadLetters.length === 2,
        'two dead letters and one event',
      );
      expect(rec.deadLetters.map((d) => d.reason)).toEqual([
        expect.stringMatching(/^malformed_json: /),
        expect.stringMatching(/^invalid_attribute: user property "id" occurs 2 times/),
      ]);
      expect(Buffer.from(rec.deadLetters[0]!.payload).toString()).toBe('{"specversion":"1.0", oops');
      expect(rec.deadLetters[0]!.origin).toEqual({ topic, qos: 1 });
    } finally {
      await connector.stop();
    }
  });

  it('dead-letters an event the broker refuses for good (schema_violation) and goes on', async () => {
    const topic = freshTopic();
    const rec = testContext({
      ingest: async (events) => {
        if (events[0]!.attributes['id'] === 'invalid')
          throw new BrokerError('schema_violation', 'data.x is required');
      },
    });
    const connector = connectorFor({ url: broker.url, topics: [topic] });
    await connector.start(rec.ctx);
    try {
      await rec.up();
      await publish(broker.url, topic, ['{"id":"invalid"}', '{"id":"valid"}']);
      await rec.waitFor(
        () => rec.deadLetters.length === 1 && rec.events.length === 1,
        'dead letter and event',
      );
      expect(rec.deadLetters[0]!.reason).toBe('schema_violation: data.x is required');
      expect(rec.events[0]!.attributes['id']).toBe('valid');
    } finally {
      await connector.stop();
    }
  });

  it.each([4, 5] as const)(
    'retained: take reads a retained message, ignore skips it (version %i)',
    async (protocolVersion) => {
      const topic = freshTopic('retained');
      await publish(broker.url, topic, ['{"id":"retained-1"}'], { retain: true, protocolVersion });
      for (const retained of ['take', 'ignore'] as const) {
        const rec = testContext();
        const connector = connectorFor({ url: broker.url, protocolVersion, topics: [topic], retained });
        await connector.start(rec.ctx);
        try {
          await rec.up();
          await publish(broker.url, topic, ['{"id":"live-1"}'], { protocolVersion });
          await rec.waitFor(
            () => rec.events.some((e) => e.attributes['id'] === 'live-1'),
            'the live message',
          );
          expect(rec.events.map((e) => e.attributes['id'])).toEqual(
            retained === 'take' ? ['retained-1', 'live-1'] : ['live-1'],
          );
        } finally {
          await connector.stop();
        }
      }
      await publish(broker.url, topic, [''], { retain: true }); // clears the retained message
    },
  );

  it('splits a feed between two members of a shared group', async () => {
    const topic = freshTopic('shared');
    const members = [testContext(), testContext()];
    const connectors = members.map((_, i) =>
      connectorFor({
        url: broker.url,
        topics: [topic],
        sharedGroup: 'workers',
        clientId: `member-${i}-${randomUUID()}`,
      }),
    );
    for (const [i, c] of connectors.entries()) await c.start(members[i]!.ctx);
    try {
      await Promise.all(members.map((m) => m.up()));
      const ids = Array.from({ length: 40 }, (_, i) => `s${i}`);
      await publish(
        broker.url,
        topic,
        ids.map((id) => JSON.stringify({ id })),
      );
      const all = () => members.flatMap((m) => m.events.map((e) => String(e.attributes['id'])));
      await members[0]!.waitFor(() => all().length >= 40, 'all 40 messages across the group');
      expect(all().sort()).toEqual([...ids].sort());
      for (const m of members) expect(m.events.length).toBeGreaterThan(0);
    } finally {
      await Promise.all(connectors.map((c) => c.stop()));
    }
  });

  describe('shared-group takeover (MQTT 5)', () => {
    const idsOf = (rec: ReturnType<typeof testContext>) =>
      new Set(rec.events.map((e) => String(e.attributes['id'])));
    const logged = (rec: ReturnType<typeof testContext>, pattern: RegExp) =>
      rec.logs.filter((l) => pattern.test(String(l['msg'])));
    const freshGroup = () => `g-${randomUUID().slice(0, 8)}`;

    it('Mosquitto drops the delayed Will of a connection whose session is taken over, and sends that of a connection that dies', async () => {
      // The takeover relies on this (MQTT 5.0 3.1.3.2.2): an adopter or a returning member
      // taking a session over must not announce the connection it replaces offline.
      const topic = freshTopic('will');
      const clientId = `will-${randomUUID()}`;
      const watch = await watchTopics(broker.url, topic);
      const withWill = (payload: string) =>
        connectAsync(broker.url, {
          clientId,
          clean: false,
          protocolVersion: 5,
          reconnectPeriod: 0,
          properties: { sessionExpiryInterval: 60 },
          will: {
            topic,
            payload: Buffer.from(payload),
            qos: 1,
            retain: true,
            properties: { willDelayInterval: WILL_DELAY_SECONDS },
          },
        });
      const first = await withWill('first');
      const second = await withWill('second');
      try {
        await watch.waitFor(() => !first.connected, 'the first connection closed');
        await sleep(WILL_DELAY_SECONDS * 1000 + 1_500);
        expect(watch.latest.get(topic)).toBeUndefined();
        second.stream.destroy();
        await watch.waitFor(() => watch.latest.get(topic) === 'second', "the second connection's Will");
      } finally {
        first.end(true);
        second.end(true);
        await watch.close();
      }
    });

    it('a survivor takes over the session of a member that died: its unacknowledged and queued messages and its share, until it returns', async () => {
      const topic = freshTopic('takeover');
      const group = freshGroup();
      // A clientId with the characters the membership topic must encode.
      const deadId = `dead/+#-${randomUUID().slice(0, 8)}`;
      const survivorId = `survivor-${randomUUID().slice(0, 8)}`;
      const watch = await watchTopics(broker.url, `${DEFAULT_MEMBERSHIP_TOPIC}/${group}/members/+`);
      const announced = (clientId: string) =>
        parseAnnouncement(watch.latest.get(memberTopic(DEFAULT_MEMBERSHIP_TOPIC, group, clientId)) ?? '');
      // The member that dies is a plain client: it takes its first message and never acknowledges it.
      const dead = await rawMember(broker.url, { clientId: deadId, topic, group, acknowledge: false });
      const rec = testContext();
      const survivor = connectorFor({
        url: broker.url,
        topics: [topic],
        sharedGroup: group,
        clientId: survivorId,
      });
      await survivor.start(rec.ctx);
      let back: RawMember | undefined;
      try {
        await rec.up();
        await watch.waitFor(() => announced(survivorId)?.state === 'online', 'the survivor announced online');
        expect(announced(survivorId)).toEqual({
          state: 'online',
          clientId: survivorId,
          topics: [topic],
          sessionExpiry: 0xffff_ffff,
        });
        const first = Array.from({ length: 20 }, (_, i) => `m${i}`);
        await publish(
          broker.url,
          topic,
          first.map((id) => JSON.stringify({ id })),
        );
        await rec.waitFor(() => dead.received.length === 1 && rec.events.length >= 5, 'both members served');
        // Killed: its unacknowledged messages stay in its session, where its turns keep going.
        dead.client.stream.destroy();
        const second = Array.from({ length: 20 }, (_, i) => `n${i}`);
        await publish(
          broker.url,
          topic,
          second.map((id) => JSON.stringify({ id })),
        );
        await rec.waitFor(
          () => [...first, ...second].every((id) => idsOf(rec).has(id)),
          "every message, the dead member's included",
        );
        expect(logged(rec, /taking over its session/)).toEqual([
          expect.objectContaining({ member: deadId, group }),
        ]);
        await watch.waitFor(() => announced(deadId)?.state === 'adopted', 'the member announced adopted');
        expect(announced(deadId)).toMatchObject({ state: 'adopted', clientId: deadId, by: survivorId });
        // Reported for /metrics (trigger_broker_connector_adopted_sessions).
        expect(rec.adopted).toEqual([[deadId]]);

        // The member comes back: its CONNECT takes the session over, and the survivor lets go.
        back = await rawMember(broker.url, { clientId: deadId, topic, group, acknowledge: true });
        await rec.waitFor(() => logged(rec, /released the session/).length === 1, 'the session released');
        expect(rec.adopted).toEqual([[deadId], []]);
        const before = rec.events.length;
        const third = Array.from({ length: 20 }, (_, i) => `o${i}`);
        await publish(
          broker.url,
          topic,
          third.map((id) => JSON.stringify({ id })),
        );
        await rec.waitFor(
          () => third.every((id) => idsOf(rec).has(id) || back!.received.includes(JSON.stringify({ id }))),
          'the third batch across the group',
        );
        expect(back.received.length).toBeGreaterThan(0);
        expect(rec.events.length - before).toBeGreaterThan(0);
        // The survivor does not come back for the session: the member stays connected.
        await sleep(WILL_DELAY_SECONDS * 1000 + ADOPT_SETTLE_MS + 1_000);
        expect(back.client.connected).toBe(true);
        expect(logged(rec, /taking over its session/)).toHaveLength(1);
      } finally {
        await survivor.stop();
        dead.client.end(true);
        await back?.client.endAsync();
        await watch.close();
      }
    });

    it('an adoption connection that dies is announced offline by its own Will, and the member is adopted again', async () => {
      const topic = freshTopic('adopter-dies');
      const group = freshGroup();
      const deadId = `dead-${randomUUID().slice(0, 8)}`;
      const watch = await watchTopics(broker.url, `${DEFAULT_MEMBERSHIP_TOPIC}/${group}/members/+`);
      const announced = () =>
        parseAnnouncement(watch.latest.get(memberTopic(DEFAULT_MEMBERSHIP_TOPIC, group, deadId)) ?? '');
      const dead = await rawMember(broker.url, { clientId: deadId, topic, group, acknowledge: false });
      const rec = testContext();
      const survivor = connectorFor({ url: broker.url, topics: [topic], sharedGroup: group });
      await survivor.start(rec.ctx);
      try {
        await rec.up();
        dead.client.stream.destroy();
        await rec.waitFor(
          () => logged(rec, /taking over its session/).length === 1,
          'the first adoption',
          30_000,
        );
        await watch.waitFor(() => announced()?.state === 'adopted', 'adopted');
        // The adoption's connection dies as it would with its process (white box: its socket).
        const adoptions = (
          survivor as unknown as { takeover: { adoptions: Map<string, { client: MqttClient }> } }
        ).takeover.adoptions;
        adoptions.get(deadId)!.client.stream.destroy();
        await watch.waitFor(() => announced()?.state === 'offline', "the adoption's Will");
        await rec.waitFor(
          () => logged(rec, /taking over its session/).length === 2,
          'the second adoption',
          30_000,
        );
        const ids = Array.from({ length: 20 }, (_, i) => `a${i}`);
        await publish(
          broker.url,
          topic,
          ids.map((id) => JSON.stringify({ id })),
        );
        await rec.waitFor(() => ids.every((id) => idsOf(rec).has(id)), 'every message');
      } finally {
        await survivor.stop();
        dead.client.end(true);
        await watch.close();
      }
    });

    it('a member that stops cleanly is taken over, and a stopped adopter hands the sessions back to the group', async () => {
      const topic = freshTopic('handback');
      const group = freshGroup();
      const run = randomUUID().slice(0, 8);
      const names = ['a', 'b', 'c'] as const;
      const clientIds = names.map((n) => `${n}-${run}`); // a < b < c: a adopts first
      const recs = names.map(() => testContext());
      const connectors = names.map((_, i) =>
        connectorFor({ url: broker.url, topics: [topic], sharedGroup: group, clientId: clientIds[i] }),
      );
      const watch = await watchTopics(broker.url, `${DEFAULT_MEMBERSHIP_TOPIC}/${group}/members/+`);
      const announced = (i: number) =>
        parseAnnouncement(
          watch.latest.get(memberTopic(DEFAULT_MEMBERSHIP_TOPIC, group, clientIds[i]!)) ?? '',
        );
      const stopped = new Set<number>();
      const stop = async (i: number) => {
        stopped.add(i);
        await connectors[i]!.stop();
      };
      for (const [i, c] of connectors.entries()) await c.start(recs[i]!.ctx);
      try {
        await Promise.all(recs.map((r) => r.up()));
        await watch.waitFor(
          () => [0, 1, 2].every((i) => announced(i)?.state === 'online'),
          'three members online',
        );
        const all = () => new Set(recs.flatMap((r) => [...idsOf(r)]));
        const batch = async (prefix: string) => {
          const ids = Array.from({ length: 30 }, (_, i) => `${prefix}${i}`);
          await publish(
            broker.url,
            topic,
            ids.map((id) => JSON.stringify({ id })),
          );
          await recs[0]!.waitFor(() => ids.every((id) => all().has(id)), `batch ${prefix} across the group`);
          return ids;
        };

        // c stops: it announces itself offline, and a (the lowest clientId) takes its share.
        await stop(2);
        await watch.waitFor(() => announced(2)?.state === 'adopted', 'c adopted');
        expect(announced(2)?.by).toBe(clientIds[0]);
        await batch('x');

        // a stops: it hands c's session back, and b, the one left, takes both.
        await stop(0);
        expect(logged(recs[0]!, /handing the session of member/)).toHaveLength(1);
        await watch.waitFor(
          () => announced(0)?.by === clientIds[1] && announced(2)?.by === clientIds[1],
          'a and c adopted by b',
        );
        const before = recs[1]!.events.length;
        await batch('y');
        expect(recs[1]!.events.length - before).toBeGreaterThanOrEqual(30);
      } finally {
        await Promise.all(connectors.map((c, i) => (stopped.has(i) ? undefined : c.stop())));
        await watch.close();
      }
    });

    it('with MQTT 3.1.1 a member announces nothing and says that a share waits for its member', async () => {
      const rec = testContext();
      const connector = connectorFor({
        url: broker.url,
        protocolVersion: 4,
        topics: [freshTopic()],
        sharedGroup: freshGroup(),
      });
      await connector.start(rec.ctx);
      try {
        await rec.up();
        expect(logged(rec, /waits in its session until it returns/)).toHaveLength(1);
      } finally {
        await connector.stop();
      }
    });
  });

  it('drops, with a warning, messages of a subscription an earlier configuration left in the session', async () => {
    const base = freshTopic('leftover');
    const clientId = `leftover-${randomUUID()}`;
    const old = testContext();
    const before = connectorFor({ url: broker.url, topics: [`${base}/old`], clientId });
    await before.start(old.ctx);
    await old.up();
    await before.stop();
    const rec = testContext();
    const after = connectorFor({ url: broker.url, topics: [`${base}/new`], clientId });
    await after.start(rec.ctx);
    try {
      await rec.up();
      await publish(broker.url, `${base}/old`, ['{"id":"old"}']);
      await publish(broker.url, `${base}/new`, ['{"id":"new"}']);
      await rec.waitFor(() => rec.events.length === 1, 'the new topic');
      expect(rec.events[0]!.attributes['id']).toBe('new');
      expect(rec.logs.some((l) => String(l['msg']).includes('outside this Source'))).toBe(true);
    } finally {
      await after.stop();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Flow control

describe('mqtt Source flow control, against a Mosquitto that sends without limit', () => {
  let server: ServerProcess | undefined;
  let url = '';
  beforeAll(async () => {
    // max_inflight_messages 0: Mosquitto sends a 3.1.1 client every queued message without
    // waiting for acknowledgements, so only the Source's own window holds it back.
    const dir = await makeBrokerDir('mosquitto-unlimited');
    const port = await freeLoopbackPort();
    url = `mqtt://127.0.0.1:${port}`;
    const lines = [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'max_inflight_messages 0',
      'max_queued_messages 0',
      'log_dest stderr',
      'log_type error',
    ];
    server = await mosquittoServer(dir, lines, url);
    await server.start();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it.each([4, 5] as const)(
    'never has more than IN_FLIGHT_MAXIMUM messages unacknowledged (protocol version %i)',
    async (protocolVersion) => {
      const topic = freshTopic('window');
      const clientId = `window-${randomUUID()}`;
      let release: () => void = () => undefined;
      const released = new Promise<void>((r) => (release = r));
      const rec = testContext({ ingest: () => released });
      // The session first, then the messages queued in it, so that they all wait for the Source.
      const first = connectorFor({ url, protocolVersion, topics: [topic], clientId });
      const subscribing = testContext();
      await first.start(subscribing.ctx);
      await subscribing.up();
      await first.stop();
      const total = IN_FLIGHT_MAXIMUM + 144;
      const sent = Array.from({ length: total }, (_, i) => JSON.stringify({ id: `w${i}` }));
      await publishAll(url, topic, sent, protocolVersion);

      const connector = connectorFor({ url, protocolVersion, topics: [topic], clientId });
      await connector.start(rec.ctx);
      const acks = watchAcks(connector, storedIn(rec));
      try {
        await rec.waitFor(() => acks.received.length >= IN_FLIGHT_MAXIMUM, 'a full window');
        await sleep(500);
        // Held at the window while nothing is stored: 3.1.1 by the Source not reading further,
        // MQTT 5 by Mosquitto itself (the Receive Maximum).
        expect(acks.received).toHaveLength(IN_FLIGHT_MAXIMUM);
        expect(acks.acknowledged).toHaveLength(0);
        release();
        await rec.waitFor(() => acks.acknowledged.length === total, 'every message acknowledged');
        expect(acks.peak()).toBe(IN_FLIGHT_MAXIMUM);
        expect(acks.early).toEqual([]);
        expect(acks.ids(acks.acknowledged)).toEqual(acks.ids(acks.received));
        expect(rec.payloads()).toEqual(sent);
      } finally {
        release();
        await connector.stop();
      }
    },
  );
});

// ---------------------------------------------------------------------------------------------
// Connection failures

describe('mqtt Source connection failures', () => {
  it('a wrong address gives one clear error line and reconnection with backoff, not a crash', async () => {
    const port = await freeLoopbackPort();
    const rec = testContext();
    const connector = connectorFor({ url: `mqtt://127.0.0.1:${port}`, topics: ['x'] });
    await connector.start(rec.ctx);
    try {
      await rec.waitFor(
        () => rec.states.filter((s) => s.status === 'reconnecting').length >= 2,
        'two reconnection attempts',
      );
      const errors = rec.logs.filter((l) => l['level'] === 50);
      expect(errors).toHaveLength(1);
      expect(String(errors[0]!['msg'])).toMatch(/connection refused: is the MQTT broker running/);
      expect(rec.states.at(-1)).toMatchObject({
        status: 'reconnecting',
        error: expect.stringMatching(/refused/),
      });
    } finally {
      await connector.stop();
    }
    expect(rec.states.at(-1)).toEqual({ status: 'stopped' });
  });

  describe('with a Mosquitto that requires a password, over TLS too', () => {
    let secured: SecuredMosquitto;
    beforeAll(async () => {
      secured = await startSecuredMosquitto();
    });
    afterAll(async () => {
      await secured?.server.dispose();
    });

    it('wrong credentials give one clear error line and retries; right ones connect', async () => {
      process.env['MQTT_TEST_WRONG'] = 'not-the-password';
      process.env['MQTT_TEST_RIGHT'] = secured.password;
      const topic = freshTopic();
      const wrong = testContext();
      const refused = connectorFor({
        url: secured.url,
        topics: [topic],
        username: secured.username,
        password: { fromEnv: 'MQTT_TEST_WRONG' },
      });
      await refused.start(wrong.ctx);
      try {
        await wrong.waitFor(
          () => wrong.states.filter((s) => s.status === 'reconnecting').length >= 2,
          'two attempts',
        );
        const errors = wrong.logs.filter((l) => l['level'] === 50);
        expect(errors).toHaveLength(1);
        expect(String(errors[0]!['msg'])).toMatch(/Not authorized: check username and password/);
        expect(JSON.stringify(wrong.logs)).not.toContain('not-the-password');
      } finally {
        await refused.stop();
      }

      for (const url of [secured.url, secured.tlsUrl]) {
        const rec = testContext();
        const connector = connectorFor({
          url,
          topics: [topic],
          username: secured.username,
          password: { fromEnv: 'MQTT_TEST_RIGHT' },
          ...(url === secured.tlsUrl ? { tls: { ca: { fromFile: secured.caFile } } } : {}),
        });
        await connector.start(rec.ctx);
        try {
          await rec.up();
          const client = await connectAsync(secured.url, {
            username: secured.username,
            password: secured.password,
            reconnectPeriod: 0,
          });
          await client.publishAsync(topic, '{"id":"authorized"}', { qos: 1 });
          await client.endAsync();
          await rec.waitFor(() => rec.events.length === 1, 'the message');
        } finally {
          await connector.stop();
        }
      }
    });
  });

  it('dead-letters a message whose user property is not UTF-8 (a broker that does not check) and acknowledges it', async () => {
    const fake = await startFakeBroker();
    const rec = testContext();
    const connector = connectorFor({ url: fake.url, topics: ['raw/t'] });
    await connector.start(rec.ctx);
    try {
      await rec.up();
      fake.publish(7, 'raw/t', Buffer.from([0x61, 0xc3, 0x28]), Buffer.from('{"id":"x"}'));
      await rec.waitFor(() => rec.deadLetters.length === 1, 'the dead letter');
      expect(rec.deadLetters[0]!.reason).toMatch(/user property "note" is not valid UTF-8/);
      await fake.waitForPuback(7);
    } finally {
      await connector.stop();
      await fake.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Shared-group helpers

/** The latest message on each topic matching `filter` (retained ones included). */
async function watchTopics(url: string, filter: string) {
  const latest = new Map<string, string>();
  const client = await connectAsync(url, {
    clientId: `watch-${randomUUID()}`,
    protocolVersion: 5,
    reconnectPeriod: 0,
  });
  client.on('message', (topic, payload) => latest.set(topic, payload.toString()));
  await client.subscribeAsync(filter, { qos: 1 });
  return {
    latest,
    async waitFor(test: () => boolean, what: string, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!test()) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${what}; seen ${JSON.stringify([...latest])}`);
        await sleep(20);
      }
    },
    close: () => client.endAsync(),
  };
}

interface RawMember {
  client: MqttClient;
  /** Payloads received. */
  received: string[];
}

/**
 * A shared-group member made of a plain mqtt.js client, as trigger-broker makes one: persistent
 * session, the shared subscription, a delayed `offline` Will and an `online` announcement. Without
 * `acknowledge` it takes its first message and never acknowledges it (nor reads any further).
 */
async function rawMember(
  url: string,
  options: { clientId: string; topic: string; group: string; acknowledge: boolean },
): Promise<RawMember> {
  const { clientId, topic, group, acknowledge } = options;
  const membership = memberTopic(DEFAULT_MEMBERSHIP_TOPIC, group, clientId);
  const announcement = (state: string) =>
    JSON.stringify({ state, clientId, topics: [topic], sessionExpiry: 3600 });
  const received: string[] = [];
  const client = await connectAsync(url, {
    clientId,
    clean: false,
    protocolVersion: 5,
    reconnectPeriod: 0,
    properties: { sessionExpiryInterval: 3600 },
    will: {
      topic: membership,
      payload: Buffer.from(announcement('offline')),
      qos: 1,
      retain: true,
      properties: { willDelayInterval: WILL_DELAY_SECONDS },
    },
    customHandleAcks: (_topic, payload, _packet, done) => {
      received.push(payload.toString());
      if (acknowledge) done(0);
    },
  });
  await client.subscribeAsync(`$share/${group}/${topic}`, { qos: 1 });
  await client.publishAsync(membership, announcement('online'), { qos: 1, retain: true });
  return { client, received };
}

// ---------------------------------------------------------------------------------------------
// Brokers that the harness does not provide

interface SecuredMosquitto {
  server: ServerProcess;
  url: string;
  tlsUrl: string;
  caFile: string;
  username: string;
  password: string;
}

/** A Mosquitto with a password file, listening in plain TCP and in TLS (a CA made for the test). */
async function startSecuredMosquitto(): Promise<SecuredMosquitto> {
  const dir = await makeBrokerDir('mosquitto-secured');
  const [port, tlsPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const username = 'device';
  const password = `pw-${randomUUID()}`;
  const passwordFile = join(dir, 'passwd');
  writeFileSync(passwordFile, '');
  execFileSync(findExecutable('mosquitto_passwd', { fallbacks: ['/usr/bin/mosquitto_passwd'] }), [
    '-b',
    passwordFile,
    username,
    password,
  ]);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=test-ca',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
  );
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    'san.ext',
    '-out',
    'server.crt',
  );
  const lines = [
    'per_listener_settings false',
    'allow_anonymous false',
    `password_file ${passwordFile}`,
    `listener ${port} 127.0.0.1`,
    `listener ${tlsPort} 127.0.0.1`,
    `cafile ${join(dir, 'ca.crt')}`,
    `certfile ${join(dir, 'server.crt')}`,
    `keyfile ${join(dir, 'server.key')}`,
    'log_dest stderr',
  ];
  const url = `mqtt://127.0.0.1:${port}`;
  const server = await mosquittoServer(dir, lines, url, { username, password });
  await server.start();
  return {
    server,
    url,
    tlsUrl: `mqtts://127.0.0.1:${tlsPort}`,
    caFile: join(dir, 'ca.crt'),
    username,
    password,
  };
}

/**
 * Just enough of an MQTT 5 server to send one PUBLISH that Mosquitto would refuse to forward: a
 * user property that is not UTF-8. Packets are written byte by byte (MQTT 5.0 section 3).
 */
async function startFakeBroker() {
  const sockets = new Set<Socket>();
  const received: Buffer[] = [];
  let client: Socket | undefined;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      for (let i = 0; i < chunk.length; ) {
        const type = chunk[i]! >> 4;
        const length = chunk[i + 1]!; // every packet here is shorter than 128 bytes
        if (type === 1) {
          client = socket;
          socket.write(Buffer.from([0x20, 0x03, 0x00, 0x00, 0x00])); // CONNACK, no session, success
        } else if (type === 8) {
          const packetId = chunk.subarray(i + 2, i + 4);
          socket.write(Buffer.concat([Buffer.from([0x90, 0x04]), packetId, Buffer.from([0x00, 0x01])])); // SUBACK QoS 1
        }
        i += 2 + length;
      }
    });
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const string = (b: Buffer) => Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
  return {
    url: `mqtt://127.0.0.1:${port}`,
    publish(packetId: number, topic: string, propertyValue: Buffer, payload: Buffer) {
      const property = Buffer.concat([
        Buffer.from([0x26]),
        string(Buffer.from('note')),
        string(propertyValue),
      ]);
      const variable = Buffer.concat([
        string(Buffer.from(topic)),
        Buffer.from([packetId >> 8, packetId & 0xff, property.length]),
        property,
      ]);
      const body = Buffer.concat([variable, payload]);
      client!.write(Buffer.concat([Buffer.from([0x32, body.length]), body])); // PUBLISH, QoS 1
    },
    async waitForPuback(packetId: number) {
      const puback = Buffer.from([0x40]);
      const id = Buffer.from([packetId >> 8, packetId & 0xff]);
      const deadline = Date.now() + 10_000;
      for (;;) {
        const all = Buffer.concat(received);
        for (let at = all.indexOf(puback); at >= 0; at = all.indexOf(puback, at + 1))
          if (all.subarray(at + 2, at + 4).equals(id)) return;
        if (Date.now() > deadline) throw new Error('no PUBACK');
        await sleep(20);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
