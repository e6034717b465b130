/**
 * The fission sink, built through its descriptor, against a local stand-in for the Fission
 * router that routes the way the router does (fission/fission pkg/router): the function route
 * `/fission-function/NAME` for the default namespace and `/fission-function/NAMESPACE/NAME`
 * for another, a 404 marked X-Fission-Route-Miss for a function it has no route for, and the
 * HTTP triggers' relative URLs, each forwarding headers and body to its function.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../broker/cloudevents/event.js';
import type { PathSegment } from '../../broker/config/yaml-document.js';
import type { DeliveryOutcome, Sink } from '../../broker/ports/sink.js';
import { type FissionSinkSpec, fissionSink } from '../../sinks/fission/index.js';
import { sinkContract } from './contract.js';

/** The functions the router knows, by `namespace/name`, and what each answers. */
const FUNCTIONS: Record<string, { status: number; body?: string }> = {
  'default/hello': { status: 200, body: 'hi' },
  'team-a/hello': { status: 201 },
  'default/flaky': { status: 503, body: 'upstream not ready' },
  'default/picky': { status: 422, body: 'unprocessable order' },
  'default/lost': { status: 404, body: 'no such order' },
  'default/slow': { status: 0 }, // never answers
};
/** HTTP triggers: relative URL -> the function it calls. */
const TRIGGERS: Record<string, string> = {
  '/hello': 'default/hello',
  '/orders/created': 'team-a/hello',
};

interface Received {
  method: string;
  url: string;
  fn: string;
  headers: IncomingHttpHeaders;
  body: string;
}
let received: Received[] = [];
let server: Server;
let router = '';

/** The function a router path names, or undefined for a route miss. */
function functionOf(url: string): string | undefined {
  const path = url.split('?')[0] ?? '';
  const route = /^\/fission-function\/(?:([a-z0-9-]+)\/)?([a-z0-9-]+)$/.exec(path);
  if (route) {
    // The router registers default-namespace functions without the namespace segment only.
    if (route[1] === 'default') return undefined;
    const key = `${route[1] ?? 'default'}/${route[2]}`;
    return key in FUNCTIONS ? key : undefined;
  }
  return TRIGGERS[path.replace(/^\/ingress/, '')];
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '';
      const fn = functionOf(url);
      if (fn === undefined) {
        if (url.startsWith('/fission-function/')) res.setHeader('x-fission-route-miss', '1');
        res.writeHead(404).end('404 page not found');
        return;
      }
      received.push({
        method: req.method ?? '',
        url,
        fn,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      const answer = FUNCTIONS[fn] ?? { status: 500 };
      if (answer.status === 0) return;
      res.writeHead(answer.status).end(answer.body ?? '');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  router = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  received = [];
});

/** Builds through the descriptor as the configuration compiler does. */
function build(spec: Partial<FissionSinkSpec>) {
  const problems: string[] = [];
  const sink = fissionSink.build({
    spec: { router, ...spec },
    path: ['spec', 'sink', 'fission'],
    report: (path: readonly PathSegment[], message: string) => problems.push(`${path.join('.')}: ${message}`),
    secret: () => undefined,
    concurrency: 4,
  });
  return { sink, problems };
}

function built(spec: Partial<FissionSinkSpec>): Sink {
  const { sink, problems } = build(spec);
  if (!sink || problems.length > 0) throw new Error(`fission sink not built: ${problems.join('; ')}`);
  return sink;
}

const event = (id: string): CloudEvent => ({
  attributes: {
    specversion: '1.0',
    id,
    source: '/orders',
    type: 'order.created',
    datacontenttype: 'text/plain',
  },
  data: { kind: 'bytes', bytes: Buffer.from('order 7') },
});

const deliver = (sink: Sink, id: string): Promise<DeliveryOutcome> =>
  sink.deliver(event(id), { signal: new AbortController().signal, timeoutMs: 5_000 });

const CONTRACT_FUNCTIONS = { ok: 'hello', retryable: 'flaky', permanent: 'picky', hang: 'slow' };

sinkContract({
  kind: 'fission',
  name: 'fission',
  sink: (behaviour) => built({ function: CONTRACT_FUNCTIONS[behaviour] }),
  receivedIds: () => received.map((r) => String(r.headers['ce-id'])),
  receivedRequests: () => received,
});

describe('fission sink: calls', () => {
  it("POSTs to the router's function route in CloudEvents binary mode", async () => {
    const sink = built({ function: 'hello' });
    const outcome = await deliver(sink, 'fn-1');
    expect(outcome).toEqual({ kind: 'ok', detail: { protocol: 'http', code: 200 } });
    expect(received).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/fission-function/hello',
        fn: 'default/hello',
        body: 'order 7',
      }),
    ]);
    expect(received[0]?.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-id': 'fn-1',
      'ce-source': '/orders',
      'ce-type': 'order.created',
      'content-type': 'text/plain',
    });
    expect(sink.destination).toBe(`${router}/fission-function/hello`);
  });

  it('puts a namespace other than default into the path, and leaves default out as the router does', async () => {
    expect((await deliver(built({ function: 'hello', namespace: 'team-a' }), 'ns-1')).kind).toBe('ok');
    expect((await deliver(built({ function: 'hello', namespace: 'default' }), 'ns-2')).kind).toBe('ok');
    expect(received.map((r) => [r.url, r.fn])).toEqual([
      ['/fission-function/team-a/hello', 'team-a/hello'],
      ['/fission-function/hello', 'default/hello'],
    ]);
  });

  it("POSTs to an HTTP trigger's URL when path is given", async () => {
    const sink = built({ path: '/orders/created' });
    expect(sink.destination).toBe(`${router}/orders/created`);
    const outcome = await deliver(sink, 'trigger-1');
    expect(outcome).toEqual({ kind: 'ok', detail: { protocol: 'http', code: 201 } });
    expect(received[0]).toMatchObject({ url: '/orders/created', fn: 'team-a/hello', body: 'order 7' });
    expect(received[0]?.headers['ce-id']).toBe('trigger-1');
  });

  it("keeps the router URL's own path and the trigger path's query", async () => {
    const sink = built({ router: `${router}/ingress/`, path: '/hello?source=broker' });
    expect(sink.destination).toBe(`${router}/ingress/hello?source=broker`);
    expect((await deliver(sink, 'prefix-1')).kind).toBe('ok');
    expect(received[0]?.url).toBe('/ingress/hello?source=broker');
  });
});

