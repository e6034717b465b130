import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../broker/cloudevents/event.js';
import { SqliteStore } from '../../stores/sqlite/sqlite-store.js';
import { waitFor } from '../harness/wait.js';
import {
  type BrokerProcess,
  runCli,
  scratchDirs,
  startBroker,
  startFunction,
  subscriptionYaml,
} from './support.js';

const TOKEN = 'admin-token-for-tests';
const ENV = { TB_TEST_ADMIN_TOKEN: TOKEN };
const BROKER_YAML =
  'apiVersion: trigger-broker/v1\nkind: Broker\nmetadata: { name: b }\nspec: { admin: { tokens: [ { fromEnv: TB_TEST_ADMIN_TOKEN } ] } }\n';

/** Dead-letter replay and purge through the real CLI, offline and through the admin API. */
describe('deadletters replay and purge', () => {
  const fresh = scratchDirs();
  const dir = fresh();
  let broker: BrokerProcess;
  let fn: Awaited<ReturnType<typeof startFunction>>;
  /** Event ids the function refuses (422, permanent) at /orders. */
  const refusing = new Set<string>();

  const send = async (id: string, type = 'dl.orders'): Promise<void> => {
    const res = await request(`${broker.url}/events`, {
      method: 'POST',
      headers: {
        'ce-specversion': '1.0',
        'ce-id': id,
        'ce-source': '/dl',
        'ce-type': type,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ id }),
    });
    await res.body.dump();
    expect(res.statusCode).toBe(202);
  };
  const admin = ['--url', '', '--token', TOKEN];
  /** The event ids of the dead letters, read from the store beside the broker (read-only). */
  const deadLetterIds = async (): Promise<string[]> => {
    const store = new SqliteStore({ dir: dir.data, synchronous: 'normal', readonly: true });
    try {
      return store
        .deadLetters()
        .map((d) => String(d.event.attributes['id']))
        .sort();
    } finally {
      store.close();
    }
  };
  const waitForDeadLetters = (ids: string[]) =>
    waitFor(`dead letters ${ids.join(', ')}`, async () => {
      const have = await deadLetterIds();
      return ids.every((id) => have.includes(id)) ? have : undefined;
    });
  const deliveredTo = (path: string, id: string) =>
    fn.received.filter((r) => r.url === path && r.headers['ce-id'] === id).length;

  beforeAll(async () => {
    fn = await startFunction((req) =>
      req.url === '/orders' && refusing.has(String(req.headers['ce-id'])) ? 422 : 200,
    );
    dir.write('broker.yaml', BROKER_YAML);
    dir.write(
      'orders.yaml',
      subscriptionYaml('orders', {
        filters: [{ exact: { type: 'dl.orders' } }],
        sink: { uri: `${fn.url}/orders` },
        delivery: { retry: 0 },
      }),
    );
    // Receives nothing by its filter: only what is replayed to it.
    dir.write(
      'audit.yaml',
      subscriptionYaml('audit', {
        filters: [{ exact: { type: 'dl.never' } }],
        sink: { uri: `${fn.url}/audit` },
      }),
    );
    broker = await startBroker(dir.config, dir.data, ENV);
    admin[1] = broker.url;
  });
  afterAll(async () => {
    await broker?.stop();
    await fn?.close();
  });

  it('replays by subscription: the same event, with its id, delivered again', async () => {
    for (const id of ['r1', 'r2']) refusing.add(id);
    await send('r1');
    await send('r2');
    await waitForDeadLetters(['r1', 'r2']);
    refusing.clear();
    const out = await runCli(['deadletters', 'replay', ...admin, '--subscription', 'orders']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('replayed 2 of 2 selected dead letter(s) to their subscriptions, 0 skipped');
    await fn.waitForIds(['r1', 'r2'], 10_000, (r) => r.url === '/orders');
    const replayed = fn.received.find((r) => r.url === '/orders' && r.headers['ce-id'] === 'r1')!;
    expect(replayed.headers['ce-source']).toBe('/dl');
    expect(JSON.parse(replayed.body.toString())).toEqual({ id: 'r1' });
    expect(await deadLetterIds()).toEqual([]);
  });

  it('replays to another subscription', async () => {
    refusing.add('t1');
    await send('t1');
    await waitForDeadLetters(['t1']);
    const out = await runCli(['deadletters', 'replay', ...admin, '--id', 't1', '--to', 'audit', '--json']);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ operation: 'replay', to: 'audit', selected: 1, done: 1 });
    await fn.waitForIds(['t1'], 10_000, (r) => r.url === '/audit');
    expect(deliveredTo('/orders', 't1')).toBe(0);
    // A target that is not a subscription of the running configuration is refused.
    refusing.add('t2');
    await send('t2');
    await waitForDeadLetters(['t2']);
    const unknown = await runCli(['deadletters', 'replay', ...admin, '--id', 't2', '--to', 'nosuch']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('404 unknown_subscription');
  });

  it('changes nothing on --dry-run, then purges', async () => {
    refusing.add('p1');
    await send('p1');
    const before = await waitForDeadLetters(['p1']);
    const dry = await runCli(['deadletters', 'replay', ...admin, '--id', 'p1', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^would replay orders id=p1 seq=\d+ /m);
    expect(dry.stdout).toContain('dry run: 1 of 1 selected dead letter(s) would be replayed');
    const dryPurge = await runCli(['deadletters', 'purge', ...admin, '--id', 'p1', '--dry-run']);
    expect(dryPurge.stdout).toContain('would be purged');
    await sleep(300);
    expect(await deadLetterIds()).toEqual(before);
    expect(fn.attempts.filter((r) => r.headers['ce-id'] === 'p1')).toHaveLength(1);

    const purge = await runCli(['deadletters', 'purge', ...admin, '--id', 'p1']);
    expect(purge.code).toBe(0);
    expect(purge.stdout).toContain('purged 1 of 1 selected dead letter(s), 0 skipped');
    expect(await deadLetterIds()).not.toContain('p1');
    await sleep(300);
    expect(fn.attempts.filter((r) => r.headers['ce-id'] === 'p1')).toHaveLength(1);
  });

  it('refuses an empty selection without --all, through the admin API and offline', async () => {
    for (const operation of ['replay', 'purge']) {
      const out = await runCli(['deadletters', operation, ...admin]);
      expect(out.code).toBe(2);
      expect(out.stderr).toContain(`${operation} needs a selection`);
      expect(out.stderr).toContain('--all');
      const offline = await runCli(['deadletters', operation, '--data', dir.data]);
      expect(offline.code).toBe(2);
      expect(offline.stderr).toContain('--all');
    }
    const res = await request(`${broker.url}/admin/deadletters/replay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.statusCode).toBe(400);
    expect(await res.body.json()).toMatchObject({ error: 'empty_selection' });
    const all = await runCli(['deadletters', 'replay', ...admin, '--all', '--dry-run']);
    expect(all.code).toBe(0);
  });

  it('answers 401 with the JSON error body to an admin request without the token or with a wrong one', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: `Basic ${TOKEN}` }]) {
      const res = await request(`${broker.url}/admin/deadletters/purge`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: '{"all":true}',
      });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(await res.body.json()).toEqual({ error: 'unauthorized', detail: expect.any(String) });
    }
    const list = await request(`${broker.url}/admin/deadletters`);
    expect(list.statusCode).toBe(401);
    await list.body.dump();
    // The events token is not the admin token.
    const out = await runCli(['deadletters', 'replay', '--url', broker.url, '--all']);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('answered 401 unauthorized');
  });

  it('lists through the admin API what the store holds', async () => {
    refusing.add('l1');
    await send('l1');
    await waitForDeadLetters(['l1']);
    const offline = await runCli(['deadletters', '--data', dir.data, '--id', 'l1', '--json']);
    const online = await runCli(['deadletters', ...admin, '--id', 'l1', '--json']);
    expect(online.code).toBe(0);
    expect(online.stdout).toBe(offline.stdout);
    expect(JSON.parse(online.stdout)).toMatchObject({ subscription: 'orders', event: { id: 'l1' } });
  });

  it('offline, refuses a store a broker holds; replays once the broker is stopped, delivered at its next start', async () => {
    refusing.add('o1');
    await send('o1');
    await waitForDeadLetters(['o1']);
    const held = await runCli(['deadletters', 'replay', '--data', dir.data, '--id', 'o1']);
    expect(held.code).toBe(1);
    expect(held.stderr).toContain('is in use by another process');
    expect(held.stderr).toContain('--url');
    expect(await deadLetterIds()).toContain('o1');
    expect(await broker.stop()).toBe(0);
    refusing.clear();
    const replay = await runCli(['deadletters', 'replay', '--data', dir.data, '--id', 'o1']);
    expect(replay.stderr).toBe('');
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain('replayed 1 of 1');
    broker = await startBroker(dir.config, dir.data, ENV);
    admin[1] = broker.url;
    await fn.waitForIds(['o1'], 10_000, (r) => r.url === '/orders');
  });
});

describe('the admin API when Broker spec.admin.tokens is not set', () => {
  const fresh = scratchDirs();

  it('is off: 404 for every admin route, whatever the token', async () => {
    const d = fresh();
    d.write('s.yaml', subscriptionYaml('s', { sink: { uri: 'http://127.0.0.1:1/x' } }));
    const broker = await startBroker(d.config, d.data);
    try {
      for (const [method, path] of [
        ['GET', '/admin/deadletters'],
        ['POST', '/admin/deadletters/replay'],
        ['POST', '/admin/deadletters/purge'],
        ['POST', '/admin/explain'],
      ] as const) {
        const res = await request(`${broker.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        expect(res.statusCode, path).toBe(404);
        expect(await res.body.json()).toEqual({
          error: 'not_found',
          detail: 'the admin API is off: set Broker spec.admin.tokens to turn it on',
        });
      }
    } finally {
      await broker.stop();
    }
  });

  it('validate reports a bad admin setting at its position', async () => {
    const d = fresh();
    d.write(
      'broker.yaml',
      'apiVersion: trigger-broker/v1\nkind: Broker\nmetadata: { name: b }\nspec:\n  admin: { tokens: [] }\n',
    );
    const empty = await runCli(['validate', d.config]);
    expect(empty.code).toBe(1);
    expect(empty.stdout).toMatch(/broker\.yaml:5:20: must NOT have fewer than 1 items/);
    d.write(
      'broker.yaml',
      'apiVersion: trigger-broker/v1\nkind: Broker\nmetadata: { name: b }\nspec:\n  admin: { tokens: [ { fromEnv: "1-bad" } ] }\n',
    );
    const bad = await runCli(['validate', d.config]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/broker\.yaml:5:\d+:/);
  });

  it('start refuses an admin token that is also an events token, at its position', async () => {
    const d = fresh();
    d.write(
      'broker.yaml',
      'apiVersion: trigger-broker/v1\nkind: Broker\nmetadata: { name: b }\nspec:\n  auth: { tokens: [ { fromEnv: TB_T1 } ] }\n  admin: { tokens: [ { fromEnv: TB_T2 } ] }\n',
    );
    const out = await runCli(['start', d.config, '--port', '0', '--data', d.data], {
      TB_T1: 'same',
      TB_T2: 'same',
    });
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/broker\.yaml:6:\d+: an admin token must differ from every auth token/);
  });
});

