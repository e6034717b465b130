// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are ce templates of the manifest language, not JavaScript template literals
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectAsync, type MqttClient } from 'mqtt';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_FLIGHT_MAXIMUM } from '../../connectors/mqtt/ack-gate.js';
import { SqliteStore } from '../../stores/sqlite/sqlite-store.js';
import { type BrokerHandle, externalBrokerUrl, startMosquitto } from '../harness/index.js';
import {
  type BrokerProcess,
  type ReceivedRequest,
  runCli,
  type scratch as Scratch,
  scratch,
  sourceYaml,
  startBroker,
  startFunction,
  subscriptionYaml,
} from './support.js';

/**
 * The mqtt Source through the real CLI: a real Mosquitto, real trigger-broker processes (the
 * built code), a real HTTP function. Crash tests keep the publisher at most AHEAD messages ahead
 * of what the function has received: Mosquitto keeps at most 1000 queued messages per session
 * (max_queued_messages) and drops the rest while still confirming them to the publisher, which
 * would be Mosquitto losing messages, not trigger-broker.
 */
const AHEAD = 500;
/** Crash tests wait up to two minutes for the last deliveries; the default test timeout is one. */
const CRASH_TEST_TIMEOUT_MS = 180_000;

describe('mqtt Source end to end', () => {
  let mosquitto: BrokerHandle;
  const managed = externalBrokerUrl('mqtt') === undefined;
  const dirs: ReturnType<typeof Scratch>[] = [];
  const fresh = () => {
    const d = scratch('tb-e2e-mqtt-');
    dirs.push(d);
    return d;
  };
  beforeAll(async () => {
    mosquitto = await startMosquitto();
  });
  afterAll(async () => {
    await mosquitto?.dispose();
    for (const d of dirs) d.dispose();
  });

  const mqttSource = (name: string, mqtt: Record<string, unknown>, ce?: Record<string, unknown>) =>
    sourceYaml(name, { mqtt: { url: mosquitto.url, qos: 1, ...mqtt }, ...(ce ? { ce } : {}) });

  it('delivers binding-encoded and raw messages with the right attributes, routed by a filter on source', async () => {
    const d = fresh();
    const fn = await startFunction();
    const base = `e2e/${randomUUID().slice(0, 8)}`;
    d.write(
      'source.yaml',
      mqttSource(
        'devices',
        { topics: [`${base}/+/+`] },
        {
          type: 'com.example.${topic[3]}',
          source: '/devices/${topic[2]}',
          id: '${body.id}',
          subject: '${topic[3]}',
        },
      ),
    );
    d.write(
      'kitchen.yaml',
      subscriptionYaml('kitchen', {
        filters: [{ prefix: { source: '/devices/kitchen' } }],
        sink: { uri: `${fn.url}/kitchen` },
      }),
    );
    d.write('all.yaml', subscriptionYaml('all', { sink: { uri: `${fn.url}/all` } }));
    const broker = await startBroker(d.config, d.data);
    try {
      await sourcesReady(broker);
      const pub = await publisher(mosquitto.url);
      await pub.publishAsync(`${base}/kitchen/temperature`, '{"id":"raw-1","celsius":21.5}', {
        qos: 1,
        properties: { contentType: 'application/json' },
      });
      await pub.publishAsync(`${base}/hall/door`, Buffer.from([0xca, 0xfe]), {
        qos: 1,
        properties: {
          contentType: 'application/octet-stream',
          userProperties: {
            specversion: '1.0',
            type: 'com.example.door',
            source: '/binary/hall',
            id: 'bin-1',
            site: 'north',
          },
        },
      });
      await pub.endAsync();
      const v4 = await publisher(mosquitto.url, 4);
      await v4.publishAsync(
        `${base}/kitchen/anything`,
        JSON.stringify({
          specversion: '1.0',
          type: 'com.example.structured',
          source: '/devices/kitchen/oven',
          id: 'str-1',
          datacontenttype: 'application/json',
          data: { on: true },
        }),
        { qos: 1 },
      );
      await v4.endAsync();

      const all = await fn.waitFor(3, 30_000, (r) => r.url === '/all');
      const byId = (id: string) => all.find((r) => r.headers['ce-id'] === id)!;
      expect(byId('raw-1').headers).toMatchObject({
        'ce-specversion': '1.0',
        'ce-type': 'com.example.temperature',
        'ce-source': '/devices/kitchen',
        'ce-subject': 'temperature',
        'content-type': 'application/json',
      });
      expect(byId('raw-1').body.toString()).toBe('{"id":"raw-1","celsius":21.5}');
      expect(byId('bin-1').headers).toMatchObject({
        'ce-type': 'com.example.door',
        'ce-source': '/binary/hall',
        'ce-site': 'north',
        'content-type': 'application/octet-stream',
      });
      expect([...byId('bin-1').body]).toEqual([0xca, 0xfe]);
      expect(byId('str-1').headers).toMatchObject({
        'ce-type': 'com.example.structured',
        'ce-source': '/devices/kitchen/oven',
      });
      expect(JSON.parse(byId('str-1').body.toString())).toEqual({ on: true });

      // The filter lets the two events whose source starts with /devices/kitchen through, not bin-1.
      const kitchen = await fn.waitFor(2, 30_000, (r) => r.url === '/kitchen');
      expect(kitchen.map((r) => r.headers['ce-id']).sort()).toEqual(['raw-1', 'str-1']);
      // SIGTERM: the Source disconnects cleanly and the process exits 0.
      expect(await broker.stop()).toBe(0);
    } finally {
      await broker.stop();
      await fn.close();
    }
  });

  it('validate reports a bad topic filter and credentials in the URL at their position', async () => {
    const d = fresh();
    d.write(
      'source.yaml',
      [
        'apiVersion: trigger-broker/v1',
        'kind: Source',
        'metadata: { name: bad }',
        'spec:',
        '  mqtt:',
        '    url: mqtt://me:secret@127.0.0.1:1883',
        '    topics:',
        '      - sensors/#/x',
        '  ce: { type: t, source: /s }',
        '',
      ].join('\n'),
    );
    const result = await runCli(['validate', d.config]);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/source\.yaml:6:10: credentials do not belong in the URL/);
    expect(result.stdout + result.stderr).toMatch(
      /source\.yaml:8:9: "#" must be a whole level and the last one/,
    );
  });

  it.skipIf(!managed)(
    'Mosquitto killed (SIGKILL) and restarted in the middle of a stream of 2,400 QoS 1 messages: every confirmed message is delivered',
    async () => {
      const d = fresh();
      const fn = await startFunction();
      const delivered = deliveredIds(fn.received);
      const topic = `stream/${randomUUID().slice(0, 8)}`;
      d.write(
        'source.yaml',
        mqttSource(
          'stream',
          { topics: [topic] },
          { type: 'e2e.stream', source: '/stream', id: '${body.id}' },
        ),
      );
      d.write(
        'all.yaml',
        subscriptionYaml('all', { sink: { uri: `${fn.url}/all` }, delivery: { concurrency: 64 } }),
      );
      const broker = await startBroker(d.config, d.data);
      const first = new Feed(mosquitto.url, topic, () => delivered().size);
      try {
        await sourcesReady(broker);
        const publishing = first.publish(ids('a', 2400));
        await waitUntil(() => delivered().size >= 400, '400 deliveries', 60_000);
        // trigger-broker is frozen mid-stream, so that the crash finds messages sent to it and not
        // yet acknowledged; the publisher runs on until it is AHEAD messages ahead, then stops.
        broker.child.kill('SIGSTOP');
        await waitUntil(() => first.stalled(), 'the publisher to run ahead', 60_000);
        await first.stop();
        await publishing;
        // What is tested is trigger-broker's side of the crash. Mosquitto itself writes its state
        // a moment after a PUBACK, so the kill waits until it has saved once since the last one.
        await mosquittoSaved(mosquitto);
        await mosquitto.kill();
        const before = delivered().size;
        expect(before).toBeLessThan(first.confirmed.size); // the crash left messages in flight
        // Thawed, trigger-broker finds messages of the dead connection in its socket buffer: it
        // stores them, its acknowledgements go nowhere, and the restored session sends them again.
        broker.child.kill('SIGCONT');
        await mosquitto.restart();
        // Paced as if every first-phase message were still queued: Mosquitto's queue limit
        // counts them all until they are delivered.
        const second = new Feed(mosquitto.url, topic, () => delivered().size - first.confirmed.size);
        await second.publish(ids('b', 2400 - first.confirmed.size));
        const confirmed = new Set([...first.confirmed, ...second.confirmed]);
        await waitUntil(
          () => [...confirmed].every((id) => delivered().has(id)),
          'every confirmed message',
          120_000,
          () => missing(confirmed, delivered()),
        );
        expect(confirmed.size).toBe(2400);
      } finally {
        broker.child.kill('SIGCONT');
        await broker.stop();
        await fn.close();
        await mosquitto.restart(); // whatever happened, the next test has its broker
      }
    },
    CRASH_TEST_TIMEOUT_MS,
  );

  it(
    'trigger-broker killed (kill -9) in the middle of a stream of 2,400 QoS 1 messages: every confirmed message is delivered after restart',
    async () => {
      const d = fresh();
      const fn = await startFunction();
      const delivered = deliveredIds(fn.received);
      const topic = `crash/${randomUUID().slice(0, 8)}`;
      d.write(
        'source.yaml',
        mqttSource('crash', { topics: [topic] }, { type: 'e2e.crash', source: '/crash', id: '${body.id}' }),
      );
      d.write(
        'all.yaml',
        subscriptionYaml('all', { sink: { uri: `${fn.url}/all` }, delivery: { concurrency: 64 } }),
      );
      let broker = await startBroker(d.config, d.data);
      const feed = new Feed(mosquitto.url, topic, () => delivered().size);
      try {
        await sourcesReady(broker);
        const publishing = feed.publish(ids('k', 2400));
        await waitUntil(() => delivered().size >= 600, '600 deliveries', 60_000);
        broker.child.kill('SIGKILL');
        await broker.stop();
        expect(broker.child.signalCode).toBe('SIGKILL');
        expect(delivered().size).toBeLessThan(feed.confirmed.size); // the crash left messages in flight
        broker = await startBroker(d.config, d.data);
        await publishing;
        await waitUntil(
          () => [...feed.confirmed].every((id) => delivered().has(id)),
          'every confirmed message',
          120_000,
          () => missing(feed.confirmed, delivered()),
        );
        expect(feed.confirmed.size).toBe(2400);
      } finally {
        await broker.stop();
        await fn.close();
      }
    },
    CRASH_TEST_TIMEOUT_MS,
  );

  /**
   * Two members of a shared group split a feed; member A goes away in the middle of it (`SIGKILL`:
   * a crash; `SIGTERM`: a clean stop), the feed goes on, and B must take over A's session: every
   * confirmed message is delivered while A stays down, except those A itself had stored (they are
   * its to deliver, from its own store, once it is back). Without the takeover A's share would wait
   * in A's session, and the feed (paced by the deliveries) would stall. Then A comes back, takes
   * its session again, and the feed is split once more.
   */
  /** What a member's /metrics says of the sessions its `feed` Source carries for others. */
  const adoptedSessions = async (member: { url: string }): Promise<number | undefined> => {
    const text = await (await request(`${member.url}/metrics`)).body.text();
    const line = /^trigger_broker_connector_adopted_sessions\{source="feed",kind="mqtt"\} (\d+)$/m.exec(text);
    return line ? Number(line[1]) : undefined;
  };

  const sharedGroupTakeover = async (signal: 'SIGKILL' | 'SIGTERM') => {
    const fn = await startFunction();
    const delivered = deliveredIds(fn.received);
    const byMember = (member: string) =>
      new Set(fn.received.filter((r) => r.url === `/${member}`).map((r) => String(r.headers['ce-id'])));
    const topic = `shared/${randomUUID().slice(0, 8)}`;
    const clientIdOf = (name: string) => `e2e-${name}-${topic}`;
    // Two processes on one host share the default (host name based) clientId, so each names its
    // own (with a "/", which the membership topic encodes).
    const member = (name: string) => {
      const d = fresh();
      d.write(
        'source.yaml',
        mqttSource(
          'feed',
          { topics: [topic], sharedGroup: 'workers', clientId: clientIdOf(name) },
          { type: 'e2e.shared', source: '/shared', id: '${body.id}' },
        ),
      );
      d.write(
        'all.yaml',
        subscriptionYaml('all', { sink: { uri: `${fn.url}/${name}` }, delivery: { concurrency: 64 } }),
      );
      return d;
    };
    const [dirA, dirB] = [member('a'), member('b')];
    let a = await startBroker(dirA.config, dirA.data);
    const b = await startBroker(dirB.config, dirB.data);
    const feed = new Feed(mosquitto.url, topic, () => delivered().size);
    const adopting = (line: Record<string, unknown>) =>
      line['member'] === clientIdOf('a') && /taking over its session/.test(String(line['msg']));
    try {
      await Promise.all([sourcesReady(a), sourcesReady(b)]);
      const publishing = feed.publish(ids('s', 2400));
      await waitUntil(
        () => byMember('a').size >= 200 && byMember('b').size >= 200,
        'both members delivering',
        60_000,
      );
      const beforeStop = feed.confirmed.size;
      if (signal === 'SIGKILL') {
        a.child.kill('SIGKILL');
        await a.stop();
        expect(a.child.signalCode).toBe('SIGKILL');
      } else {
        expect(await a.stop('SIGTERM')).toBe(0);
      }
      // The feed goes on while A is down: it can only finish if A's share is delivered.
      await waitUntil(
        () => feed.confirmed.size === 2400,
        "the feed to finish while A is down (it waits while A's share is missing)",
        120_000,
        () => `${feed.confirmed.size} confirmed; ${missing(feed.confirmed, delivered())}`,
      );
      await publishing;
      expect(beforeStop).toBeLessThan(1800); // A went away early in the feed
      const storedByA = pendingDeliveries(dirA.data);
      await waitUntil(
        () => [...feed.confirmed].every((id) => delivered().has(id) || storedByA.has(id)),
        'every confirmed message A had not stored, delivered while A is down',
        120_000,
        () => missing(new Set([...feed.confirmed].filter((id) => !storedByA.has(id))), delivered()),
      );
      expect(b.logs.filter(adopting)).toHaveLength(1);
      expect(await adoptedSessions(b)).toBe(1);

      // A comes back: it takes its session over again, and B lets it go.
      a = await startBroker(dirA.config, dirA.data);
      await sourcesReady(a);
      await b.waitForLog(
        (l) => l['member'] === clientIdOf('a') && /released the session/.test(String(l['msg'])),
        30_000,
      );
      expect(await adoptedSessions(b)).toBe(0);
      await feed.publish(ids('u', 600));
      await waitUntil(
        () => [...feed.confirmed].every((id) => delivered().has(id)),
        'every confirmed message',
        120_000,
        () => missing(feed.confirmed, delivered()),
      );
      expect(feed.confirmed.size).toBe(3000);
      // Split again after A's return, and split, not copied, throughout: each message went to one
      // member (duplicates only around the crash and the takeovers: each can repeat at most the
      // messages a connection had in flight, stored before their PUBACKs reached Mosquitto).
      const lastByA = [...byMember('a')].filter((id) => id.startsWith('u-'));
      const lastByB = [...byMember('b')].filter((id) => id.startsWith('u-'));
      expect(lastByA.length).toBeGreaterThan(0);
      expect(lastByB.length).toBeGreaterThan(0);
      const overlap = [...byMember('a')].filter((id) => byMember('b').has(id));
      expect(overlap.length).toBeLessThan(2 * IN_FLIGHT_MAXIMUM);
      expect(b.logs.filter(adopting)).toHaveLength(1);
    } finally {
      await feed.stop(); // a failed test leaves no publisher behind
      await a.stop();
      await b.stop();
      await fn.close();
    }
  };

  it(
    'two trigger-broker processes in one shared group split a feed; one is killed (kill -9), the other takes over its share until it returns',
    () => sharedGroupTakeover('SIGKILL'),
    CRASH_TEST_TIMEOUT_MS,
  );

  it(
    'two trigger-broker processes in one shared group split a feed; one stops (SIGTERM), the other takes over its share until it returns',
    () => sharedGroupTakeover('SIGTERM'),
    CRASH_TEST_TIMEOUT_MS,
  );
});

