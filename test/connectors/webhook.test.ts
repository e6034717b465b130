/**
 * The webhook connector against the broker's real HTTP port: the connector contract, with the
 * HTTP client in the place of a message broker (the 202 is its acknowledgement).
 */
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll } from 'vitest';
import { compileBrokerSettings } from '../../broker/compile/broker-settings.js';
import type { RuntimeConfig } from '../../broker/compile/compile.js';
import type { PathSegment } from '../../broker/config/yaml-document.js';
import { createHttpServer } from '../../broker/http/server.js';
import type { Ingestor } from '../../broker/ingest.js';
import { createMetrics } from '../../broker/metrics.js';
import { type HttpIntakeConnector, isHttpIntake } from '../../broker/ports/connector.js';
import { buildWebhookConnector } from '../../connectors/webhook/index.js';
import { connectorContract } from './contract.js';

const intakes = new Map<string, HttpIntakeConnector>();
const app = createHttpServer({
  config: () => ({ broker: compileBrokerSettings(undefined) }) as RuntimeConfig,
  intake: async (name) => intakes.get(name),
  // The webhook route asks the ingestor only whether intake is held (never, here); its connector
  // ingests through its own context.
  ingestor: { admit: () => undefined } as unknown as Ingestor,
  metrics: createMetrics(
    () => new Map(),
    () => [],
  ),
  log: pino({ level: 'silent' }),
  readiness: () => ({ ready: true, checks: {} }),
});
let base = '';
let channels = 0;

beforeAll(async () => {
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app.close();
});

/** POSTs like a webhook sender that honours 503 + Retry-After: it tries again until it gets an answer. */
async function post(channel: string, headers: Record<string, string>, body: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const res = await request(`${base}/webhooks/${channel}`, { method: 'POST', headers, body });
    await res.body.dump();
    if (res.statusCode !== 503) return res.statusCode;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('still 503 after 20 attempts');
}

connectorContract({
  kind: 'webhook',
  name: 'webhook',
  malformed: 'refuse',
  freshChannel: () => `contract-${++channels}`,
  connector(channel) {
    const problems: string[] = [];
    const connector = buildWebhookConnector({
      name: channel,
      spec: {},
      ce: { type: 'contract.raw', source: '/contract', id: '${body.id}' },
      path: ['spec', 'webhook'],
      report: (path: readonly PathSegment[], message: string) =>
        problems.push(`${path.join('.')}: ${message}`),
      secret: () => undefined,
    });
    if (!connector || !isHttpIntake(connector) || problems.length > 0)
      throw new Error(`webhook connector not built: ${problems.join('; ')}`);
    intakes.set(channel, connector);
    return connector;
  },
  async publishRaw(channel, ids) {
    for (const id of ids) {
      const status = await post(channel, { 'content-type': 'application/json' }, JSON.stringify({ id }));
      if (status !== 202) throw new Error(`POST answered ${status}, not 202`);
    }
  },
  async publishMalformed(channel) {
    // A binary-mode CloudEvent of a version that does not exist: the sender is told, 400.
    const status = await post(
      channel,
      { 'ce-specversion': '0.3', 'ce-id': 'x', 'ce-type': 't', 'ce-source': '/s' },
      '{}',
    );
    return status === 400 ? 'refused' : undefined;
  },
});
