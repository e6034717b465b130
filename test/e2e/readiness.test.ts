import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../harness/ports.js';
import { type BrokerProcess, scratchDirs, sourceYaml, startBroker, subscriptionYaml } from './support.js';

interface ReadyBody {
  status: string;
  checks: Record<string, string>;
  sources: Record<
    string,
    { kind: string; status: string; required: boolean; error?: string; attempt?: number }
  >;
}

/**
 * `/readyz` is about intake (broker/readiness.ts): an MQTT Source pointed at a port where nothing
 * listens keeps reconnecting, and the broker is still ready to take events over HTTP, unless that
 * Source says `required: true`.
 */
describe('/readyz', () => {
  const fresh = scratchDirs();

  const withUnreachableMqtt = async (required: boolean | undefined): Promise<BrokerProcess> => {
    const port = await freeLoopbackPort();
    const d = fresh();
    d.write(
      'source.yaml',
      sourceYaml('sensors', {
        mqtt: { url: `mqtt://127.0.0.1:${port}`, topics: ['sensors/#'] },
        ce: { type: 'com.example.reading', source: '/sensors' },
        ...(required === undefined ? {} : { required }),
      }),
    );
    d.write('all.yaml', subscriptionYaml('all', { sink: { uri: 'http://127.0.0.1:9/x' } }));
    const broker = await startBroker(d.config, d.data);
    await broker.waitForLog((l) => l['msg'] === 'connector reconnecting', 30_000);
    return broker;
  };

  const readyz = async (broker: BrokerProcess): Promise<{ status: number; body: ReadyBody }> => {
    const res = await request(`${broker.url}/readyz`);
    return { status: res.statusCode, body: (await res.body.json()) as ReadyBody };
  };

  it('answers 200 while a Source reconnects, with its state in the body, and intake works', async () => {
    const broker = await withUnreachableMqtt(undefined);
    try {
      const { status, body } = await readyz(broker);
      expect(status).toBe(200);
      expect(body.status).toBe('ready');
      expect(body.checks).toMatchObject({ store: 'ok', intake: 'ok', 'source/sensors': 'reconnecting' });
      expect(body.sources['sensors']).toMatchObject({
        kind: 'mqtt',
        status: 'reconnecting',
        required: false,
      });
      expect(body.sources['sensors']?.error).toMatch(/ECONNREFUSED|refused/i);
      expect(body.sources['sensors']?.attempt).toBeGreaterThanOrEqual(1);
      const accepted = await request(`${broker.url}/events`, {
        method: 'POST',
        headers: { 'ce-specversion': '1.0', 'ce-id': 'r1', 'ce-source': '/r', 'ce-type': 't' },
      });
      await accepted.body.dump();
      expect(accepted.statusCode).toBe(202);
    } finally {
      expect(await broker.stop()).toBe(0);
    }
  });

  it('answers 503 while a Source with required: true is not up', async () => {
    const broker = await withUnreachableMqtt(true);
    try {
      const { status, body } = await readyz(broker);
      expect(status).toBe(503);
      expect(body.status).toBe('not ready');
      expect(body.checks).toMatchObject({ store: 'ok', intake: 'ok', 'source/sensors': 'reconnecting' });
      expect(body.sources['sensors']).toMatchObject({ kind: 'mqtt', status: 'reconnecting', required: true });
    } finally {
      expect(await broker.stop()).toBe(0);
    }
  });
});
