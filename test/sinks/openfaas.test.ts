/**
 * The openfaas sink, built through its descriptor, against a local stand-in for the OpenFaaS
 * gateway that answers the way the gateway does (openfaas/faas gateway and faas-provider), with
 * basic auth in front of every route (401 "invalid credentials", the gateway's own basic auth
 * answer; the community gateway guards only /system/ with it, an ingress or a gateway set up
 * for it guards invocations too), `/function/NAME` forwarding to the
 * function and answering with its response, `/async-function/NAME` queueing and answering 202,
 * NAME read as `function.namespace` at its last dot, 404 "error finding function" for a name
 * its provider does not know, 502/503 while a function is down or scaling from zero.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../broker/cloudevents/event.js';
import { resolveSecret } from '../../broker/config/secrets.js';
import type { PathSegment } from '../../broker/config/yaml-document.js';
import type { DeliveryOutcome, Sink } from '../../broker/ports/sink.js';
import { type OpenFaasSinkSpec, openFaasSink } from '../../sinks/openfaas/index.js';
import { sinkContract } from './contract.js';

const PASSWORD = 'gateway-pa55word-7f3c';
const ENV = { OF_PASS: PASSWORD, OF_WRONG_PASS: 'not-the-password-91b2' };
const DEFAULT_NAMESPACE = 'openfaas-fn';

/** What each deployed function (by `name.namespace`) answers. */
const FUNCTIONS: Record<string, (headers: IncomingHttpHeaders) => { status: number; body?: string }> = {
  [`echo.${DEFAULT_NAMESPACE}`]: () => ({ status: 200, body: 'done' }),
  'echo.staging': () => ({ status: 200 }),
  [`cold.${DEFAULT_NAMESPACE}`]: () => ({ status: 502, body: "Can't reach service for: cold." }),
  [`scaling.${DEFAULT_NAMESPACE}`]: () => ({ status: 503, body: 'No endpoints available for: scaling.' }),
  [`busy.${DEFAULT_NAMESPACE}`]: () => ({ status: 429, body: 'Concurrent request limit exceeded' }),
  [`rejects.${DEFAULT_NAMESPACE}`]: () => ({ status: 400, body: 'bad input' }),
  // A careless function that echoes its request headers in an error.
  [`leaky.${DEFAULT_NAMESPACE}`]: (headers) => ({ status: 500, body: `failed for ${headers.authorization}` }),
};

