import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BrokerProcess,
  runCli,
  scratch,
  startBroker,
  startFunction,
  subscriptionYaml,
} from './support.js';

/**
 * Delivery through the real CLI to real local functions: filters of every dialect, retry
 * then success, permanent failure to the dead-letter sink and list, independence of
 * subscriptions, and bounded concurrency.
 */
describe('delivery', () => {
  const dir = scratch();
  let broker: BrokerProcess;
  let ok: Awaited<ReturnType<typeof startFunction>>;
  let flaky: Awaited<ReturnType<typeof startFunction>>;
  let broken: Awaited<ReturnType<typeof startFunction>>;
  let dls: Awaited<ReturnType<typeof startFunction>>;
  let slow: Awaited<ReturnType<typeof startFunction>>;
  let inFlight = 0;
  let maxInFlight = 0;
  let releaseSlow: () => void = () => undefined;
  const slowGate = new Promise<void>((r) => {
    releaseSlow = r;
  });
  const flakyFailures = new Map<string, number>();

  beforeAll(async () => {
    ok = await startFunction();
    // Fails twice per event (503, then 429 with Retry-After), then succeeds.
    flaky = await startFunction((req) => {
      const id = String(req.headers['ce-id']);
      const n = (flakyFailures.get(id) ?? 0) + 1;
      flakyFailures.set(id, n);
      return n === 1 ? 503 : n === 2 ? 429 : 200;
    });
    broken = await startFunction((req) => (String(req.headers['ce-id']).startsWith('perm-') ? 422 : 500));
    dls = await startFunction();
    slow = await startFunction(async () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await slowGate;
      inFlight -= 1;
      return 200;
    });
    const fast = { backoffDelay: 'PT0.05S', timeout: 'PT5S' };
    const subs: [string, Record<string, unknown>][] = [
      [
        'exact',
        { filters: [{ exact: { type: 'f.exact', subject: 'one' } }], sink: { uri: `${ok.url}/exact` } },
      ],
      ['prefix', { filters: [{ prefix: { type: 'f.prefix.' } }], sink: { uri: `${ok.url}/prefix` } }],
      ['suffix', { filters: [{ suffix: { source: '/tail' } }], sink: { uri: `${ok.url}/suffix` } }],
      [
        'all',
        {
          filters: [{ all: [{ prefix: { type: 'f.all.' } }, { exact: { region: 'eu' } }] }],
          sink: { uri: `${ok.url}/all` },
        },
      ],
      [
        'any',
        {
          filters: [{ any: [{ exact: { type: 'f.any.a' } }, { exact: { type: 'f.any.b' } }] }],
          sink: { uri: `${ok.url}/any` },
        },
      ],
      [
        'not',
        {
          filters: [{ prefix: { type: 'f.not.' } }, { not: { exact: { type: 'f.not.skip' } } }],
          sink: { uri: `${ok.url}/not` },
        },
      ],
      [
        'sql',
        {
          filters: [{ sql: "type LIKE 'f.sql.%' AND region IN ('eu', 'uk')" }],
          sink: { uri: `${ok.url}/sql` },
        },
      ],
      [
        'pattern',
        {
          filters: [
            { pattern: { type: [{ prefix: 'f.pat.' }], data: { amount: [{ numeric: ['>', 100] }] } } },
          ],
          sink: { uri: `${ok.url}/pattern` },
        },
      ],
      [
        'flaky',
        {
          filters: [{ prefix: { type: 'd.flaky' } }],
          sink: { uri: `${flaky.url}/flaky` },
          delivery: { retry: 3, ...fast },
        },
      ],
      [
        'broken',
        {
          filters: [{ prefix: { type: 'd.broken' } }],
          sink: { uri: `${broken.url}/broken` },
          delivery: { retry: 2, backoffPolicy: 'linear', ...fast, deadLetterSink: { uri: `${dls.url}/dls` } },
        },
      ],
      [
        'nodls',
        {
          filters: [{ prefix: { type: 'd.nodls' } }],
          sink: { uri: 'http://127.0.0.1:9/refused' },
          delivery: { retry: 1, ...fast },
        },
      ],
      [
        'slow',
        {
          filters: [{ prefix: { type: 'd.par' } }],
          sink: { uri: `${slow.url}/slow` },
          delivery: { concurrency: 3, timeout: 'PT60S' },
        },
      ],
      ['quick', { filters: [{ prefix: { type: 'd.par' } }], sink: { uri: `${ok.url}/quick` } }],
    ];
    for (const [name, spec] of subs) dir.write(`${name}.yaml`, subscriptionYaml(name, spec));
    broker = await startBroker(dir.config, dir.data);
  });
  afterAll(async () => {
    releaseSlow();
    await broker?.stop();
    await Promise.all([ok, flaky, broken, dls, slow].map((f) => f?.close()));
    dir.dispose();
  });

  const send = async (attrs: Record<string, string>, data = '{}') => {
    const headers: Record<string, string> = { 'ce-specversion': '1.0', 'content-type': 'application/json' };
    for (const [k, v] of Object.entries(attrs)) headers[`ce-${k}`] = v;
    const res = await request(`${broker.url}/events`, { method: 'POST', headers, body: data });
    await res.body.dump();
    expect(res.statusCode).toBe(202);
  };

  it('routes by each filter dialect exactly as the Subscriptions API defines them', async () => {
    const cases: [Record<string, string>, string[], string?][] = [
      [{ id: 'e1', source: '/s', type: 'f.exact', subject: 'one' }, ['/exact']],
      [{ id: 'e2', source: '/s', type: 'f.exact', subject: 'One' }, []], // case sensitive
      [{ id: 'e3', source: '/s', type: 'f.exact' }, []], // missing subject attribute
      [{ id: 'p1', source: '/s', type: 'f.prefix.x' }, ['/prefix']],
      [{ id: 'p2', source: '/s', type: 'f.prefi' }, []],
      [{ id: 's1', source: '/a/tail', type: 'f.other' }, ['/suffix']],
      [{ id: 'a1', source: '/s', type: 'f.all.x', region: 'eu' }, ['/all']],
      [{ id: 'a2', source: '/s', type: 'f.all.x', region: 'us' }, []],
      [{ id: 'n1', source: '/s', type: 'f.any.b' }, ['/any']],
      [{ id: 'n2', source: '/s', type: 'f.any.c' }, []],
      [{ id: 't1', source: '/s', type: 'f.not.keep' }, ['/not']],
      [{ id: 't2', source: '/s', type: 'f.not.skip' }, []],
      [{ id: 'q1', source: '/s', type: 'f.sql.x', region: 'uk' }, ['/sql']],
      [{ id: 'q2', source: '/s', type: 'f.sql.x', region: 'us' }, []],
      [{ id: 'q3', source: '/s', type: 'f.sql.x' }, []], // missing attribute: an evaluation error, no match
      [{ id: 'm1', source: '/s', type: 'f.pat.x' }, ['/pattern'], '{"amount": 150.5}'],
      [{ id: 'm2', source: '/s', type: 'f.pat.x' }, [], '{"amount": 100}'],
      [{ id: 'm3', source: '/s', type: 'f.pat.x' }, [], '{"total": 150}'],
    ];
    for (const [attrs, , data] of cases) await send(attrs, data);
    // a sentinel that matches `prefix`, sent last: once it has arrived, everything before it had its chance
    await send({ id: 'sentinel', source: '/s', type: 'f.prefix.sentinel' });
    await ok.waitFor(1, 15_000, (r) => r.headers['ce-id'] === 'sentinel');
    await sleep(300);
    for (const [attrs, paths] of cases) {
      const got = ok.received.filter((r) => r.headers['ce-id'] === attrs['id']).map((r) => r.url);
      expect({ id: attrs['id'], got }).toEqual({ id: attrs['id'], got: paths });
    }
  });

  it('retries retryable failures with backoff, then succeeds', async () => {
    await send({ id: 'flaky-1', source: '/s', type: 'd.flaky' });
    const [got] = await flaky.waitFor(1, 15_000, (r) => r.headers['ce-id'] === 'flaky-1');
    expect(got!.headers['ce-id']).toBe('flaky-1');
    expect(flaky.attempts.filter((r) => r.headers['ce-id'] === 'flaky-1')).toHaveLength(3);
    await sleep(200);
    expect(flaky.received.filter((r) => r.headers['ce-id'] === 'flaky-1')).toHaveLength(1);
  });

  it('sends a permanent failure to the dead-letter sink at once, with the dead-letter extensions', async () => {
    await send({ id: 'perm-1', source: '/orders', type: 'd.broken', subject: 's-1' }, '{"order":1}');
    const [got] = await dls.waitFor(1, 15_000, (r) => r.headers['ce-id'] === 'perm-1');
    expect(broken.attempts.filter((r) => r.headers['ce-id'] === 'perm-1')).toHaveLength(1); // 4xx: no retry
    expect(got!.headers['ce-source']).toBe('/orders');
    expect(got!.headers['ce-type']).toBe('d.broken');
    expect(got!.headers['ce-subject']).toBe('s-1');
    expect(got!.body.toString()).toBe('{"order":1}');
    expect(got!.headers['ce-deadletterstatus']).toBe('422');
    expect(decodeURIComponent(String(got!.headers['ce-deadletterreason']))).toContain('permanent');
    expect(decodeURIComponent(String(got!.headers['ce-deadletterdest']))).toBe(`${broken.url}/broken`);
  });

  it('dead-letters after the retries run out, and keeps every dead letter in the store with its last error', async () => {
    await send({ id: 'exhaust-1', source: '/s', type: 'd.broken' });
    await send({ id: 'refused-1', source: '/s', type: 'd.nodls' });
    const [got] = await dls.waitFor(1, 15_000, (r) => r.headers['ce-id'] === 'exhaust-1');
    expect(broken.attempts.filter((r) => r.headers['ce-id'] === 'exhaust-1')).toHaveLength(3); // first + 2 retries
    expect(got!.headers['ce-deadletterstatus']).toBe('500');
    let lines: Record<string, unknown>[] = [];
    for (let i = 0; i < 100 && !lines.some((l) => (l['event'] as { id: string }).id === 'refused-1'); i++) {
      const out = await runCli(['deadletters', '--data', dir.data, '--json']);
      expect(out.code).toBe(0);
      lines = out.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      await sleep(100);
    }
    const byId = Object.fromEntries(lines.map((l) => [(l['event'] as { id: string }).id, l]));
    expect(byId['perm-1']).toMatchObject({
      subscription: 'broken',
      status: 422,
      attempts: 1,
      deadLetterSinkOutcome: 'delivered',
    });
    expect(byId['exhaust-1']).toMatchObject({ subscription: 'broken', status: 500, attempts: 3 });
    expect(byId['refused-1']).toMatchObject({
      subscription: 'nodls',
      status: 0,
      attempts: 2,
      deadLetterSinkOutcome: 'none',
    });
    expect(String(byId['refused-1']!['error'])).toMatch(/ECONNREFUSED/);
    // one log line per failure, with subscription, event id and error
    const failure = broker.logs.find(
      (l) => l['subscription'] === 'nodls' && l['eventId'] === 'refused-1' && l['error'],
    );
    expect(failure).toBeDefined();
  });

  it('bounds concurrency per subscription, and a stuck sink does not hold back another subscription', async () => {
    for (let i = 0; i < 8; i++) await send({ id: `par-${i}`, source: '/s', type: 'd.par' });
    // every event reaches the quick subscription while the slow one is stuck
    await ok.waitFor(8, 15_000, (r) => String(r.headers['ce-id']).startsWith('par-'));
    await sleep(300);
    expect(maxInFlight).toBe(3);
    expect(slow.received).toHaveLength(0);
    releaseSlow();
    await slow.waitFor(8, 15_000);
    expect(maxInFlight).toBe(3);
  });
});
