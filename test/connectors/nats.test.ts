// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are ce templates of the manifest language, not JavaScript template literals
// The nats Source against a real nats-server (JetStream on): the shared connector contract, then
// what is NATS's own: core subjects with wildcards and queue groups, JetStream redelivery and
// maxDeliver, the CloudEvents NATS binding in both modes, consumer setup, addresses and credentials.
// Its settings and backoff rules are tested without a server in test/unit/connectors/nats/.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, headers as natsHeaders, nkeys } from '@nats-io/transport-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CeMappingSpec } from '../../broker/config/types.js';
import { BrokerError } from '../../broker/errors.js';
import { canUpdateFilterSubject } from '../../connectors/nats/jetstream-consumer.js';
import type { BrokerHandle } from '../harness/index.js';
import { externalBrokerUrl, freeLoopbackPort, startNats, waitFor } from '../harness/index.js';
import { findExecutable, makeBrokerDir, ServerProcess } from '../harness/process.js';
import {
  type BuildOptions,
  type BuildResult,
  build as buildSource,
  CONTRACT_CE,
} from '../unit/connectors/nats/fixtures.js';
import { connectorContract, recordingContext } from './contract.js';

let nats: BrokerHandle;
let client: NatsConnection;
let channels = 0;

beforeAll(async () => {
  nats = await startNats();
  client = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
});
afterAll(async () => {
  await client?.close();
  await nats?.dispose();
});

/** Builds a nats connector named after the next channel, as streams are, unless the test names it. */
function build(
  spec: Record<string, unknown>,
  ce: CeMappingSpec | 'none' = CONTRACT_CE,
  options: BuildOptions = {},
): BuildResult {
  return buildSource(spec, ce, { ...options, name: options.name ?? `nats-${++channels}` });
}

function mustBuild(spec: Record<string, unknown>, ce?: CeMappingSpec | 'none', options?: BuildOptions) {
  const { connector, problems } = build(spec, ce, options);
  expect(problems).toEqual([]);
  return connector!;
}