// ---------------------------------------------------------------------------------------------

/**
 * Publishes QoS 1 messages `{"id": ...}` with a window of 32 in flight, never more than `ahead`
 * beyond the deliveries; `confirmed` holds those Mosquitto acknowledged (PUBACK).
 */
class Feed {
  readonly confirmed = new Set<string>();
  private published = 0;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly topic: string,
    private readonly deliveredCount: () => number,
    private readonly ahead = AHEAD,
  ) {}

  /** True when every message sent is confirmed and the next one waits for deliveries. */
  stalled(): boolean {
    return this.published === this.confirmed.size && this.published - this.deliveredCount() >= this.ahead;
  }

  /** Makes `publish` return once the messages in flight are confirmed. */
  async stop(): Promise<void> {
    this.stopped = true;
  }

  async publish(list: string[]): Promise<void> {
    const client: MqttClient = await connectAsync(this.url, {
      clientId: `feed-${randomUUID()}`,
      protocolVersion: 5,
      reconnectPeriod: 0,
    });
    let next = 0;
    const worker = async () => {
      while (next < list.length && !this.stopped) {
        if (this.published - this.deliveredCount() >= this.ahead) {
          await sleep(10);
          continue;
        }
        const id = list[next++]!;
        this.published += 1;
        await client.publishAsync(this.topic, JSON.stringify({ id }), { qos: 1 });
        this.confirmed.add(id);
      }
    };
    try {
      await Promise.all(Array.from({ length: 32 }, worker));
    } finally {
      await client.endAsync();
    }
  }
}

