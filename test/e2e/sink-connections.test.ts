import { once } from 'node:events';
import type { Socket } from 'node:net';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { type BrokerProcess, scratch, startBroker, startFunction, subscriptionYaml } from './support.js';

const SLOW_SUBSCRIPTIONS = 9;
/** `delivery.concurrency` left at its default: each slow subscription keeps this many requests open. */
const CONCURRENCY = 32;
/**
 * What one origin could have open at once while every HTTP sink shared a single connection pool
 * (256 per origin). Waiting until the slow subscriptions hold that many puts the test where the
 * issue was: they hold every connection such a shared pool would give the host.
 */
const SHARED_POOL_LIMIT = 256;
const HEALTHY_EVENTS = 20;

/**
 * Every subscription's sink has connections of its own, as many as its concurrency, held only
 * while the subscription uses them (docs/architecture.md, "The path of one event"): subscriptions
 * calling the same host:port do not compete for connections, and a reload that replaces a sink
 * releases the old one's.
 */
describe('sink connections', () => {
  const dir = scratch();
  let releaseSlow: () => void = () => undefined;
  const slowGate = new Promise<void>((r) => {
    releaseSlow = r;
  });
  afterAll(() => {
    releaseSlow();
    dir.dispose();
  });

  it("slow sinks on one host:port do not starve a healthy subscription's deliveries", async () => {
    // The slow paths answer only when the test releases them: "slow" here is longer than the
    // whole check, like the function answering after 20 s.
    let slowAnswered = 0;
    const fn = await startFunction(async (req) => {
      if (!req.url.startsWith('/slow-')) return 200;
      await slowGate;
      slowAnswered += 1;
      return 200;
    });
    for (let i = 0; i < SLOW_SUBSCRIPTIONS; i++) {
      dir.write(
        `slow-${i}.yaml`,
        subscriptionYaml(`slow-${i}`, {
          filters: [{ exact: { type: `slow.${i}` } }],
          sink: { uri: `${fn.url}/slow-${i}` },
          delivery: { timeout: 'PT60S' },
        }),
      );
    }
    dir.write(
      'healthy.yaml',
      subscriptionYaml('healthy', {
        filters: [{ exact: { type: 'healthy' } }],
        sink: { uri: `${fn.url}/healthy` },
      }),
    );
    const broker = await startBroker(dir.config, dir.data);
    const sendBatch = (events: { id: string; type: string }[]) => send(broker, events);
    const isSlow = (r: { url: string }) => r.url.startsWith('/slow-');
    try {
      const slowEvents = [];
      for (let i = 0; i < SLOW_SUBSCRIPTIONS; i++)
        for (let n = 0; n < CONCURRENCY; n++) slowEvents.push({ id: `slow-${i}-${n}`, type: `slow.${i}` });
      await sendBatch(slowEvents);
      await until(() => fn.arrived.filter(isSlow).length >= SHARED_POOL_LIMIT, 20_000, 'slow requests open');

      const healthyIds = Array.from({ length: HEALTHY_EVENTS }, (_, n) => `healthy-${n}`);
      await sendBatch(healthyIds.map((id) => ({ id, type: 'healthy' })));
      // Starvation means the healthy deliveries wait for a slow answer, which never comes while
      // the gate is closed: they either arrive with the slow ones still hanging or not at all.
      // 5 s is only how long we give them before calling it starvation, generous for a loaded
      // two-core machine delivering 20 events to a local function; it is not a latency target.
      await fn.waitForIds(healthyIds, 5_000, (r) => r.url === '/healthy');
      expect(slowAnswered).toBe(0);
      // And each slow subscription got the connections its concurrency needs, no more queued.
      await until(
        () => fn.arrived.filter(isSlow).length === SLOW_SUBSCRIPTIONS * CONCURRENCY,
        10_000,
        'every slow subscription holding all its slots',
      );
      // Shutdown with 288 deliveries hanging: they are aborted and handed back, then every
      // subscription's pool is closed, within the CLI's shutdown deadline (else exit code 1).
      expect(await broker.stop()).toBe(0);
      expect(slowAnswered).toBe(0);
    } finally {
      releaseSlow();
      await broker.stop();
      await fn.close();
    }
  });
});

async function until(test: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('sink connections on reload', () => {
  const dir = scratch();
  afterAll(() => dir.dispose());

  it('closes the connections of a sink a reload replaced', async () => {
    const fn = await startFunction();
    // Idle connections stay open until the broker closes them (Node would close them after 5 s),
    // so the one the old sink used can only close because the broker released it.
    fn.server.keepAliveTimeout = 120_000;
    const sockets = new Map<string, Socket>();
    fn.server.on('request', (req) => sockets.set(String(req.headers['ce-id']), req.socket));
    const manifest = (version: string) =>
      subscriptionYaml('s', { sink: { uri: `${fn.url}/fn`, headers: { 'x-version': version } } });
    dir.write('s.yaml', manifest('1'));
    const broker = await startBroker(dir.config, dir.data);
    try {
      await send(broker, [{ id: 'before', type: 'reload' }]);
      await fn.waitForIds(['before'], 15_000);
      const used = sockets.get('before')!;
      expect(used.destroyed).toBe(false);
      const closed = once(used, 'close');

      dir.write('s.yaml', manifest('2'));
      await broker.waitForLog((l) => l['msg'] === 'configuration reloaded');
      // 10 s only bounds the wait for a local close; it is not a latency target.
      await Promise.race([
        closed,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('the replaced sink kept its connection')), 10_000).unref(),
        ),
      ]);
      // The new sink opens its own.
      await send(broker, [{ id: 'after', type: 'reload' }]);
      await fn.waitForIds(['after'], 15_000);
      expect(sockets.get('after')).not.toBe(used);
      expect(fn.received.at(-1)?.headers['x-version']).toBe('2');
    } finally {
      expect(await broker.stop()).toBe(0);
      await fn.close();
    }
  });
});

/** POSTs `events` to the broker in one batch (the CloudEvents HTTP binding's batched mode). */
async function send(broker: BrokerProcess, events: { id: string; type: string }[]): Promise<void> {
  const res = await request(`${broker.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents-batch+json' },
    body: JSON.stringify(events.map((e) => ({ specversion: '1.0', source: '/sink-connections', ...e }))),
  });
  await res.body.dump();
  expect(res.statusCode).toBe(202);
}