interface Received {
  method: string;
  path: string;
  namespace: string;
  headers: IncomingHttpHeaders;
  body: string;
}
let received: Received[] = [];
let server: Server;
let gateway = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const auth = req.headers.authorization ?? '';
      if (auth !== `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="Restricted"' }).end('invalid credentials');
        return;
      }
      const route = /^(?:\/openfaas)?\/(function|async-function)\/([-a-zA-Z_0-9.]+)$/.exec(req.url ?? '');
      if (!route) {
        res.writeHead(404).end('404 page not found');
        return;
      }
      const [, kind, fullName = ''] = route;
      const dot = fullName.lastIndexOf('.');
      const name = dot === -1 ? fullName : fullName.slice(0, dot);
      const namespace = dot === -1 ? DEFAULT_NAMESPACE : fullName.slice(dot + 1);
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        namespace,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      if (name === 'sleepy') return; // never answers
      if (kind === 'async-function') {
        res.writeHead(202).end();
        return;
      }
      const fn = FUNCTIONS[`${name}.${namespace}`];
      if (!fn) {
        res.writeHead(404).end(`error finding function ${name}.${namespace}: not found`);
        return;
      }
      const answer = fn(req.headers);
      if (answer.status === 503) res.setHeader('retry-after', '2');
      res.writeHead(answer.status).end(answer.body ?? '');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  gateway = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  received = [];
});

const withAuth = (spec: Omit<OpenFaasSinkSpec, 'gateway'> & { gateway?: string }): OpenFaasSinkSpec => ({
  gateway,
  basicAuth: { username: 'admin', password: { fromEnv: 'OF_PASS' } },
  ...spec,
});

/**
 * Builds through the descriptor as the configuration compiler does; `resolve` reads secrets
 * from ENV (a missing one is reported, as the compiler's scope does), `form` never reads them.
 */
function build(spec: OpenFaasSinkSpec, mode: 'resolve' | 'form' = 'resolve') {
  const problems: string[] = [];
  const report = (path: readonly PathSegment[], message: string) =>
    problems.push(`${path.join('.')}: ${message}`);
  const sink = openFaasSink.build({
    spec,
    path: ['spec', 'sink', 'openfaas'],
    report,
    secret(ref, path) {
      if (mode === 'form') return undefined;
      try {
        return resolveSecret(ref, '/', ENV);
      } catch (err) {
        report(path, (err as Error).message);
        return undefined;
      }
    },
    concurrency: 4,
  });
  return { sink, problems };
}

function built(spec: OpenFaasSinkSpec): Sink {
  const { sink, problems } = build(spec);
  if (!sink || problems.length > 0) throw new Error(`openfaas sink not built: ${problems.join('; ')}`);
  return sink;
}

const event = (id: string): CloudEvent => ({
  attributes: {
    specversion: '1.0',
    id,
    source: '/orders',
    type: 'order.created',
    datacontenttype: 'application/json',
    subject: 'order 7',
  },
  data: { kind: 'json', value: { order: 7 } },
});

const deliver = (sink: Sink, id: string): Promise<DeliveryOutcome> =>
  sink.deliver(event(id), { signal: new AbortController().signal, timeoutMs: 5_000 });

const errorOf = (outcome: DeliveryOutcome) => (outcome.kind === 'ok' ? '' : outcome.error);

const CONTRACT_FUNCTIONS = {
  ok: 'echo',
  retryable: 'scaling',
  permanent: 'no-such-function',
  hang: 'sleepy',
};

sinkContract({
  kind: 'openfaas',
  name: 'openfaas',
  sink: (behaviour) => built(withAuth({ function: CONTRACT_FUNCTIONS[behaviour] })),
  receivedIds: () => received.map((r) => String(r.headers['ce-id'])),
  receivedRequests: () => received,
});

describe('openfaas sink: calls', () => {
  it('POSTs a sync call to /function/NAME in CloudEvents binary mode, with basic auth; 200 is ok', async () => {
    const sink = built(withAuth({ function: 'echo' }));
    const outcome = await deliver(sink, 'sync-1');
    expect(outcome).toEqual({ kind: 'ok', detail: { protocol: 'http', code: 200 } });
    expect(received).toHaveLength(1);
    const [call] = received;
    expect(call).toMatchObject({ method: 'POST', path: '/function/echo', namespace: DEFAULT_NAMESPACE });
    expect(call?.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-id': 'sync-1',
      'ce-source': '/orders',
      'ce-type': 'order.created',
      'ce-subject': 'order%207',
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`,
    });
    expect(call?.headers['x-callback-url']).toBeUndefined();
    expect(JSON.parse(call?.body ?? '')).toEqual({ order: 7 });
    expect(sink.destination).toBe(`${gateway}/function/echo`);
  });

  it('queues an async call on /async-function/NAME with X-Callback-Url; the 202 is ok', async () => {
    const sink = built(
      withAuth({ function: 'echo', async: true, callbackUrl: 'http://127.0.0.1:9/results?run=1' }),
    );
    const outcome = await deliver(sink, 'async-1');
    expect(outcome).toEqual({ kind: 'ok', detail: { protocol: 'http', code: 202 } });
    expect(received[0]).toMatchObject({ method: 'POST', path: '/async-function/echo' });
    expect(received[0]?.headers['x-callback-url']).toBe('http://127.0.0.1:9/results?run=1');
    expect(received[0]?.headers['ce-id']).toBe('async-1');
    expect(sink.destination).toBe(`${gateway}/async-function/echo`);
  });

  it('sends an async call without a callback when callbackUrl is null', async () => {
    const outcome = await deliver(
      built(withAuth({ function: 'echo', async: true, callbackUrl: null })),
      'a-2',
    );
    expect(outcome.kind).toBe('ok');
    expect(received[0]?.headers['x-callback-url']).toBeUndefined();
  });

  it('calls a function in another namespace as NAME.NAMESPACE, one path segment', async () => {
    const outcome = await deliver(built(withAuth({ function: 'echo.staging' })), 'ns-1');
    expect(outcome.kind).toBe('ok');
    expect(received[0]).toMatchObject({ path: '/function/echo.staging', namespace: 'staging' });
  });

  it('keeps the path of a gateway behind an ingress', async () => {
    const sink = built(withAuth({ gateway: `${gateway}/openfaas/`, function: 'echo' }));
    expect(sink.destination).toBe(`${gateway}/openfaas/function/echo`);
    expect((await deliver(sink, 'prefix-1')).kind).toBe('ok');
    expect(received[0]?.path).toBe('/openfaas/function/echo');
  });
});