function ids(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
}

/** The distinct ce-ids received so far, kept up to date incrementally. */
function deliveredIds(received: ReceivedRequest[]): () => Set<string> {
  const seen = new Set<string>();
  let counted = 0;
  return () => {
    for (; counted < received.length; counted++) seen.add(String(received[counted]!.headers['ce-id']));
    return seen;
  };
}

/** The ids of the events a stopped trigger-broker has stored and not delivered yet, read from its store. */
function pendingDeliveries(dataDir: string): Set<string> {
  const store = new SqliteStore({ dir: dataDir, synchronous: 'normal', readonly: true });
  try {
    return new Set(
      store
        .due('all', Number.MAX_SAFE_INTEGER, 1_000_000, new Set())
        .map((d) => String(d.event.attributes['id'])),
    );
  } finally {
    store.close();
  }
}

function missing(expected: Set<string>, got: Set<string>): string {
  const absent = [...expected].filter((id) => !got.has(id));
  return `${absent.length} missing, e.g. ${absent.slice(0, 5).join(', ')}`;
}

async function waitUntil(
  test: () => boolean,
  what: string,
  timeoutMs: number,
  detail?: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${detail ? `: ${detail()}` : ''}`);
    await sleep(25);
  }
}

async function publisher(url: string, protocolVersion: 4 | 5 = 5): Promise<MqttClient> {
  return connectAsync(url, { clientId: `pub-${randomUUID()}`, protocolVersion, reconnectPeriod: 0 });
}

/** Every Source up in /readyz (which is about intake and answers 200 before), so the mqtt Source has subscribed. */
async function sourcesReady(broker: BrokerProcess): Promise<void> {
  await waitUntil(() => broker.logs.some((l) => l['msg'] === 'connector up'), 'the mqtt Source up', 30_000);
  for (;;) {
    const res = await request(`${broker.url}/readyz`);
    const body = (await res.body.json()) as { sources?: Record<string, { status: string }> };
    if (res.statusCode === 200 && Object.values(body.sources ?? {}).every((s) => s.status === 'up')) return;
    await sleep(50);
  }
}

/**
 * Resolves once Mosquitto has written its state since now. Mosquitto is single-threaded and
 * saves between packets, so a save that ends after the publisher got its last PUBACK began after
 * that PUBLISH was handled, and holds it. A retained message makes sure there is a change to save.
 */
async function mosquittoSaved(broker: BrokerHandle): Promise<void> {
  const database = join(broker.dir!, 'mosquitto.db');
  const version = () => {
    try {
      const s = statSync(database);
      return `${s.ino}/${s.mtimeMs}`;
    } catch {
      return 'none';
    }
  };
  const first = version();
  const probe = await publisher(broker.url);
  await probe.publishAsync(`probe/${randomUUID()}`, 'saved?', { qos: 1, retain: true });
  await probe.endAsync();
  await waitUntil(() => version() !== first, 'Mosquitto to save its state', 30_000);
}
