import { randomBytes } from 'node:crypto';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canMountSmallDisk, mountSmallDisk, type SmallDisk } from '../harness/small-disk.js';
import { waitFor } from '../harness/wait.js';
import {
  type BrokerProcess,
  runCli,
  scratchDirs,
  startBroker,
  startFunction,
  subscriptionYaml,
} from './support.js';

/** What the broker does when its store cannot write (a full disk) or is damaged, through the real CLI. */
describe('store failures', () => {
  const fresh = scratchDirs();

  const post = async (broker: BrokerProcess, id: string): Promise<number> => {
    const res = await request(`${broker.url}/events`, {
      method: 'POST',
      headers: {
        'ce-specversion': '1.0',
        'ce-id': id,
        'ce-source': '/store-failures',
        'ce-type': 'store.test',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ id }),
    });
    await res.body.dump();
    return res.statusCode;
  };
  const readyz = async (broker: BrokerProcess): Promise<number> => {
    const res = await request(`${broker.url}/readyz`);
    await res.body.dump();
    return res.statusCode;
  };
  /** How many requests each event id took. */
  const perId = (requests: { headers: Record<string, unknown> }[]) => {
    const counts = new Map<string, number>();
    for (const r of requests) {
      const id = String(r.headers['ce-id']);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  };

  describe.skipIf(!canMountSmallDisk)('on a disk that fills up (root: a small tmpfs)', () => {
    let disk: SmallDisk;
    beforeAll(() => {
      disk = mountSmallDisk(16);
    });
    afterAll(() => disk?.dispose());

    it('delivers each event a few times at most while outcomes cannot be recorded, is not ready, and delivers everything once the disk has room', async () => {
      const d = fresh();
      let hold = true;
      // Holds every delivery until released, so that the disk fills while they are in flight.
      const fn = await startFunction(async () => {
        while (hold) await sleep(20);
        return 200;
      });
      d.write(
        's.yaml',
        subscriptionYaml('s', {
          sink: { uri: `${fn.url}/fn` },
          delivery: { concurrency: 4, retry: 100, backoffDelay: 'PT0.1S' },
        }),
      );
      const broker = await startBroker(d.config, join(disk.dir, 'data'));
      try {
        const ids = Array.from({ length: 10 }, (_, i) => `full-${i}`);
        for (const id of ids) expect(await post(broker, id)).toBe(202);
        await waitFor('four deliveries in flight', () => fn.arrived.length >= 4);
        expect(await readyz(broker)).toBe(200);

        disk.fill();
        expect(await post(broker, 'refused')).toBe(503); // cannot be stored
        expect(await readyz(broker)).toBe(503);
        // The deliveries in flight succeed; their outcomes cannot be recorded.
        hold = false;
        await sleep(5000);
        const whileFull = Math.max(...perId(fn.arrived).values());
        expect(whileFull).toBeLessThanOrEqual(3);
        expect(await readyz(broker)).toBe(503);

        disk.free();
        await waitFor('ready again', async () => (await readyz(broker)) === 200, { timeoutMs: 15_000 });
        await fn.waitForIds(ids, 30_000);
        expect(Math.max(...perId(fn.arrived).values())).toBeLessThanOrEqual(3);
        expect(perId(fn.arrived).has('refused')).toBe(false);
        // A few lines tell the story, not one per delivery.
        const loud = broker.logs.filter((l) => Number(l['level']) >= 40);
        expect(loud.length).toBeLessThanOrEqual(6);
        expect(loud.map((l) => l['msg'])).toContain(
          'the store cannot commit: events are refused (503), /readyz answers 503 and deliveries pause until it can; it tries again every second',
        );
        await broker.waitForLog((l) => l['msg'] === 'the store commits again');
      } finally {
        await broker.stop();
        await fn.close();
      }
    });
  });

  it('refuses to start on a store damaged in the middle, naming the file and what to do', async () => {
    const d = fresh();
    d.write('s.yaml', subscriptionYaml('s', { sink: { uri: 'http://127.0.0.1:9/never' } }));
    const broker = await startBroker(d.config, d.data);
    const batch = Array.from({ length: 1000 }, (_, i) => ({
      specversion: '1.0',
      id: `dmg-${i}`,
      source: '/store-failures',
      type: 'store.test',
      data: { pad: 'x'.repeat(400) },
    }));
    const res = await request(`${broker.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      body: JSON.stringify(batch),
    });
    await res.body.dump();
    expect(res.statusCode).toBe(202);
    expect(await broker.stop()).toBe(0);

    // Random bytes over pages in the middle of the file, with the broker stopped.
    const file = join(d.data, 'events.db');
    const pageSize = 4096;
    const pages = Math.floor(statSync(file).size / pageSize);
    expect(pages).toBeGreaterThan(50);
    const fd = openSync(file, 'r+');
    for (let p = Math.floor(pages / 2); p < Math.floor(pages / 2) + 8; p++)
      writeSync(fd, randomBytes(pageSize), 0, pageSize, p * pageSize);
    closeSync(fd);

    const started = await runCli(
      ['start', d.config, '--data', d.data, '--port', '0', '--host', '127.0.0.1'],
      {},
      { timeoutMs: 20_000 },
    );
    expect(started.code).toBe(1);
    expect(started.stderr).toContain(`the store ${file} is damaged`);
    expect(started.stderr).toMatch(/restore .* from a backup/);
    expect(started.stderr).toContain(`sqlite3 ${file} ".recover"`);
    expect(started.stdout).not.toContain('trigger-broker listening');
  });
});