describe('openfaas sink: what the gateway answers', () => {
  it('reads 404 for an unknown function as permanent: function not found on the gateway', async () => {
    const outcome = await deliver(built(withAuth({ function: 'missing' })), 'nf-1');
    expect(outcome).toMatchObject({ kind: 'permanent', detail: { code: 404 } });
    expect(errorOf(outcome)).toMatch(/^HTTP 404: function "missing" not found on the gateway/);
    expect(errorOf(outcome)).toContain('error finding function missing.openfaas-fn');
  });

  it('reads 502 (function down) as retryable', async () => {
    const outcome = await deliver(built(withAuth({ function: 'cold' })), 'down-1');
    expect(outcome).toMatchObject({ kind: 'retryable', detail: { code: 502 } });
    expect(errorOf(outcome)).toMatch(/function "cold" is not ready \(down, or scaling from zero\)/);
  });

  it("reads 503 (scaling from zero) as retryable, honouring the gateway's Retry-After", async () => {
    const outcome = await deliver(built(withAuth({ function: 'scaling' })), 'zero-1');
    expect(outcome).toMatchObject({ kind: 'retryable', retryAfterMs: 2_000, detail: { code: 503 } });
  });

  it('reads 429 (concurrency limit) as retryable', async () => {
    const outcome = await deliver(built(withAuth({ function: 'busy' })), 'busy-1');
    expect(outcome).toMatchObject({ kind: 'retryable', detail: { code: 429 } });
    expect(errorOf(outcome)).toMatch(/concurrency limit/);
  });

  it("reads the function's own 4xx as permanent, with its words", async () => {
    const outcome = await deliver(built(withAuth({ function: 'rejects' })), 'bad-1');
    expect(outcome).toMatchObject({ kind: 'permanent', error: 'HTTP 400: bad input' });
  });

  it('reads 401 as permanent: credentials refused, or none sent', async () => {
    const wrong = await deliver(
      built(
        withAuth({
          function: 'echo',
          basicAuth: { username: 'admin', password: { fromEnv: 'OF_WRONG_PASS' } },
        }),
      ),
      'auth-1',
    );
    expect(wrong).toMatchObject({ kind: 'permanent', detail: { code: 401 } });
    expect(errorOf(wrong)).toMatch(/the basic auth credentials were refused/);
    const none = await deliver(built({ gateway, function: 'echo' }), 'auth-2');
    expect(none).toMatchObject({ kind: 'permanent', detail: { code: 401 } });
    expect(errorOf(none)).toMatch(/basic auth is required: set basicAuth/);
    expect(received).toHaveLength(0);
  });
});

describe('openfaas sink: the password stays secret', () => {
  const token = Buffer.from(`admin:${PASSWORD}`).toString('base64');
  const leaks = (text: string) => text.includes(PASSWORD) || text.includes(token);

  it('is nowhere in the destination or in anything that prints the sink', () => {
    const sink = built(withAuth({ function: 'echo' }));
    for (const text of [sink.destination, JSON.stringify(sink), inspect(sink, { depth: 10 }), String(sink)])
      expect(leaks(text)).toBe(false);
  });

  it('is scrubbed from an error even when the function echoes its request', async () => {
    const outcome = await deliver(built(withAuth({ function: 'leaky' })), 'leak-1');
    expect(outcome.kind).toBe('retryable');
    expect(errorOf(outcome)).toBe('HTTP 500: failed for Basic [redacted]');
  });

  it('is in no error of a refused or unreachable call', async () => {
    const outcomes = [
      await deliver(built(withAuth({ function: 'missing' })), 'e-1'),
      await deliver(built(withAuth({ gateway: 'http://127.0.0.1:9', function: 'echo' })), 'e-2'),
    ];
    for (const outcome of outcomes) {
      expect(outcome.kind).not.toBe('ok');
      expect(leaks(errorOf(outcome))).toBe(false);
    }
  });
});

