import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** EventSchema manifests: data checked at ingest, rejected or dead-lettered. */
describe('EventSchema', () => {
  const dir = scratch();
  let broker: BrokerProcess;
  let fn: Awaited<ReturnType<typeof startFunction>>;

  beforeAll(async () => {
    fn = await startFunction();
    writeFileSync(
      join(dir.config, 'order.schema.json'),
      JSON.stringify({
        type: 'object',
        required: ['orderId', 'total'],
        properties: { orderId: { type: 'string' }, total: { type: 'number', minimum: 0 } },
      }),
    );
    dir.write(
      'schemas.yaml',
      [
        'apiVersion: trigger-broker/v1',
        'kind: EventSchema',
        'metadata: { name: orders }',
        'spec: { type: com.example.order, schema: order.schema.json, onInvalid: reject }',
        '---',
        'apiVersion: trigger-broker/v1',
        'kind: EventSchema',
        'metadata: { name: readings }',
        'spec:',
        '  type: com.example.reading',
        '  onInvalid: deadletter',
        '  schema: { type: object, required: [value], properties: { value: { type: number } } }',
        '',
      ].join('\n'),
    );
    dir.write('all.yaml', subscriptionYaml('all', { sink: { uri: `${fn.url}/all` } }));
    broker = await startBroker(dir.config, dir.data);
  });
  afterAll(async () => {
    await broker?.stop();
    await fn?.close();
    dir.dispose();
  });

  const send = async (id: string, type: string, data: string, contentType = 'application/json') => {
    const res = await request(`${broker.url}/events`, {
      method: 'POST',
      headers: {
        'ce-specversion': '1.0',
        'ce-id': id,
        'ce-source': '/s',
        'ce-type': type,
        'content-type': contentType,
      },
      body: data,
    });
    return { status: res.statusCode, json: JSON.parse(await res.body.text()) };
  };

  it('accepts data that satisfies the schema of its type', async () => {
    expect((await send('o1', 'com.example.order', '{"orderId":"A","total":3}')).status).toBe(202);
    await fn.waitFor(1, 15_000, (r) => r.headers['ce-id'] === 'o1');
  });

  it('refuses data that does not, naming the field, with onInvalid: reject', async () => {
    const res = await send('o2', 'com.example.order', '{"orderId":"A","total":-1}');
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('schema_violation');
    expect(res.json.detail).toContain('data.total');
    const notJson = await send('o3', 'com.example.order', '<order/>', 'application/xml');
    expect(notJson.status).toBe(400);
    expect(notJson.json.detail).toContain('not JSON');
  });

  it('stores an invalid event straight into the dead-letter list with onInvalid: deadletter, delivering nothing', async () => {
    const res = await send('r1', 'com.example.reading', '{"value":"high"}');
    expect(res.status).toBe(202);
    await send('r2', 'com.example.reading', '{"value":7}');
    await fn.waitFor(1, 15_000, (r) => r.headers['ce-id'] === 'r2');
    expect(fn.received.some((r) => r.headers['ce-id'] === 'r1')).toBe(false);
    const out = await runCli(['deadletters', '--data', dir.data, '--json']);
    const entries = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      subscription: 'eventschema/readings',
      reason: 'schema violation',
      event: { id: 'r1' },
    });
  });
});
