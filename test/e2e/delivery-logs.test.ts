import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../harness/wait.js';
import { scratchDirs, startBroker, startFunction, subscriptionYaml } from './support.js';

/** What the log says while a sink is down: a few lines per subscription, not one per attempt. */
describe('delivery logs', () => {
  const fresh = scratchDirs();

  it('a sink outage while events flow costs a few warning lines, however many attempts fail', async () => {
    const d = fresh();
    let down = true;
    const fn = await startFunction(() => (down ? 503 : 200));
    d.write(
      's.yaml',
      subscriptionYaml('s', {
        sink: { uri: `${fn.url}/fn` },
        delivery: { retry: 1000, backoffPolicy: 'linear', backoffDelay: 'PT0.02S', concurrency: 8 },
      }),
    );
    const broker = await startBroker(d.config, d.data);
    try {
      const ids: string[] = [];
      const outageEnds = Date.now() + 5000;
      for (let i = 0; Date.now() < outageEnds; i++) {
        const id = `out-${i}`;
        const res = await request(`${broker.url}/events`, {
          method: 'POST',
          headers: {
            'ce-specversion': '1.0',
            'ce-id': id,
            'ce-source': '/delivery-logs',
            'ce-type': 'logs.test',
          },
          body: '',
        });
        await res.body.dump();
        expect(res.statusCode).toBe(202);
        ids.push(id);
        await sleep(100);
      }
      down = false;
      await fn.waitForIds(ids, 30_000);

      const failedAttempts = fn.attempts.length - fn.received.length;
      expect(failedAttempts).toBeGreaterThan(200); // the outage really failed many attempts
      const loud = broker.logs.filter((l) => Number(l['level']) >= 40);
      expect(loud.length).toBeLessThanOrEqual(3);
      expect(loud[0]).toMatchObject({
        subscription: 's',
        msg: 'deliveries to the sink are failing; retrying with backoff (each attempt at debug level)',
        last: { status: 503 },
      });
      const recovered = await broker.waitForLog((l) => l['msg'] === 'deliveries to the sink succeed again');
      expect(recovered).toMatchObject({ level: 30, subscription: 's' });
      expect(Number(recovered['failedAttempts'])).toBeGreaterThan(0); // the outage, summed up
      // Each attempt is still there, at debug level (the tests run the broker at debug).
      const perAttempt = () => broker.logs.filter((l) => l['msg'] === 'delivery failed, will retry');
      await waitFor('a debug line per failed attempt', () => perAttempt().length === failedAttempts);
      expect(perAttempt().every((l) => l['level'] === 20)).toBe(true);
    } finally {
      await broker.stop();
      await fn.close();
    }
  });
});