describe('openfaas sink: configuration errors, at their paths', () => {
  const at = (field: string) => `spec.sink.openfaas.${field}`;
  const problemsOf = (spec: OpenFaasSinkSpec) => build(spec).problems;

  it('builds the manifest example, also in validate mode where secrets are not read', () => {
    const spec = withAuth({ function: 'resize', async: false, callbackUrl: null });
    expect(build(spec).problems).toEqual([]);
    expect(build(spec).sink).toBeDefined();
    const validated = build(spec, 'form');
    expect(validated.problems).toEqual([]);
    expect(validated.sink?.destination).toBe(`${gateway}/function/resize`);
  });

  it('reports a gateway that is not an http(s) URL, or that carries credentials', () => {
    expect(problemsOf({ gateway: 'gw:8080', function: 'f' })).toEqual([
      `${at('gateway')}: must be an http:// or https:// URL, not gw:`,
    ]);
    // The kit's wording; only where it is reported matters here.
    expect(problemsOf({ gateway: '/function', function: 'f' })).toEqual([
      expect.stringMatching(/^spec\.sink\.openfaas\.gateway: .*not an absolute URL/),
    ]);
    const withUserinfo = problemsOf({ gateway: `http://admin:${PASSWORD}@127.0.0.1:8080`, function: 'f' });
    expect(withUserinfo).toEqual([
      `${at('gateway')}: the gateway URL must not carry credentials: put them in basicAuth`,
    ]);
  });

  it('reports a function name the gateway would not route', () => {
    for (const name of ['', 'a/b', 'fn.', '.ns', 'a b', 'a..b'])
      expect(problemsOf({ gateway, function: name })).toEqual([
        expect.stringMatching(new RegExp(`^${at('function').replace(/\./g, '\\.')}: .*not a function name`)),
      ]);
  });

  it('reports a callbackUrl on a sync call, or one that is not an http(s) URL', () => {
    expect(problemsOf({ gateway, function: 'f', callbackUrl: 'http://127.0.0.1:9/cb' })).toEqual([
      `${at('callbackUrl')}: callbackUrl needs async: true (a sync call returns its result directly)`,
    ]);
    expect(problemsOf({ gateway, function: 'f', async: true, callbackUrl: 'nats://x' })).toEqual([
      `${at('callbackUrl')}: must be an http:// or https:// URL, not nats:`,
    ]);
  });

  it('reports missing or unusable credentials', () => {
    expect(problemsOf({ gateway, function: 'f', basicAuth: { username: 'admin' } })).toEqual([
      `${at('basicAuth.password')}: basic auth needs a password: { fromEnv: NAME } or { fromFile: PATH }`,
    ]);
    expect(problemsOf({ gateway, function: 'f', basicAuth: { password: { fromEnv: 'OF_PASS' } } })).toEqual([
      `${at('basicAuth.username')}: basic auth needs a username`,
    ]);
    expect(
      problemsOf({
        gateway,
        function: 'f',
        basicAuth: { username: 'ad:min', password: { fromEnv: 'OF_PASS' } },
      }),
    ).toEqual([`${at('basicAuth.username')}: a basic auth username cannot contain ":"`]);
    expect(
      problemsOf({
        gateway,
        function: 'f',
        basicAuth: { username: 'admin', password: { fromEnv: 'OF_UNSET' } },
      }),
    ).toEqual([`${at('basicAuth.password')}: secret: environment variable OF_UNSET is not set`]);
  });
});