/** A stream of its own for one test: STREAM_N over `js.N.>`. */
async function freshStream(): Promise<{ stream: string; prefix: string }> {
  const n = ++channels;
  const stream = `STREAM_${n}`;
  const prefix = `js.${n}`;
  const jsm = await jetstreamManager(client);
  await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`] });
  return { stream, prefix };
}

/** Publishes to JetStream and resolves once the server confirmed (PubAck); retries while it is away. */
async function publishConfirmed(
  subject: string,
  payload: string | Uint8Array,
  headers?: Record<string, string>,
): Promise<void> {
  const js = jetstream(client);
  let h: ReturnType<typeof natsHeaders> | undefined;
  if (headers !== undefined) {
    h = natsHeaders();
    for (const [k, v] of Object.entries(headers)) h.append(k, v);
  }
  await waitFor(
    `a PubAck for ${subject}`,
    async () => {
      try {
        await js.publish(subject, payload, { ...(h ? { headers: h } : {}), timeout: 2_000 });
        return true;
      } catch {
        return false;
      }
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
}

/** A core publish, flushed so the server has it. */
async function publishCore(
  subject: string,
  payload: string,
  headers?: Record<string, string>,
): Promise<void> {
  let h: ReturnType<typeof natsHeaders> | undefined;
  if (headers !== undefined) {
    h = natsHeaders();
    for (const [k, v] of Object.entries(headers)) h.append(k, v);
  }
  client.publish(subject, payload, h ? { headers: h } : undefined);
  await client.flush();
}

const streams = new Map<string, { stream: string; prefix: string }>();

connectorContract({
  kind: 'nats',
  malformed: 'dead-letter',
  name: 'nats (JetStream)',
  async freshChannel() {
    const s = await freshStream();
    streams.set(s.prefix, s);
    return s.prefix;
  },
  connector(channel) {
    const { stream } = streams.get(channel)!;
    // The same name for every connector of a channel, so a second one shares the durable.
    return mustBuild({ servers: [nats.url], subject: `${channel}.>`, stream }, CONTRACT_CE, {
      name: `contract-${stream.toLowerCase().replace('_', '-')}`,
    });
  },
  async publishRaw(channel, ids) {
    for (const id of ids) await publishConfirmed(`${channel}.raw`, JSON.stringify({ id }));
  },
  async publishMalformed(channel) {
    await publishConfirmed(`${channel}.bad`, '{}', {
      'ce-specversion': '0.3',
      'ce-id': 'x',
      'ce-type': 't',
      'ce-source': '/s',
    });
  },
  restartBroker: () => nats.restart(),
});

describe('nats Source: core subjects (at most once)', () => {
  it('reads subjects matched by * and > and exposes the tokens to templates as subject[N]', async () => {
    const n = ++channels;
    const rec = recordingContext();
    const star = mustBuild(
      { servers: [nats.url], subject: `core.${n}.*.temperature` },
      {
        type: 'com.example.reading',
        source: '/devices/${subject[2]}',
        subject: '${body.unit}',
      },
    );
    const rest = recordingContext();
    const tail = mustBuild(
      { servers: [nats.url], subject: `core.${n}.>` },
      {
        type: 'com.example.any',
        source: '/core/${subject[2]}',
      },
    );
    await star.start(rec.ctx);
    await tail.start(rest.ctx);
    try {
      await rec.waitFor(() => rec.states.some((s) => s.status === 'up'), 'star up');
      await rest.waitFor(() => rest.states.some((s) => s.status === 'up'), 'tail up');
      await publishCore(`core.${n}.dev-1.temperature`, '{"unit":"C","value":21}');
      await publishCore(`core.${n}.dev-2.humidity`, '{"unit":"%"}');
      await publishCore(`core.${n}.dev-3.temperature.extra`, 'plain text');
      await rest.waitFor(() => rest.events.length >= 3, 'three messages under >');
      await rec.waitFor(() => rec.events.length >= 1, 'the temperature reading');
      expect(rec.events).toHaveLength(1);
      expect(rec.events[0]!.attributes).toMatchObject({
        type: 'com.example.reading',
        source: '/devices/dev-1',
        subject: 'C',
      });
      expect(Buffer.from((rec.events[0]!.data as { bytes: Uint8Array }).bytes).toString()).toBe(
        '{"unit":"C","value":21}',
      );
      expect(rest.events.map((e) => e.attributes['source']).sort()).toEqual([
        '/core/dev-1',
        '/core/dev-2',
        '/core/dev-3',
      ]);
    } finally {
      await star.stop();
      await tail.stop();
    }
    expect(rec.states.at(-1)?.status).toBe('stopped');
  });

  it('splits a subject between the members of a queue group', async () => {
    const n = ++channels;
    const spec = { servers: [nats.url], subject: `queue.${n}.>`, queue: 'workers' };
    const ce = { type: 'q', source: '/q', id: '${body.id}' };
    const a = recordingContext();
    const b = recordingContext();
    const first = mustBuild(spec, ce);
    const second = mustBuild(spec, ce);
    await first.start(a.ctx);
    await second.start(b.ctx);
    try {
      await a.waitFor(() => a.states.some((s) => s.status === 'up'), 'first up');
      await b.waitFor(() => b.states.some((s) => s.status === 'up'), 'second up');
      for (let i = 0; i < 200; i++) client.publish(`queue.${n}.x`, JSON.stringify({ id: `m${i}` }));
      await client.flush();
      await a.waitFor(() => a.events.length + b.events.length >= 200, 'all 200 between the two');
      const all = [...a.ids(), ...b.ids()];
      expect(new Set(all).size).toBe(200);
      expect(all).toHaveLength(200);
    } finally {
      await first.stop();
      await second.stop();
    }
  });

  it('retries an ingest that failed for a passing reason, in memory', async () => {
    const n = ++channels;
    const rec = recordingContext({ failFirst: 2 });
    const connector = mustBuild({ servers: [nats.url], subject: `retry.${n}` });
    await connector.start(rec.ctx);
    try {
      await rec.waitFor(() => rec.states.some((s) => s.status === 'up'), 'up');
      await publishCore(`retry.${n}`, '{"id":"again"}');
      await rec.waitFor(() => rec.ids().includes('again'), 'the message after two failed ingests');
    } finally {
      await connector.stop();
    }
  });
});

describe('nats Source: JetStream', () => {
  it('negatively acks a message whose ingest failed, and it comes back with a higher delivery count', async () => {
    const { stream, prefix } = await freshStream();
    const attempts: string[] = [];
    const rec = recordingContext();
    const failing = {
      ...rec.ctx,
      async ingest(events: Parameters<typeof rec.ctx.ingest>[0]) {
        const id = String(events[0]!.attributes['id']);
        attempts.push(id);
        if (attempts.filter((a) => a === id).length <= 2)
          throw new BrokerError('overloaded', 'busy (test)', { retryAfter: 0 });
        return rec.ctx.ingest(events);
      },
    };
    const connector = mustBuild({ servers: [nats.url], subject: `${prefix}.>`, stream });
    await connector.start(failing);
    try {
      await publishConfirmed(`${prefix}.a`, '{"id":"nak-me"}');
      await rec.waitFor(() => rec.ids().includes('nak-me'), 'the message on its third delivery');
      expect(attempts.filter((a) => a === 'nak-me')).toHaveLength(3);
      const jsm = await jetstreamManager(client);
      const durable = (await jsm.consumers.list(stream).next())[0]!;
      await waitFor('the ack to reach the server', async () => {
        const info = await jsm.consumers.info(stream, durable.name);
        return info.num_ack_pending === 0 && info.num_pending === 0;
      });
    } finally {
      await connector.stop();
    }
  });

  it('gives a message up after maxDeliver deliveries and goes on with the stream', async () => {
    const { stream, prefix } = await freshStream();
    const attempts: string[] = [];
    const rec = recordingContext();
    const poisoned = {
      ...rec.ctx,
      async ingest(events: Parameters<typeof rec.ctx.ingest>[0]) {
        const id = String(events[0]!.attributes['id']);
        attempts.push(id);
        if (id === 'never') throw new BrokerError('unavailable', 'store down for this one (test)');
        return rec.ctx.ingest(events);
      },
    };
    const connector = mustBuild({
      servers: [nats.url],
      subject: `${prefix}.>`,
      stream,
      durable: 'limited',
      maxDeliver: 2,
    });
    await connector.start(poisoned);
    try {
      await publishConfirmed(`${prefix}.a`, '{"id":"never"}');
      await publishConfirmed(`${prefix}.a`, '{"id":"after"}');
      await rec.waitFor(() => rec.ids().includes('after'), 'the next message');
      const jsm = await jetstreamManager(client);
      // JetStream has given it up once nothing is pending or awaiting an ack any more.
      await waitFor(
        'the poisoned message to be given up',
        async () => {
          const info = await jsm.consumers.info(stream, 'limited');
          return info.num_ack_pending === 0 && info.num_pending === 0 && attempts.length >= 3;
        },
        { timeoutMs: 30_000 },
      );
      expect(attempts.filter((a) => a === 'never')).toHaveLength(2);
      expect((await jsm.consumers.info(stream, 'limited')).config.max_deliver).toBe(2);
    } finally {
      await connector.stop();
    }
  });

  it('creates its consumer idempotently and brings an existing one in line with the manifest', async () => {
    const { stream, prefix } = await freshStream();
    const jsm = await jetstreamManager(client);
    await jsm.consumers.add(stream, {
      durable_name: 'shared',
      ack_policy: AckPolicy.Explicit,
      filter_subject: `${prefix}.>`,
      max_deliver: 9,
    });
    const rec = recordingContext();
    const spec = {
      servers: [nats.url],
      subject: `${prefix}.>`,
      stream,
      durable: 'shared',
      maxDeliver: 4,
      ackWait: 'PT5S',
    };
    const connector = mustBuild(spec);
    const twin = mustBuild(spec);
    await connector.start(rec.ctx);
    await twin.start(rec.ctx);
    try {
      await rec.waitFor(() => rec.states.filter((s) => s.status === 'up').length >= 2, 'both up');
      const info = await jsm.consumers.info(stream, 'shared');
      expect(info.config).toMatchObject({ filter_subject: `${prefix}.>`, max_deliver: 4, ack_wait: 5e9 });
      await publishConfirmed(`${prefix}.new`, '{"id":"through-updated"}');
      await rec.waitFor(
        () => rec.ids().includes('through-updated'),
        'a message through the updated consumer',
      );
    } finally {
      await connector.stop();
      await twin.stop();
    }
  });

  it('does not change the filter subject of an existing consumer where the server cannot (nats-server 2.9)', async () => {
    const { stream, prefix } = await freshStream();
    const jsm = await jetstreamManager(client);
    await jsm.consumers.add(stream, {
      durable_name: 'narrow',
      ack_policy: AckPolicy.Explicit,
      filter_subject: `${prefix}.old`,
    });
    const rec = recordingContext();
    const connector = mustBuild({ servers: [nats.url], subject: `${prefix}.>`, stream, durable: 'narrow' });
    await connector.start(rec.ctx);
    try {
      if (canUpdateFilterSubject(client.info?.version)) {
        await rec.waitFor(() => rec.states.some((s) => s.status === 'up'), 'up');
        expect((await jsm.consumers.info(stream, 'narrow')).config.filter_subject).toBe(`${prefix}.>`);
      } else {
        await rec.waitFor(
          () => rec.states.some((s) => s.status === 'reconnecting' && /nats consumer rm/.test(s.error)),
          'the filter subject error',
        );
        expect((await jsm.consumers.info(stream, 'narrow')).config.filter_subject).toBe(`${prefix}.old`);
      }
    } finally {
      await connector.stop();
    }
  });

  it('refuses to use a push consumer of the same name, with a clear error, and keeps trying', async () => {
    const { stream, prefix } = await freshStream();
    const jsm = await jetstreamManager(client);
    await jsm.consumers.add(stream, {
      durable_name: 'pushy',
      ack_policy: AckPolicy.Explicit,
      deliver_subject: `deliver.${prefix}`,
    });
    const rec = recordingContext();
    const connector = mustBuild({ servers: [nats.url], subject: `${prefix}.>`, stream, durable: 'pushy' });
    await connector.start(rec.ctx);
    try {
      await rec.waitFor(
        () => rec.states.some((s) => s.status === 'reconnecting' && /push consumer/.test(s.error)),
        'the push consumer error',
      );
      expect(rec.states.some((s) => s.status === 'up')).toBe(false);
    } finally {
      await connector.stop();
    }
  });

  it('recreates its consumer when it is deleted under it', async () => {
    const { stream, prefix } = await freshStream();
    const rec = recordingContext();
    const connector = mustBuild({ servers: [nats.url], subject: `${prefix}.>`, stream, durable: 'fragile' });
    await connector.start(rec.ctx);
    try {
      await rec.waitFor(() => rec.states.some((s) => s.status === 'up'), 'up');
      await publishConfirmed(`${prefix}.a`, '{"id":"before"}');
      await rec.waitFor(() => rec.ids().includes('before'), 'before');
      const jsm = await jetstreamManager(client);
      // Delete it once its ack is settled: nats-server 2.9 can refuse to delete a file-store
      // consumer whose state it is writing at that moment ("unlinkat ... directory not empty").
      // That refusal is the server's race in the test's own step, so the delete is tried again.
      await waitFor('the ack of "before" to settle', async () => {
        const info = await jsm.consumers.info(stream, 'fragile');
        return info.num_ack_pending === 0;
      });
      await waitFor('the consumer to be deleted', () =>
        jsm.consumers.delete(stream, 'fragile').then(
          () => true,
          (err: Error) => {
            if (/directory not empty/.test(err.message)) return false;
            throw err;
          },
        ),
      );
      await waitFor(
        'the consumer to be back',
        () =>
          jsm.consumers.info(stream, 'fragile').then(
            () => true,
            () => false,
          ),
        {
          timeoutMs: 60_000,
        },
      );
      await publishConfirmed(`${prefix}.a`, '{"id":"after"}');
      await rec.waitFor(
        () => rec.ids().includes('after'),
        'a message through the recreated consumer',
        60_000,
      );
    } finally {
      await connector.stop();
    }
  });

  it('reports a missing stream clearly, does not create it, and starts once it exists', async () => {
    const n = ++channels;
    const stream = `LATER_${n}`;
    const rec = recordingContext();
    const connector = mustBuild({ servers: [nats.url], subject: `later.${n}.>`, stream });
    await connector.start(rec.ctx);
    try {
      await rec.waitFor(
        () => rec.states.some((s) => s.status === 'reconnecting' && /does not exist/.test(s.error)),
        'the missing stream error',
      );
      const jsm = await jetstreamManager(client);
      await expect(jsm.streams.info(stream)).rejects.toThrow(/stream not found/);
      await jsm.streams.add({ name: stream, subjects: [`later.${n}.>`] });
      await publishConfirmed(`later.${n}.x`, '{"id":"first"}');
      await rec.waitFor(
        () => rec.ids().includes('first'),
        'the first message once the stream exists',
        60_000,
      );
      expect(rec.states.at(-1)?.status).toBe('up');
    } finally {
      await connector.stop();
    }
  });
});

describe('nats Source: the CloudEvents NATS binding', () => {
  it('keeps the attributes of a binary-mode message (percent-decoded ce- headers) and its payload byte for byte', async () => {
    const { stream, prefix } = await freshStream();
    const rec = recordingContext();
    const connector = mustBuild({ servers: [nats.url], subject: `${prefix}.>`, stream });
    await connector.start(rec.ctx);
    try {
      const payload = Uint8Array.from([0, 1, 2, 250, 255]);
      await publishConfirmed(`${prefix}.bin`, payload, {
        'ce-specversion': '1.0',
        'Ce-Id': 'bin-1',
        'ce-source': '/binary/source',
        'ce-type': 'com.example.binary',
        'ce-subject': 'Euro%20%E2%82%AC%20%F0%9F%98%80',
        'ce-datacontenttype': 'application/octet-stream',
        'ce-time': '2026-01-02T03:04:05Z',
        'ce-myext': '"quoted value"',
      });
      await rec.waitFor(() => rec.ids().includes('bin-1'), 'the binary-mode event');
      const event = rec.events.find((e) => e.attributes['id'] === 'bin-1')!;
      expect(event.attributes).toEqual({
        specversion: '1.0',
        id: 'bin-1',
        source: '/binary/source',
        type: 'com.example.binary',
        subject: 'Euro € 😀',
        datacontenttype: 'application/octet-stream',
        time: '2026-01-02T03:04:05Z',
        myext: 'quoted value',
      });
      expect(event.data.kind).toBe('bytes');
      expect(Buffer.from((event.data as { bytes: Uint8Array }).bytes)).toEqual(Buffer.from(payload));
    } finally {
      await connector.stop();
    }
  });

  it('reads a structured-mode message (application/cloudevents+json) with its own attributes', async () => {
    const { stream, prefix } = await freshStream();
    const rec = recordingContext();
    const connector = mustBuild({ servers: [nats.url], subject: `${prefix}.>`, stream });
    await connector.start(rec.ctx);
    try {
      const structured = {
        specversion: '1.0',
        id: 'st-1',
        source: '/structured',
        type: 'com.example.structured',
        datacontenttype: 'application/json',
        count: 3,
        data: { hello: 'world' },
      };
      await publishConfirmed(`${prefix}.st`, JSON.stringify(structured), {
        'Content-Type': 'Application/CloudEvents+JSON; charset=utf-8',
      });
      await rec.waitFor(() => rec.ids().includes('st-1'), 'the structured-mode event');
      const event = rec.events.find((e) => e.attributes['id'] === 'st-1')!;
      expect(event.attributes).toMatchObject({
        type: 'com.example.structured',
        source: '/structured',
        count: 3,
      });
      expect(event.data).toEqual({ kind: 'json', value: { hello: 'world' } });
    } finally {
      await connector.stop();
    }
  });

  it('maps a raw message with the ce block: subject tokens, headers, body; stable default id and time', async () => {
    const { stream, prefix } = await freshStream();
    const rec = recordingContext();
    const connector = mustBuild(
      { servers: [nats.url], subject: `${prefix}.>`, stream },
      {
        type: 'com.example.${subject[2]}',
        source: '/sites/${headers.x-site}',
        subject: '${body.device.id}',
        extensions: { region: '${subject[3]}' },
      },
    );
    await connector.start(rec.ctx);
    try {
      await publishConfirmed(`${prefix}.order.eu`, '{"device":{"id":"d-9"}}', {
        'X-Site': 'berlin',
        'Content-Type': 'application/json',
      });
      await rec.waitFor(() => rec.events.length === 1, 'the mapped event');
      const event = rec.events[0]!;
      expect(event.attributes).toMatchObject({
        specversion: '1.0',
        type: 'com.example.order',
        source: '/sites/berlin',
        subject: 'd-9',
        region: 'eu',
        datacontenttype: 'application/json',
        id: `${stream}:1`,
      });
      expect(typeof event.attributes['time']).toBe('string');
    } finally {
      await connector.stop();
    }
  });

  it('dead-letters malformed binding messages (each with its reason) and acks them; the stream goes on', async () => {
    const { stream, prefix } = await freshStream();
    const rec = recordingContext();
    const connector = mustBuild({ servers: [nats.url], subject: `${prefix}.>`, stream });
    await connector.start(rec.ctx);
    const base = { 'ce-specversion': '1.0', 'ce-id': 'x', 'ce-source': '/s', 'ce-type': 't' };
    try {
      await publishConfirmed(`${prefix}.bad`, '{not json', {
        'content-type': 'application/cloudevents+json',
      });
      await publishConfirmed(`${prefix}.bad`, 'x', { ...base, 'ce-subject': 'line%0Abreak' });
      await publishConfirmed(`${prefix}.bad`, '[]', { 'content-type': 'application/cloudevents-batch+json' });
      await publishConfirmed(`${prefix}.bad`, 'x', { 'content-type': 'application/cloudevents+xml' });
      await publishConfirmed(`${prefix}.bad`, 'x', { ...base, 'ce-type': '' });
      await publishConfirmed(`${prefix}.ok`, '{"id":"fine"}');
      await rec.waitFor(
        () => rec.deadLetters.length === 5 && rec.ids().includes('fine'),
        'five dead letters and the good message',
      );
      const reasons = rec.deadLetters.map((d) => d.reason);
      expect(reasons[0]).toMatch(/^malformed_json/);
      expect(reasons[1]).toMatch(/^invalid_attribute: .*ce-subject.*control character U\+000A/);
      expect(reasons[2]).toMatch(/no batched content mode/);
      expect(reasons[3]).toMatch(/^unsupported_media_type/);
      expect(reasons[4]).toMatch(/^invalid_attribute: .*type.*empty/);
      expect(rec.deadLetters[0]!.origin).toMatchObject({ subject: `${prefix}.bad`, stream, sequence: 1 });
      expect(Buffer.from(rec.deadLetters[0]!.payload).toString()).toBe('{not json');
      const jsm = await jetstreamManager(client);
      const [consumer] = await jsm.consumers.list(stream).next();
      await waitFor('every message acked or terminated', async () => {
        const info = await jsm.consumers.info(stream, consumer!.name);
        return info.num_ack_pending === 0 && info.num_pending === 0;
      });
    } finally {
      await connector.stop();
    }
  });

  it('without a ce block takes binding messages and dead-letters raw ones', async () => {
    const { stream, prefix } = await freshStream();
    const rec = recordingContext();
    const connector = mustBuild({ servers: [nats.url], subject: `${prefix}.>`, stream }, 'none');
    await connector.start(rec.ctx);
    try {
      await publishConfirmed(`${prefix}.raw`, 'just text');
      await publishConfirmed(`${prefix}.ce`, '', {
        'ce-specversion': '1.0',
        'ce-id': 'ce-only',
        'ce-source': '/s',
        'ce-type': 't',
      });
      await rec.waitFor(() => rec.ids().includes('ce-only') && rec.deadLetters.length === 1, 'both');
      expect(rec.deadLetters[0]!.reason).toMatch(/no ce mapping/);
      expect(rec.events[0]!.data).toEqual({ kind: 'none' });
    } finally {
      await connector.stop();
    }
  });
});

describe('nats Source: connection and settings', () => {
  it('reports a wrong address with one clear error line and keeps retrying, without crashing', async () => {
    const port = await freeLoopbackPort();
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const rec = recordingContext();
    const connector = mustBuild({ servers: [`nats://127.0.0.1:${port}`], subject: 'nowhere' });
    await connector.start({ ...rec.ctx, log });
    try {
      await rec.waitFor(
        () => rec.states.filter((s) => s.status === 'reconnecting' && s.attempt >= 3).length > 0,
        'three attempts',
      );
      const errors = lines.filter((l) => l['level'] === 50);
      expect(errors).toHaveLength(1);
      expect(String(errors[0]!['msg'])).toContain(`cannot connect to NATS at nats://127.0.0.1:${port}`);
      expect(String(errors[0]!['msg'])).toMatch(/connection refused/);
    } finally {
      await connector.stop();
    }
    expect(rec.states.at(-1)?.status).toBe('stopped');
  });

  it.skipIf(externalBrokerUrl('nats') !== undefined)('authenticates with a token secret', async () => {
    const port = await freeLoopbackPort();
    const url = `nats://127.0.0.1:${port}`;
    const server = new ServerProcess(await makeBrokerDir('nats-token'), {
      name: 'nats-server',
      command: process.env['NATS_SERVER_BIN'] || findExecutable('nats-server'),
      args: ['--addr', '127.0.0.1', '--port', String(port), '--auth', 'the-token'],
      isServing: async () => {
        const nc = await connect({ servers: url, token: 'the-token', reconnect: false, timeout: 1_000 });
        await nc.close();
        return true;
      },
      startTimeoutMs: 15_000,
      stopTimeoutMs: 5_000,
    });
    await server.start();
    const good = recordingContext();
    const bad = recordingContext();
    const spec = { servers: [url], subject: 'tok.>', token: { fromEnv: 'NATS_TOKEN' } };
    const right = mustBuild(spec, CONTRACT_CE, { token: 'the-token' });
    const wrong = mustBuild(spec, CONTRACT_CE, { token: 'not-it' });
    await right.start(good.ctx);
    await wrong.start(bad.ctx);
    try {
      await good.waitFor(() => good.states.some((s) => s.status === 'up'), 'up with the right token');
      await bad.waitFor(
        () => bad.states.some((s) => s.status === 'reconnecting' && /Authorization Violation/.test(s.error)),
        'the authorization error',
      );
      const publisher = await connect({ servers: url, token: 'the-token' });
      publisher.publish('tok.a', '{"id":"authed"}');
      await publisher.flush();
      await publisher.close();
      await good.waitFor(() => good.ids().includes('authed'), 'the message');
    } finally {
      await right.stop();
      await wrong.stop();
      await server.dispose();
    }
  });

  it.skipIf(externalBrokerUrl('nats') !== undefined)(
    'authenticates with a user and password, and with an NKey seed',
    async () => {
      const port = await freeLoopbackPort();
      const url = `nats://127.0.0.1:${port}`;
      const user = nkeys.createUser();
      const dir = await makeBrokerDir('nats-users');
      const config = join(dir, 'users.conf');
      await writeFile(
        config,
        [
          `listen: "127.0.0.1:${port}"`,
          'authorization {',
          '  users = [',
          '    { user: "alice", password: "alice-pw" }',
          `    { nkey: "${user.getPublicKey()}" }`,
          '  ]',
          '}',
        ].join('\n'),
      );
      const server = new ServerProcess(dir, {
        name: 'nats-server',
        command: process.env['NATS_SERVER_BIN'] || findExecutable('nats-server'),
        args: ['-c', config],
        isServing: async () => {
          const nc = await connect({
            servers: url,
            user: 'alice',
            pass: 'alice-pw',
            reconnect: false,
            timeout: 1_000,
          });
          await nc.close();
          return true;
        },
        startTimeoutMs: 15_000,
        stopTimeoutMs: 5_000,
      });
      await server.start();
      const seed = new TextDecoder().decode(user.getSeed());
      const byPassword = recordingContext();
      const wrongPassword = recordingContext();
      const byNkey = recordingContext();
      const without = recordingContext();
      const passwordSpec = { servers: [url], subject: 'auth.>', user: 'alice', password: { fromEnv: 'PW' } };
      const connectors = [
        [mustBuild(passwordSpec, CONTRACT_CE, { secrets: { PW: 'alice-pw' } }), byPassword],
        [mustBuild(passwordSpec, CONTRACT_CE, { secrets: { PW: 'not-it' } }), wrongPassword],
        // A seed read from a file ends with a line break.
        [
          mustBuild({ servers: [url], subject: 'auth.>', nkeySeed: { fromEnv: 'SEED' } }, CONTRACT_CE, {
            secrets: { SEED: `${seed}\n` },
          }),
          byNkey,
        ],
        [mustBuild({ servers: [url], subject: 'auth.>' }), without],
      ] as const;
      for (const [connector, recording] of connectors) await connector.start(recording.ctx);
      try {
        await byPassword.waitFor(
          () => byPassword.states.some((s) => s.status === 'up'),
          'up with the password',
        );
        await byNkey.waitFor(() => byNkey.states.some((s) => s.status === 'up'), 'up with the NKey');
        // Each refusal says what to look at.
        await wrongPassword.waitFor(
          () =>
            wrongPassword.states.some(
              (s) =>
                s.status === 'reconnecting' &&
                /Authorization Violation.*check the user and the password secret/.test(s.error),
            ),
          'the authorization error',
        );
        await without.waitFor(
          () =>
            without.states.some(
              (s) =>
                s.status === 'reconnecting' &&
                /Authorization Violation.*set token, user and password, or nkeySeed/.test(s.error),
            ),
          'the authorization error without credentials',
        );
        const publisher = await connect({ servers: url, user: 'alice', pass: 'alice-pw' });
        publisher.publish('auth.a', '{"id":"authed"}');
        await publisher.flush();
        await publisher.close();
        await byPassword.waitFor(() => byPassword.ids().includes('authed'), 'the message, by password');
        await byNkey.waitFor(() => byNkey.ids().includes('authed'), 'the message, by NKey');
        expect(wrongPassword.ids()).toEqual([]);
        expect(without.ids()).toEqual([]);
      } finally {
        for (const [connector] of connectors) await connector.stop();
        await server.dispose();
      }
    },
  );
});
