// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are ce templates of the manifest language, not JavaScript template literals
// The nats Source through the real CLI (built code) against a real nats-server: binding-encoded
// and raw messages reach an HTTP function with the right attributes and routes; the delivery
// promise holds when nats-server is killed, when trigger-broker is killed, and when two
// trigger-broker processes share one durable consumer and one of them dies.
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, headers as natsHeaders } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerHandle, externalBrokerUrl, startNats, waitFor } from '../harness/index.js';
import {
  type BrokerProcess,
  type ReceivedRequest,
  scratch,
  sourceYaml,
  startBroker,
  startFunction,
  subscriptionYaml,
} from './support.js';

let nats: BrokerHandle;
let client: NatsConnection;
const dirs: ReturnType<typeof scratch>[] = [];
const brokers: BrokerProcess[] = [];
let streams = 0;

beforeAll(async () => {
  nats = await startNats();
  client = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
});
afterAll(async () => {
  for (const b of brokers) await b.stop('SIGKILL').catch(() => undefined);
  await client?.close();
  await nats?.dispose();
  for (const d of dirs) d.dispose();
});

function fresh() {
  const d = scratch('tb-e2e-nats-');
  dirs.push(d);
  return d;
}

async function start(config: string, data: string): Promise<BrokerProcess> {
  const broker = await startBroker(config, data);
  brokers.push(broker);
  return broker;
}

/** A stream of its own: E2E_N over `e2e.N.>`. */
async function freshStream(): Promise<{ stream: string; prefix: string }> {
  const n = ++streams;
  const stream = `E2E_${n}`;
  const prefix = `e2e.${n}`;
  await (await jetstreamManager(client)).streams.add({ name: stream, subjects: [`${prefix}.>`] });
  return { stream, prefix };
}

/** The connector is up once the supervisor says so (for JetStream: its consumer is set up). */
function connectorUp(broker: BrokerProcess, source: string, after = 0): Promise<unknown> {
  return broker.waitForLog(
    (l) => l['msg'] === 'connector up' && l['source'] === source && broker.logs.indexOf(l) >= after,
    60_000,
  );
}

const idsOf = (requests: ReceivedRequest[]) => new Set(requests.map((r) => String(r.headers['ce-id'])));

