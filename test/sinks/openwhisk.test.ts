/**
 * The openwhisk sink, built through its descriptor, against a local stand-in for an OpenWhisk
 * controller. No OpenWhisk runs here, so the stand-in answers invocations as the platform's REST
 * API documents them: Basic authentication with the namespace's UUID:KEY (401 `{error, code}`
 * without it, 403 for another namespace); POST /api/v1/namespaces/{ns}/actions/[{pkg}/]{name}
 * with `blocking` and `result` in the query; 202 `{activationId}` for a non-blocking call or a
 * blocking one whose wait ran out; 200 with the activation record for a successful blocking
 * one, 502 with the record for a failed one; 404 for an unknown action; 429 when throttled. The
 * settings and the reading of answers are tested without a server in test/unit/sinks/openwhisk/.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../broker/cloudevents/event.js';
import { eventToJson } from '../../broker/cloudevents/json-format.js';
import type { DeliveryOutcome, Sink } from '../../broker/ports/sink.js';
import { buildOpenWhisk } from '../unit/sinks/openwhisk/fixtures.js';
import { sinkContract } from './contract.js';

const UUID = '23bc46b1-71f6-4ed5-8c54-816aa4f8c502';
const KEY = '123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP';
const AUTH = `${UUID}:${KEY}`;
/** The namespace AUTH belongs to; `_` names it too. */
const NAMESPACE = 'guest';

/** An action's fate when invoked blocking; a non-blocking invocation of any action is 202. */
type Fate =
  | { kind: 'success' }
  | { kind: 'application error' | 'action developer error'; error: string; status: 200 | 502 }
  | { kind: 'outlives the wait' }
  | { kind: 'api'; status: number; error: string }
  | { kind: 'hang' };

const ACTIONS: Record<string, Fate> = {
  hello: { kind: 'success' },
  'orders/on-created': { kind: 'success' },
  fails: { kind: 'application error', error: 'cannot handle order 42', status: 502 },
  crashes: {
    kind: 'action developer error',
    error: 'The action did not produce a valid response and exited unexpectedly.',
    status: 502,
  },
  'fails-with-200': { kind: 'application error', error: 'order store unavailable', status: 200 },
  slow: { kind: 'outlives the wait' },
  throttled: {
    kind: 'api',
    status: 429,
    error: 'Too many requests in the last minute (count: 61, allowed: 60).',
  },
  overloaded: {
    kind: 'api',
    status: 503,
    error: 'The server is currently unavailable (because it is overloaded).',
  },
  hang: { kind: 'hang' },
};