describe('kill -9 during a large replay', () => {
  const fresh = scratchDirs();
  const COUNT = 20_000;

  /** Dead letters of subscription `slow` as a broker leaves them, written before it starts. */
  async function seed(dataDir: string): Promise<Set<number>> {
    const store = new SqliteStore({ dir: dataDir, synchronous: 'normal' });
    const seqs: number[] = [];
    try {
      for (let from = 0; from < COUNT; from += 2000) {
        const events: CloudEvent[] = Array.from({ length: 2000 }, (_, i) => ({
          attributes: { specversion: '1.0', id: `k-${from + i}`, source: '/k', type: 'k' },
          data: { kind: 'none' },
        }));
        const batch = await store.append(events.map((event) => ({ event, subscriptions: ['slow'] })));
        await Promise.all(
          batch.map((seq) =>
            store.deadLetter(
              {
                subscription: 'slow',
                seq,
                reason: 'permanent failure: 422',
                status: 422,
                error: 'e',
                dest: 'd',
                attempts: 1,
                at: Date.now(),
              },
              false,
            ),
          ),
        );
        seqs.push(...batch);
      }
    } finally {
      store.close();
    }
    return new Set(seqs);
  }

  /** The seqs of `slow` that are dead letters, and those queued. */
  function where(db: Database.Database): { dead: number[]; queued: number[] } {
    const column = (sql: string) => db.prepare(sql).pluck().all() as number[];
    return {
      dead: column("SELECT seq FROM dead_letters WHERE subscription = 'slow'"),
      queued: column("SELECT seq FROM deliveries WHERE subscription = 'slow'"),
    };
  }

  it('leaves every selected entry either a dead letter or queued, never both, never neither', async () => {
    const d = fresh();
    const all = await seed(d.data);
    // The function never answers: replayed deliveries stay queued (in flight) while we look.
    const hanging = await startFunction(() => new Promise<number>(() => undefined));
    d.write('broker.yaml', BROKER_YAML);
    d.write(
      'slow.yaml',
      subscriptionYaml('slow', { sink: { uri: `${hanging.url}/slow` }, delivery: { timeout: 'PT60S' } }),
    );
    let broker = await startBroker(d.config, d.data, ENV);
    const file = join(d.data, 'events.db');
    try {
      const replay = runCli([
        'deadletters',
        'replay',
        '--url',
        broker.url,
        '--token',
        TOKEN,
        '--subscription',
        'slow',
        '--batch-size',
        '200',
      ]);
      const reader = new Database(file, { readonly: true });
      try {
        await waitFor(
          'part of the replay committed',
          () =>
            (reader
              .prepare("SELECT COUNT(*) FROM deliveries WHERE subscription = 'slow'")
              .pluck()
              .get() as number) >= 1000,
          { timeoutMs: 30_000, intervalMs: 2 },
        );
      } finally {
        reader.close();
      }
      broker.child.kill('SIGKILL');
      await broker.stop();
      expect((await replay).code).not.toBe(0); // its broker died under it

      const afterCrash = new Database(file);
      const { dead, queued } = where(afterCrash);
      afterCrash.close();
      // Killed in the middle: some entries replayed, some not yet.
      expect(queued.length).toBeGreaterThan(0);
      expect(dead.length).toBeGreaterThan(0);
      const deadSet = new Set(dead);
      expect(queued.filter((seq) => deadSet.has(seq))).toEqual([]); // never both
      expect(new Set([...dead, ...queued])).toEqual(all); // never neither
      expect(queued.length + dead.length).toBe(COUNT);

      // After a restart, the same replay finishes what is left.
      broker = await startBroker(d.config, d.data, ENV);
      const again = await runCli(
        ['deadletters', 'replay', '--url', broker.url, '--token', TOKEN, '--subscription', 'slow', '--json'],
        {},
        { timeoutMs: 60_000 },
      );
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({
        selected: dead.length,
        done: dead.length,
        skipped: 0,
      });
      broker.child.kill('SIGKILL');
      await broker.stop();
      const done = new Database(file);
      const final = where(done);
      done.close();
      expect(final.dead).toEqual([]);
      expect(new Set(final.queued)).toEqual(all);
    } finally {
      await broker.stop('SIGKILL');
      await hanging.close();
    }
  });
});