/** Waits until every id has reached the function at least once (duplicates do not count twice). */
async function waitForAll(fn: { received: ReceivedRequest[] }, ids: Set<string>): Promise<void> {
  let missing: string[] = [];
  try {
    await waitFor(
      `${ids.size} distinct deliveries`,
      () => {
        const delivered = idsOf(fn.received);
        missing = [...ids].filter((id) => !delivered.has(id));
        return missing.length === 0;
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
  } catch (error) {
    throw new Error(
      `${(error as Error).message}; ${missing.length} never delivered: ${missing.slice(0, 20).join(', ')}`,
    );
  }
}

/**
 * Publishes `{"n": ID}` to JetStream from `workers` concurrent publishers until `total` publishes
 * were confirmed by a PubAck (or, with a function, until it says so); an id counts as confirmed
 * only then. `onProgress` runs after each confirmation (to crash something in the middle).
 * Publishes that fail (the server is away) are not confirmed and are not retried under the same id.
 */
async function publishStream(
  subject: string,
  total: number | ((confirmed: number) => boolean),
  onProgress: (confirmed: number) => void | Promise<void> = () => undefined,
  idPrefix = 'm',
  workers = 16,
): Promise<{ confirmed: Set<string>; failed: number }> {
  const js = jetstream(client);
  const confirmed = new Set<string>();
  const done = typeof total === 'number' ? (n: number) => n >= total : total;
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (!done(confirmed.size)) {
      const id = `${idPrefix}-${next++}`;
      try {
        await js.publish(subject, JSON.stringify({ n: id }), { timeout: 3_000 });
        confirmed.add(id);
        await onProgress(confirmed.size);
      } catch {
        // not confirmed: the server was away; a later id goes on
        failed += 1;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return { confirmed, failed };
}

function streamSource(name: string, stream: string, prefix: string): string {
  return sourceYaml(name, {
    nats: { servers: [nats.url], subject: `${prefix}.>`, stream, ackWait: 'PT3S' },
    ce: { type: 'com.example.stream', source: '/e2e/${subject[1]}', id: '${body.n}' },
  });
}

const FAST_RETRY = { retry: 1000, backoffDelay: 'PT0.2S' };

describe('nats Source through the CLI', () => {
  it('delivers binding-encoded and raw messages with their attributes, routed by a filter on subject', async () => {
    const d = fresh();
    const fn = await startFunction();
    const { stream, prefix } = await freshStream();
    const core = `core-${streams}`;
    d.write(
      'sources.yaml',
      [
        sourceYaml('orders', {
          nats: { servers: [nats.url], subject: `${prefix}.>`, stream },
          ce: {
            type: 'com.example.order.${subject[3]}',
            source: '/orders',
            subject: '${subject[2]}',
            id: '${body.orderId}',
            extensions: { channel: 'jetstream' },
          },
        }),
        sourceYaml('sensors', {
          nats: { servers: [nats.url], subject: `${core}.*.temperature` },
          ce: { type: 'com.example.reading', source: '/sensors/${subject[1]}', subject: '${body.region}' },
        }),
      ].join('---\n'),
    );
    d.write('all.yaml', subscriptionYaml('all', { sink: { uri: `${fn.url}/all` } }));
    d.write(
      'eu.yaml',
      subscriptionYaml('eu', { filters: [{ exact: { subject: 'eu' } }], sink: { uri: `${fn.url}/eu` } }),
    );
    const broker = await start(d.config, d.data);
    try {
      await connectorUp(broker, 'orders');
      await connectorUp(broker, 'sensors');
      const js = jetstream(client);
      await js.publish(`${prefix}.eu.created`, '{"orderId":"o-1","total":42}', {
        headers: headersOf({ 'content-type': 'application/json' }),
      });
      await js.publish(`${prefix}.us.created`, '{"orderId":"o-2"}');
      await js.publish(`${prefix}.eu.binary`, 'binary payload', {
        headers: headersOf({
          'ce-specversion': '1.0',
          'ce-id': 'b-1',
          'ce-source': '/producer',
          'ce-type': 'com.example.native',
          'ce-subject': 'eu',
          'ce-datacontenttype': 'text/plain',
          'ce-note': 'caf%C3%A9',
        }),
      });
      await js.publish(
        `${prefix}.us.structured`,
        JSON.stringify({
          specversion: '1.0',
          id: 's-1',
          source: '/producer',
          type: 'com.example.structured',
          subject: 'us',
          datacontenttype: 'application/json',
          data: { ok: true },
        }),
        { headers: headersOf({ 'content-type': 'application/cloudevents+json' }) },
      );
      client.publish(`${core}.dev-7.temperature`, '{"region":"eu","c":21.5}');
      client.publish(`${core}.dev-8.humidity`, '{"region":"eu"}'); // not matched by the subscription
      await client.flush();

      const all = await fn.waitFor(5, 30_000, (r) => r.url === '/all');
      const eu = await fn.waitFor(3, 30_000, (r) => r.url === '/eu');
      const byId = (id: string) => all.find((r) => r.headers['ce-id'] === id)!;
      expect(byId('o-1').headers).toMatchObject({
        'ce-type': 'com.example.order.created',
        'ce-source': '/orders',
        'ce-subject': 'eu',
        'ce-channel': 'jetstream',
        'content-type': 'application/json',
      });
      expect(byId('o-1').body.toString()).toBe('{"orderId":"o-1","total":42}');
      expect(byId('o-2').headers['ce-subject']).toBe('us');
      expect(byId('b-1').headers).toMatchObject({
        'ce-type': 'com.example.native',
        'ce-source': '/producer',
        'ce-note': 'caf%C3%A9',
        'content-type': 'text/plain',
      });
      expect(byId('b-1').body.toString()).toBe('binary payload');
      expect(byId('s-1').headers).toMatchObject({ 'ce-type': 'com.example.structured', 'ce-subject': 'us' });
      expect(JSON.parse(byId('s-1').body.toString())).toEqual({ ok: true });
      const reading = all.find((r) => r.headers['ce-type'] === 'com.example.reading')!;
      expect(reading.headers).toMatchObject({ 'ce-source': '/sensors/dev-7', 'ce-subject': 'eu' });
      // The filter on subject: the eu messages only.
      expect([...idsOf(eu)].sort()).toEqual(['b-1', 'o-1', String(reading.headers['ce-id'])].sort());
      expect(eu.every((r) => r.headers['ce-subject'] === 'eu')).toBe(true);
      // The at-most-once line of the core Source, at start.
      expect(broker.logs.some((l) => l['source'] === 'sensors' && l['delivery'] === 'at-most-once')).toBe(
        true,
      );
    } finally {
      await broker.stop();
      await fn.close();
    }
  });

  it.skipIf(externalBrokerUrl('nats') !== undefined)(
    'delivers every confirmed message of a 2,000-message stream although nats-server is killed in the middle',
    async () => {
      const d = fresh();
      const fn = await startFunction();
      const { stream, prefix } = await freshStream();
      d.write('source.yaml', streamSource('feed', stream, prefix));
      d.write('sub.yaml', subscriptionYaml('s', { sink: { uri: `${fn.url}/fn` }, delivery: FAST_RETRY }));
      const broker = await start(d.config, d.data);
      try {
        await connectorUp(broker, 'feed');
        let crashed = false;
        const { confirmed, failed } = await publishStream(`${prefix}.x`, 2_000, async (count) => {
          if (count >= 700 && !crashed) {
            crashed = true;
            await nats.kill();
            await nats.restart();
          }
        });
        expect(crashed).toBe(true);
        expect(failed).toBeGreaterThan(0); // the server really was away for a while
        await waitForAll(fn, confirmed);
        // The connector saw the server go and come back.
        expect(broker.logs.some((l) => l['msg'] === 'connector reconnecting' && l['source'] === 'feed')).toBe(
          true,
        );
      } finally {
        await broker.stop();
        await fn.close();
      }
    },
  );

  it('delivers every confirmed message after trigger-broker is killed with SIGKILL in the middle of a stream', async () => {
    const d = fresh();
    const fn = await startFunction();
    const { stream, prefix } = await freshStream();
    d.write('source.yaml', streamSource('feed', stream, prefix));
    d.write('sub.yaml', subscriptionYaml('s', { sink: { uri: `${fn.url}/fn` }, delivery: FAST_RETRY }));
    let broker = await start(d.config, d.data);
    await connectorUp(broker, 'feed');
    let killed = false;
    let outstandingAtKill = 0;
    const { confirmed } = await publishStream(`${prefix}.x`, 2_000, async (count) => {
      if (count >= 800 && !killed) {
        killed = true;
        await broker.stop('SIGKILL');
        outstandingAtKill = count - fn.received.length;
        expect(broker.child.signalCode).toBe('SIGKILL');
        // Back on the same store while the publisher goes on.
        broker = await start(d.config, d.data);
      }
    });
    expect(killed).toBe(true);
    expect(outstandingAtKill).toBeGreaterThan(0); // the crash really left confirmed messages undelivered
    try {
      await waitForAll(fn, confirmed);
    } finally {
      await broker.stop();
      await fn.close();
    }
  });

  it('splits one feed between two processes sharing a durable consumer; when one dies the other takes over', async () => {
    const { stream, prefix } = await freshStream();
    const fn = await startFunction();
    // Two processes, each with its own store; the same Source name, so the same durable consumer.
    const make = (path: string) => {
      const d = fresh();
      d.write('source.yaml', streamSource('shared', stream, prefix));
      d.write('sub.yaml', subscriptionYaml('s', { sink: { uri: `${fn.url}${path}` }, delivery: FAST_RETRY }));
      return d;
    };
    const dirA = make('/a');
    const dirB = make('/b');
    const a = await start(dirA.config, dirA.data);
    const b = await start(dirB.config, dirB.data);
    await connectorUp(a, 'shared');
    await connectorUp(b, 'shared');
    // Until both have delivered some (the server hands the durable's messages to whichever
    // process has a pull waiting), and at least 1,000; then 1,000 more, and A dies among them.
    const delivered = (path: string) => fn.received.filter((r) => r.url === path).length;
    const before = await publishStream(`${prefix}.x`, (count) => {
      if (count > 30_000)
        throw new Error(`30,000 messages and still /a ${delivered('/a')}, /b ${delivered('/b')}`);
      return count >= 1_000 && delivered('/a') > 0 && delivered('/b') > 0;
    });
    let fromA = 0;
    let fromB = 0;
    const after = await publishStream(
      `${prefix}.x`,
      1_000,
      async (count) => {
        if (count !== 50) return;
        await a.stop('SIGKILL');
        fromA = delivered('/a');
        fromB = delivered('/b');
      },
      'later',
    );
    expect(a.child.signalCode).toBe('SIGKILL');
    expect(fromA).toBeGreaterThan(0);
    expect(fromB).toBeGreaterThan(0);
    const confirmed = new Set([...before.confirmed, ...after.confirmed]);
    expect(confirmed.size).toBeGreaterThanOrEqual(2_000);

    // B takes over: JetStream ends up with nothing pending and nothing awaiting an ack, though A
    // had messages in hand when it died (they came back to B after ackWait).
    const jsm = await jetstreamManager(client);
    await waitFor(
      'the durable consumer to be drained by B alone',
      async () => {
        const info = await jsm.consumers.info(stream, 'trigger-broker-shared');
        return info.num_pending === 0 && info.num_ack_pending === 0;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    expect(delivered('/b')).toBeGreaterThan(fromB);

    // What A had stored but not yet delivered waits in A's own store: it goes out when A comes back.
    const again = await start(dirA.config, dirA.data);
    try {
      await waitForAll(fn, confirmed);
    } finally {
      await again.stop();
      await b.stop();
      await fn.close();
    }
  });
});

function headersOf(values: Record<string, string>) {
  const h = natsHeaders();
  for (const [k, v] of Object.entries(values)) h.set(k, v);
  return h;
}