interface Invocation {
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

const invocations: Invocation[] = [];
let server: Server;
let base = '';

/** What the controller answers; undefined for an invocation it never answers. */
interface Answer {
  status: number;
  body: unknown;
  activationId?: string;
}

const apiError = (status: number, error: string): Answer => ({ status, body: { error, code: 'a1b2c3' } });

/** An activation record in the shape the REST API documentation shows for a blocking invocation. */
function activationRecord(name: string, activationId: string, response: Record<string, unknown>) {
  const start = Date.now();
  return {
    namespace: NAMESPACE,
    name: name.split('/').at(-1),
    version: '0.0.1',
    subject: NAMESPACE,
    activationId,
    start,
    end: start + 45,
    duration: 45,
    publish: false,
    annotations: [
      { key: 'path', value: `${NAMESPACE}/${name}` },
      { key: 'kind', value: 'nodejs:20' },
      { key: 'limits', value: { concurrency: 1, logs: 10, memory: 256, timeout: 60000 } },
    ],
    logs: [],
    response,
  };
}

function invoke(req: Invocation): Answer | undefined {
  const match = /^\/api\/v1\/namespaces\/([^/]+)\/actions\/(.+)$/.exec(req.url.pathname);
  const authorization = req.headers.authorization ?? '';
  const credentials = Buffer.from(authorization.replace(/^Basic /, ''), 'base64').toString();
  if (!authorization.startsWith('Basic ') || credentials !== AUTH)
    return apiError(401, 'The supplied authentication is invalid');
  if (!match) return apiError(404, 'The requested resource does not exist.');
  const namespace = decodeURIComponent(match[1]!);
  const name = match[2]!.split('/').map(decodeURIComponent).join('/');
  if (namespace !== '_' && namespace !== NAMESPACE)
    return apiError(403, `The supplied authentication is not authorized to access '${namespace}/${name}'.`);
  const fate = ACTIONS[name];
  if (!fate) return apiError(404, 'The requested resource does not exist.');
  invocations.push(req);
  if (fate.kind === 'hang') return undefined;
  if (fate.kind === 'api') return apiError(fate.status, fate.error);
  const activationId = randomBytes(16).toString('hex');
  if (req.url.searchParams.get('blocking') !== 'true' || fate.kind === 'outlives the wait')
    return { status: 202, body: { activationId }, activationId };
  if (fate.kind === 'success') {
    const params = JSON.parse(req.body) as { id: string };
    const response = { status: 'success', statusCode: 0, success: true, result: { handled: params.id } };
    return { status: 200, body: activationRecord(name, activationId, response), activationId };
  }
  const response = { status: fate.kind, statusCode: 0, success: false, result: { error: fate.error } };
  return { status: fate.status, body: activationRecord(name, activationId, response), activationId };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST') return void res.writeHead(405).end();
      const url = new URL(req.url ?? '/', 'http://controller');
      const answer = invoke({ url, headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (!answer) return; // never answers
      // OpenWhisk names the activation in a header of every invocation answer that has one.
      if (answer.activationId) res.setHeader('x-openwhisk-activation-id', answer.activationId);
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
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

function openWhiskSinkFor(action: string, settings: Record<string, unknown> = {}, auth = AUTH): Sink {
  const { sink, problems } = buildOpenWhisk(
    { apiHost: base, action, auth: { fromEnv: 'WSK_AUTH' }, ...settings },
    { WSK_AUTH: auth },
  );
  if (!sink || problems.length > 0) throw new Error(`openwhisk sink not built: ${JSON.stringify(problems)}`);
  return sink;
}

const CONTRACT_ACTION = { ok: 'hello', retryable: 'fails', permanent: 'missing', hang: 'hang' } as const;

sinkContract({
  kind: 'openwhisk',
  name: 'openwhisk',
  sink: (behaviour) => openWhiskSinkFor(CONTRACT_ACTION[behaviour]),
  receivedIds: () => invocations.map((i) => (JSON.parse(i.body) as { id: string }).id),
  receivedRequests: () => invocations,
});

const event: CloudEvent = {
  attributes: {
    specversion: '1.0',
    id: 'order-42',
    source: '/shop',
    type: 'shop.order.created',
    datacontenttype: 'application/json',
  },
  data: { kind: 'json', value: { order: 42, total: 12.5 } },
};
const deliver = (sink: Sink, timeoutMs = 5_000) =>
  sink.deliver(event, { signal: new AbortController().signal, timeoutMs });
const errorOf = (outcome: DeliveryOutcome) => (outcome.kind === 'ok' ? '' : outcome.error);

describe('openwhisk sink: against the OpenWhisk REST API', () => {
  it('invokes the action blocking, with Basic auth and the event in the JSON format as parameters', async () => {
    expect(await deliver(openWhiskSinkFor('hello'))).toEqual({
      kind: 'ok',
      detail: { protocol: 'http', code: 200 },
    });
    const invocation = invocations.at(-1)!;
    expect(invocation.url.pathname).toBe('/api/v1/namespaces/_/actions/hello');
    expect(invocation.url.search).toBe('?blocking=true&result=false');
    expect(invocation.headers.authorization).toBe(`Basic ${Buffer.from(AUTH).toString('base64')}`);
    expect(invocation.headers['content-type']).toBe('application/json');
    expect(JSON.parse(invocation.body)).toEqual(eventToJson(event));
  });

  it('invokes an action in a package of a named namespace', async () => {
    const sink = openWhiskSinkFor('orders/on-created', { namespace: NAMESPACE });
    expect((await deliver(sink)).kind).toBe('ok');
    expect(invocations.at(-1)!.url.pathname).toBe('/api/v1/namespaces/guest/actions/orders/on-created');
  });

  it('counts a non-blocking invocation as delivered once accepted (202), whatever the action does', async () => {
    const outcome = await deliver(openWhiskSinkFor('fails', { blocking: false }));
    expect(outcome).toEqual({ kind: 'ok', detail: { protocol: 'http', code: 202 } });
    expect(invocations.at(-1)!.url.search).toBe('?blocking=false&result=false');
  });

  it('counts a blocking invocation whose wait ran out (202) as delivered: the activation goes on', async () => {
    expect(await deliver(openWhiskSinkFor('slow'))).toEqual({
      kind: 'ok',
      detail: { protocol: 'http', code: 202 },
    });
  });

  it("retries a failed activation (502), naming it and quoting the action's error", async () => {
    const outcome = await deliver(openWhiskSinkFor('fails'));
    expect(outcome).toMatchObject({ kind: 'retryable', detail: { code: 502 } });
    expect(errorOf(outcome)).toMatch(
      /^HTTP 502: activation [0-9a-f]{32} failed \(application error\): cannot handle order 42$/,
    );
    const crashed = await deliver(openWhiskSinkFor('crashes'));
    expect(errorOf(crashed)).toMatch(/failed \(action developer error\): The action did not produce/);
  });

  it('retries a 200 whose activation record says it failed', async () => {
    const outcome = await deliver(openWhiskSinkFor('fails-with-200'));
    expect(outcome).toMatchObject({ kind: 'retryable', detail: { code: 200 } });
    expect(errorOf(outcome)).toMatch(
      /activation [0-9a-f]{32} failed \(application error\): order store unavailable/,
    );
  });

  it('makes a wrong key (401) and a namespace the key may not use (403) permanent', async () => {
    const wrongKey = `${UUID}:not-the-key-of-this-namespace`;
    const unauthorized = await deliver(openWhiskSinkFor('hello', {}, wrongKey));
    expect(unauthorized).toMatchObject({ kind: 'permanent', detail: { code: 401 } });
    expect(errorOf(unauthorized)).toBe(
      'HTTP 401: The supplied authentication is invalid (OpenWhisk does not know the key in auth)',
    );
    const forbidden = await deliver(openWhiskSinkFor('hello', { namespace: 'whisk.system' }));
    expect(forbidden).toMatchObject({ kind: 'permanent', detail: { code: 403 } });
  });

  it('makes an unknown action (404) permanent', async () => {
    const outcome = await deliver(openWhiskSinkFor('orders/renamed'));
    expect(outcome).toMatchObject({ kind: 'permanent', detail: { code: 404 } });
    expect(errorOf(outcome)).toMatch(/^HTTP 404: The requested resource does not exist\. \(no such action/);
  });

  it('retries a throttled invocation (429) and an overloaded controller (503)', async () => {
    expect(await deliver(openWhiskSinkFor('throttled'))).toMatchObject({
      kind: 'retryable',
      error: expect.stringContaining('Too many requests in the last minute'),
      detail: { code: 429 },
    });
    expect(await deliver(openWhiskSinkFor('overloaded'))).toMatchObject({
      kind: 'retryable',
      detail: { code: 503 },
    });
  });

  it('keeps the key out of the destination and of every outcome', async () => {
    const actions = ['hello', 'fails', 'crashes', 'fails-with-200', 'throttled', 'overloaded', 'missing'];
    const outcomes = await Promise.all(actions.map((a) => deliver(openWhiskSinkFor(a))));
    outcomes.push(await deliver(openWhiskSinkFor('hello', {}, `${UUID}:wrong-${KEY}`)));
    outcomes.push(await deliver(openWhiskSinkFor('hang'), 200));
    const sink = openWhiskSinkFor('hello');
    expect(sink.destination).toBe(`${base}/api/v1/namespaces/_/actions/hello`);
    const written = JSON.stringify(outcomes) + sink.destination;
    for (const secret of [KEY, Buffer.from(AUTH).toString('base64')]) expect(written).not.toContain(secret);
  });
});
