/**
 * The azure sink, built through its descriptor, against a local stand-in for an Azure Functions
 * app. No Functions host runs here, so the stand-in answers as the platform's HTTP trigger is
 * documented to: functions at /api/<name>; a function of authorization level `function` takes
 * its key from the x-functions-key header (or the `code` query parameter) and answers 401
 * without it; an unknown or disabled function is 404; an app that scales out or starts answers
 * 503. The sink's settings and answer reading are tested without a server in
 * test/unit/sinks/azure/.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../broker/cloudevents/event.js';
import type { DeliveryOutcome, Sink } from '../../broker/ports/sink.js';
import { buildAzure } from '../unit/sinks/azure/fixtures.js';
import { sinkContract } from './contract.js';

const FUNCTION_KEY = 'aZ3kQ9-function-key-Xy7==';
const HOST_KEY = 'hOsT-key-of-the-whole-app-2bW==';

/** The app's functions: their authorization level and how they answer. */
const FUNCTIONS: Record<string, { authLevel: 'anonymous' | 'function'; status?: number; body?: string }> = {
  ok: { authLevel: 'function', status: 200, body: 'order accepted' },
  'no-output': { authLevel: 'function', status: 204 },
  public: { authLevel: 'anonymous', status: 200 },
  starting: { authLevel: 'function', status: 503 },
  throttled: { authLevel: 'function', status: 429 },
  crashing: {
    authLevel: 'function',
    status: 500,
    body: 'Exception while executing function: Functions.crashing',
  },
  rejects: { authLevel: 'function', status: 400, body: 'order id missing' },
  hang: { authLevel: 'function' },
};

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const received: Received[] = [];
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://app');
      const fn = /^\/api\/([^/]+)$/.exec(url.pathname)?.[1];
      const spec = fn === undefined ? undefined : FUNCTIONS[fn];
      if (req.method !== 'POST' || !spec) return void res.writeHead(404).end();
      const key = req.headers['x-functions-key'] ?? url.searchParams.get('code');
      if (spec.authLevel === 'function' && key !== FUNCTION_KEY && key !== HOST_KEY)
        return void res.writeHead(401).end(); // the platform answers before the function runs
      received.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (spec.status === undefined) return; // never answers
      if (spec.status === 503) res.setHeader('retry-after', '2');
      res.writeHead(spec.status).end(spec.body ?? '');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

/** An azure sink for one function of the app; `key` null leaves functionKey out. */
function azureSink(fn: string, key: string | null = FUNCTION_KEY): Sink {
  const { sink, problems } = buildAzure(
    { uri: `${base}/api/${fn}`, ...(key === null ? {} : { functionKey: { fromEnv: 'AZ_KEY' } }) },
    key === null ? {} : { AZ_KEY: key },
  );
  if (!sink || problems.length > 0) throw new Error(`azure sink not built: ${JSON.stringify(problems)}`);
  return sink;
}

const CONTRACT_FUNCTION = { ok: 'ok', retryable: 'starting', permanent: 'missing', hang: 'hang' } as const;

sinkContract({
  kind: 'azure',
  name: 'azure',
  sink: (behaviour) => azureSink(CONTRACT_FUNCTION[behaviour]),
  receivedIds: () => received.map((r) => r.headers['ce-id']).filter((id) => typeof id === 'string'),
  receivedRequests: () => received,
});

const event: CloudEvent = {
  attributes: {
    specversion: '1.0',
    id: 'order-42',
    source: '/shop',
    type: 'shop.order.created',
    subject: 'orders/42 eu',
    datacontenttype: 'application/json',
  },
  data: { kind: 'json', value: { order: 42 } },
};
const deliver = (sink: Sink, timeoutMs = 5_000) =>
  sink.deliver(event, { signal: new AbortController().signal, timeoutMs });
const errorOf = (outcome: DeliveryOutcome) => (outcome.kind === 'ok' ? '' : outcome.error);

describe('azure sink: against an Azure Functions HTTP trigger', () => {
  it('POSTs the event in binary mode with the key in x-functions-key, never in the URL', async () => {
    expect(await deliver(azureSink('ok'))).toEqual({ kind: 'ok', detail: { protocol: 'http', code: 200 } });
    const request = received.at(-1)!;
    expect(request.url).toBe('/api/ok');
    expect(request.headers['x-functions-key']).toBe(FUNCTION_KEY);
    expect(request.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-id': 'order-42',
      'ce-source': '/shop',
      'ce-type': 'shop.order.created',
      'ce-subject': 'orders/42%20eu', // http-binding.md 3.1.3.2: the space is percent-encoded
      'content-type': 'application/json',
    });
    expect(JSON.parse(request.body)).toEqual({ order: 42 });
  });

  it("accepts the app's host key and a 204 from a function without an output binding", async () => {
    expect(await deliver(azureSink('no-output', HOST_KEY))).toMatchObject({
      kind: 'ok',
      detail: { code: 204 },
    });
  });

  it('calls an anonymous function without any key header', async () => {
    expect((await deliver(azureSink('public', null))).kind).toBe('ok');
    expect(received.at(-1)!.headers['x-functions-key']).toBeUndefined();
  });

  it('reports a missing key (401) as permanent, saying to set functionKey', async () => {
    const outcome = await deliver(azureSink('ok', null));
    expect(outcome).toMatchObject({ kind: 'permanent', detail: { code: 401 } });
    expect(errorOf(outcome)).toMatch(/needs a key.*set functionKey/);
  });

  it('reports a wrong key (401) as permanent, without the key in the error', async () => {
    const wrong = 'wrong-key-Q1w2E3r4==';
    const outcome = await deliver(azureSink('ok', wrong));
    expect(outcome).toMatchObject({ kind: 'permanent', detail: { code: 401 } });
    expect(errorOf(outcome)).toContain('refused the key in functionKey');
    expect(JSON.stringify(outcome)).not.toContain(wrong);
  });

  it('reports an unknown function (404) as permanent', async () => {
    const outcome = await deliver(azureSink('renamed'));
    expect(outcome).toMatchObject({ kind: 'permanent', detail: { code: 404 } });
    expect(errorOf(outcome)).toMatch(/no function answers at this URL/);
  });

  it("retries the 503 of an app that scales out or starts, with the platform's Retry-After", async () => {
    expect(await deliver(azureSink('starting'))).toEqual({
      kind: 'retryable',
      error: 'HTTP 503',
      retryAfterMs: 2_000,
      detail: { protocol: 'http', code: 503 },
    });
  });

  it('retries 429 and a function that throws (500); a 400 of the function is permanent', async () => {
    expect(await deliver(azureSink('throttled'))).toMatchObject({ kind: 'retryable', detail: { code: 429 } });
    expect(await deliver(azureSink('crashing'))).toMatchObject({
      kind: 'retryable',
      error: 'HTTP 500: Exception while executing function: Functions.crashing',
    });
    expect(await deliver(azureSink('rejects'))).toMatchObject({
      kind: 'permanent',
      error: 'HTTP 400: order id missing',
    });
  });

  it('keeps the key out of the destination and of every outcome', async () => {
    const outcomes = await Promise.all(
      ['ok', 'starting', 'throttled', 'crashing', 'rejects', 'missing'].map((fn) => deliver(azureSink(fn))),
    );
    outcomes.push(await deliver(azureSink('hang'), 200));
    const sink = azureSink('ok');
    expect(sink.destination).toBe(`${base}/api/ok`);
    expect(JSON.stringify(outcomes) + sink.destination).not.toContain(FUNCTION_KEY);
  });
});