describe('fission sink: what the router answers', () => {
  it("reads the router's route miss as permanent, saying so", async () => {
    const outcome = await deliver(built({ function: 'nobody', namespace: 'team-a' }), 'miss-1');
    expect(outcome).toMatchObject({ kind: 'permanent', detail: { code: 404 } });
    expect(outcome.kind !== 'ok' && outcome.error).toBe(
      'HTTP 404: the router has no route for function "nobody" in namespace team-a (404 page not found)',
    );
  });

  it("reads a function's own 404 and a trigger URL nobody serves as plain permanent 404s", async () => {
    const own = await deliver(built({ function: 'lost' }), 'lost-1');
    expect(own).toMatchObject({ kind: 'permanent', error: 'HTTP 404: no such order' });
    const noTrigger = await deliver(built({ path: '/nothing-here' }), 'lost-2');
    expect(noTrigger).toMatchObject({ kind: 'permanent', error: 'HTTP 404: 404 page not found' });
  });

  it('reads 503 as retryable and a 4xx as permanent', async () => {
    expect(await deliver(built({ function: 'flaky' }), 'st-1')).toMatchObject({
      kind: 'retryable',
      error: 'HTTP 503: upstream not ready',
    });
    expect(await deliver(built({ function: 'picky' }), 'st-2')).toMatchObject({
      kind: 'permanent',
      error: 'HTTP 422: unprocessable order',
    });
  });
});

describe('fission sink: configuration errors, at their paths', () => {
  const at = (field: string) => `spec.sink.fission${field ? `.${field}` : ''}`;
  const problemsOf = (spec: Partial<FissionSinkSpec>) => build(spec).problems;

  it('builds the manifest examples', () => {
    expect(build({ router: 'http://router.fission', function: 'hello' }).problems).toEqual([]);
    expect(
      build({ router: 'http://router.fission', function: 'hello', namespace: 'team-a' }).problems,
    ).toEqual([]);
    expect(build({ router: 'http://router.fission', path: '/hello' }).problems).toEqual([]);
  });

  it('reports both function and path, or neither, at the block', () => {
    expect(problemsOf({ function: 'hello', path: '/hello' })).toEqual([
      `${at('')}: give exactly one of function (call it by name) and path (an HTTP trigger), not both`,
    ]);
    expect(problemsOf({})).toEqual([
      `${at('')}: give function (the function's name) or path (an HTTP trigger's URL)`,
    ]);
  });

  it('reports a router that is not an http(s) URL, or that carries credentials', () => {
    // The kit's wording; only where it is reported matters here.
    expect(problemsOf({ router: 'router.fission', function: 'hello' })).toEqual([
      expect.stringMatching(/^spec\.sink\.fission\.router: .*not an absolute URL/),
    ]);
    expect(problemsOf({ router: 'ws://router.fission', function: 'hello' })).toEqual([
      `${at('router')}: must be an http:// or https:// URL, not ws:`,
    ]);
    expect(problemsOf({ router: 'http://u:p@router.fission', function: 'hello' })).toEqual([
      `${at('router')}: the router URL must not carry credentials (they would be logged as its destination)`,
    ]);
  });

  it('reports names that are not Kubernetes names, and a namespace without a function', () => {
    expect(problemsOf({ function: 'Hello_World' })).toEqual([
      `${at('function')}: "Hello_World" is not a Fission function name (a DNS-1123 label)`,
    ]);
    expect(problemsOf({ function: 'hello', namespace: 'a/b' })).toEqual([
      `${at('namespace')}: "a/b" is not a Kubernetes namespace name (a DNS-1123 label)`,
    ]);
    expect(problemsOf({ path: '/hello', namespace: 'team-a' })).toEqual([
      `${at('namespace')}: namespace goes with function; an HTTP trigger already names its function`,
    ]);
  });

  it("reports a path that is not an HTTP trigger's relative URL", () => {
    for (const path of ['hello', '/', '//evil.example/x', '/a/../fission-function/x', '/a/..', ''])
      expect(problemsOf({ path })).toEqual([
        `${at('path')}: is not an HTTP trigger's relative URL (one that starts with "/", is not "/" alone, and has no ".." segment)`,
      ]);
  });
});
