import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTLP_KIND, type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from './otlp-receiver.js';
import {
  type BrokerProcess,
  type ReceivedRequest,
  scratch,
  sourceYaml,
  startBroker,
  startFunction,
  subscriptionYaml,
} from './support.js';

/**
 * Tracing through the real CLI (docs/architecture.md, "Tracing"): the distributed-tracing
 * extension kept and forwarded, a request's `traceparent` header given to events without one,
 * and, with OpenTelemetry configured by its standard variables, spans for ingest, routing and
 * each delivery attempt exported over OTLP/HTTP to a real receiver run by the test.
 */

const ids = () => ({ trace: randomBytes(16).toString('hex'), span: randomBytes(8).toString('hex') });
const traceparent = (trace: string, span: string, flags = '01') => `00-${trace}-${span}-${flags}`;
/** The fields of a version-00 `traceparent`. */
const parse = (value: unknown) => {
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(String(value));
  if (!m) throw new Error(`not a traceparent: ${String(value)}`);
  return { trace: m[1]!, span: m[2]!, flags: m[3]! };
};
const bodyOf = (r: ReceivedRequest) => JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;

/** Spans of one event, by its id (route and delivery spans carry cloudevents.event_id). */
const ofEvent = (spans: ReceivedSpan[], id: string, name: string) =>
  spans.filter((s) => s.attributes['cloudevents.event_id'] === id && s.name === name);

/**
 * Makes the broker process write the files of every CommonJS module it loaded (OpenTelemetry's
 * packages are CommonJS, and land in `require.cache` when imported) to a file when it exits.
 */
function moduleRecorder(dir: string): { env: NodeJS.ProcessEnv; sdkPackages(): string[] } {
  const preload = join(dir, 'record-modules.cjs');
  const out = join(dir, 'modules.json');
  writeFileSync(
    preload,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(Object.keys(require.cache))));\n`,
  );
  return {
    env: { NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --require ${preload}`.trim() },
    // @opentelemetry/api alone is no SDK (prom-client loads it): the SDK, exporters and resources are.
    sdkPackages: () =>
      [
        ...new Set(
          (JSON.parse(readFileSync(out, 'utf8')) as string[])
            .map((file) => /@opentelemetry[\\/]([^\\/]+)/.exec(file)?.[1])
            .filter((name): name is string => name !== undefined && name !== 'api'),
        ),
      ].sort(),
  };
}

/** A span's parent, once exported (a route span ends, and may be exported, before its ingest span). */
const parentIn = async (receiver: OtlpReceiver, span: ReceivedSpan) =>
  (await receiver.waitForSpans(1, (s) => s.spanId === span.parentSpanId))[0]!;

describe('tracing with OpenTelemetry over OTLP/HTTP protobuf (the default protocol)', () => {
  const dir = scratch();
  let receiver: OtlpReceiver;
  let fn: Awaited<ReturnType<typeof startFunction>>;
  let broker: BrokerProcess;
  const flakyTries = new Map<string, number>();
  const modules = moduleRecorder(dir.dir);

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    // /flaky answers 503 to an event's first attempt, then 200.
    fn = await startFunction((req) => {
      if (!req.url.startsWith('/flaky')) return 200;
      const id = String(req.headers['ce-id']);
      const n = (flakyTries.get(id) ?? 0) + 1;
      flakyTries.set(id, n);
      return n === 1 ? 503 : 200;
    });
    const only = (type: string) => [{ exact: { type } }];
    dir.write(
      'bin.yaml',
      subscriptionYaml('bin', { filters: only('trace.test'), sink: { uri: `${fn.url}/bin` } }),
    );
    dir.write(
      'json.yaml',
      subscriptionYaml('json', {
        filters: only('trace.test'),
        sink: { uri: `${fn.url}/json`, format: 'structured' },
      }),
    );
    dir.write(
      'flaky.yaml',
      subscriptionYaml('flaky', {
        filters: only('trace.flaky'),
        sink: { uri: `${fn.url}/flaky` },
        delivery: { backoffDelay: 'PT0.05S', retry: 3 },
      }),
    );
    dir.write(
      'hook.yaml',
      sourceYaml('hook', {
        webhook: {},
        ce: { type: 'trace.test', source: '/hook', id: '${headers.x-request-id}' },
      }),
    );
    broker = await startBroker(dir.config, dir.data, {
      ...modules.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: 'tb-tracing-e2e',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
  });
  afterAll(async () => {
    await broker?.stop();
    await fn?.close();
    await receiver?.close();
    dir.dispose();
  });

  const parentOf = (span: ReceivedSpan) => parentIn(receiver, span);
  const post = async (path: string, headers: Record<string, string>, body: string) => {
    const res = await request(`${broker.url}${path}`, { method: 'POST', headers, body });
    await res.body.dump();
    expect(res.statusCode).toBe(202);
  };
  const binary = (id: string, extra: Record<string, string> = {}) =>
    post(
      '/events',
      {
        'ce-specversion': '1.0',
        'ce-id': id,
        'ce-source': '/e2e',
        'ce-type': 'trace.test',
        'content-type': 'application/json',
        ...extra,
      },
      '{"n":1}',
    );
  const delivered = async (path: string, id: string) =>
    (await fn.waitFor(1, 15_000, (r) => r.url === path && r.headers['ce-id'] === id))[0]!;
  const deliveredStructured = async (id: string) =>
    (await fn.waitFor(1, 15_000, (r) => r.url === '/json' && bodyOf(r)['id'] === id))[0]!;

  it('logs that tracing is on, and exports with the service name of OTEL_SERVICE_NAME', async () => {
    await broker.waitForLog((l) => String(l['msg']).startsWith('tracing on'));
    await binary('svc-1');
    const [route] = await receiver.waitForSpans(1, (s) => s.attributes['cloudevents.event_id'] === 'svc-1');
    expect(route!.resource['service.name']).toBe('tb-tracing-e2e');
    expect(route!.scope).toBe('trigger-broker');
    expect(receiver.contentTypes).toContain('application/x-protobuf');
  });

  it("gives a binary event without traceparent the request's, and links ingest, route and each delivery in that trace", async () => {
    const incoming = ids();
    const state = 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE';
    await binary('bin-1', { traceparent: traceparent(incoming.trace, incoming.span), tracestate: state });

    // The function: the event's attribute is the request's context, kept as the starting trace
    // (extension, "Using the Distributed Tracing Extension"); the transport header is the
    // delivery span's, in the same trace.
    const bin = await delivered('/bin', 'bin-1');
    expect(bin.headers['ce-traceparent']).toBe(traceparent(incoming.trace, incoming.span));
    expect(bin.headers['ce-tracestate']).toBe(state); // nothing to percent-encode (http-binding 3.1.3.2)
    const binHeader = parse(bin.headers['traceparent']);
    expect(binHeader.trace).toBe(incoming.trace);
    expect(binHeader.span).not.toBe(incoming.span);
    expect(bin.headers['tracestate']).toBe(state);
    const json = await deliveredStructured('bin-1');
    expect(bodyOf(json)).toMatchObject({
      traceparent: traceparent(incoming.trace, incoming.span),
      tracestate: state,
    });
    const jsonHeader = parse(json.headers['traceparent']);
    expect(jsonHeader.trace).toBe(incoming.trace);

    // The spans: ingest (SERVER, child of the request's span), route (child of ingest), one
    // delivery span per subscription (CLIENT, child of the event's traceparent), all in one trace.
    await receiver.waitForSpans(
      2,
      (s) => s.attributes['cloudevents.event_id'] === 'bin-1' && s.name.startsWith('deliver'),
    );
    const [route] = ofEvent(receiver.spans, 'bin-1', 'route');
    const ingest = await parentOf(route!);
    expect(ingest).toMatchObject({
      name: 'ingest events',
      kind: OTLP_KIND.SERVER,
      traceId: incoming.trace,
      parentSpanId: incoming.span,
      attributes: { 'trigger_broker.ingress': 'events', 'trigger_broker.event_count': 1 },
    });
    expect(route).toMatchObject({
      kind: OTLP_KIND.INTERNAL,
      traceId: incoming.trace,
      links: [],
      attributes: {
        'cloudevents.event_type': 'trace.test',
        'cloudevents.event_source': '/e2e',
        'trigger_broker.route.matched': 2,
        'trigger_broker.route.subscriptions': ['bin', 'json'],
      },
    });
    const [deliverBin] = ofEvent(receiver.spans, 'bin-1', 'deliver bin');
    const [deliverJson] = ofEvent(receiver.spans, 'bin-1', 'deliver json');
    for (const span of [deliverBin!, deliverJson!])
      expect(span).toMatchObject({
        kind: OTLP_KIND.CLIENT,
        traceId: incoming.trace,
        parentSpanId: incoming.span,
        traceState: state,
        status: { code: 0 },
        attributes: {
          'trigger_broker.delivery.attempt': 1,
          'trigger_broker.delivery.outcome': 'ok',
          'trigger_broker.delivery.phase': 'sink',
          'http.response.status_code': 200,
        },
      });
    // What the functions received is the delivery span itself: they continue the trace under it.
    expect(binHeader.span).toBe(deliverBin!.spanId);
    expect(jsonHeader.span).toBe(deliverJson!.spanId);
  });

  it("keeps an event's own ce-traceparent, while the request's traceparent header is the transport's", async () => {
    const own = ids();
    const transport = ids();
    await binary('own-1', {
      'ce-traceparent': traceparent(own.trace, own.span),
      traceparent: traceparent(transport.trace, transport.span),
    });
    const bin = await delivered('/bin', 'own-1');
    expect(bin.headers['ce-traceparent']).toBe(traceparent(own.trace, own.span));
    expect(parse(bin.headers['traceparent']).trace).toBe(own.trace);

    await receiver.waitForSpans(
      2,
      (s) => s.attributes['cloudevents.event_id'] === 'own-1' && s.name.startsWith('deliver'),
    );
    const [route] = ofEvent(receiver.spans, 'own-1', 'route');
    const ingest = await parentOf(route!);
    // Ingest and routing belong to the request; the route links to the event's own trace.
    expect(ingest).toMatchObject({ traceId: transport.trace, parentSpanId: transport.span });
    expect(route!.traceId).toBe(transport.trace);
    expect(route!.links).toEqual([{ traceId: own.trace, spanId: own.span }]);
    // Each delivery continues the event's trace.
    for (const name of ['deliver bin', 'deliver json'])
      expect(ofEvent(receiver.spans, 'own-1', name)[0]).toMatchObject({
        traceId: own.trace,
        parentSpanId: own.span,
      });
  });

  it("gives a structured event the request's traceparent, and in a batch only the events without one", async () => {
    const header = ids();
    const kept = ids();
    await post(
      '/events',
      { 'content-type': 'application/cloudevents+json', traceparent: traceparent(header.trace, header.span) },
      JSON.stringify({ specversion: '1.0', id: 'st-1', source: '/e2e', type: 'trace.test' }),
    );
    expect((await delivered('/bin', 'st-1')).headers['ce-traceparent']).toBe(
      traceparent(header.trace, header.span),
    );

    await post(
      '/events',
      {
        'content-type': 'application/cloudevents-batch+json',
        traceparent: traceparent(header.trace, header.span),
      },
      JSON.stringify([
        {
          specversion: '1.0',
          id: 'batch-own',
          source: '/e2e',
          type: 'trace.test',
          traceparent: traceparent(kept.trace, kept.span),
        },
        { specversion: '1.0', id: 'batch-none', source: '/e2e', type: 'trace.test' },
      ]),
    );
    expect((await delivered('/bin', 'batch-own')).headers['ce-traceparent']).toBe(
      traceparent(kept.trace, kept.span),
    );
    expect((await delivered('/bin', 'batch-none')).headers['ce-traceparent']).toBe(
      traceparent(header.trace, header.span),
    );
    await receiver.waitForSpans(
      1,
      (s) => s.attributes['cloudevents.event_id'] === 'batch-own' && s.name === 'route',
    );
    const [route] = ofEvent(receiver.spans, 'batch-own', 'route');
    const ingest = await parentOf(route!);
    expect(ingest).toMatchObject({
      traceId: header.trace,
      parentSpanId: header.span,
      attributes: { 'trigger_broker.event_count': 2 },
      links: [{ traceId: kept.trace, spanId: kept.span }],
    });
  });

  it("gives the events of a webhook Source the request's traceparent", async () => {
    const header = ids();
    await post(
      '/webhooks/hook',
      {
        'content-type': 'application/json',
        'x-request-id': 'hook-1',
        traceparent: traceparent(header.trace, header.span),
      },
      '{"order":7}',
    );
    const bin = await delivered('/bin', 'hook-1');
    expect(bin.headers['ce-traceparent']).toBe(traceparent(header.trace, header.span));
    expect(parse(bin.headers['traceparent']).trace).toBe(header.trace);
    await receiver.waitForSpans(
      1,
      (s) => s.attributes['cloudevents.event_id'] === 'hook-1' && s.name === 'route',
    );
    const [route] = ofEvent(receiver.spans, 'hook-1', 'route');
    expect(await parentOf(route!)).toMatchObject({
      name: 'ingest webhook:hook',
      kind: OTLP_KIND.SERVER,
      traceId: header.trace,
      parentSpanId: header.span,
    });
  });

  it('starts a trace for an event that comes with none: it carries its route span from then on', async () => {
    await binary('fresh-1');
    const bin = await delivered('/bin', 'fresh-1');
    const given = parse(bin.headers['ce-traceparent']);
    await receiver.waitForSpans(
      2,
      (s) => s.attributes['cloudevents.event_id'] === 'fresh-1' && s.name.startsWith('deliver'),
    );
    const [route] = ofEvent(receiver.spans, 'fresh-1', 'route');
    expect(given).toMatchObject({ trace: route!.traceId, span: route!.spanId });
    const ingest = await parentOf(route!);
    expect(ingest.parentSpanId).toBe(''); // a root span: nothing came before
    expect(ofEvent(receiver.spans, 'fresh-1', 'deliver bin')[0]).toMatchObject({
      traceId: route!.traceId,
      parentSpanId: route!.spanId,
    });
  });

  it('makes one span per delivery attempt: a retried delivery has two, the failed one an error', async () => {
    const incoming = ids();
    await post(
      '/events',
      {
        'ce-specversion': '1.0',
        'ce-id': 'flaky-1',
        'ce-source': '/e2e',
        'ce-type': 'trace.flaky',
        traceparent: traceparent(incoming.trace, incoming.span),
      },
      '',
    );
    const attempts = await receiver.waitForSpans(
      2,
      (s) => s.attributes['cloudevents.event_id'] === 'flaky-1' && s.name === 'deliver flaky',
    );
    const byAttempt = [...attempts].sort(
      (a, b) =>
        Number(a.attributes['trigger_broker.delivery.attempt']) -
        Number(b.attributes['trigger_broker.delivery.attempt']),
    );
    expect(byAttempt[0]).toMatchObject({
      traceId: incoming.trace,
      parentSpanId: incoming.span,
      status: { code: 2 }, // STATUS_CODE_ERROR
      attributes: {
        'trigger_broker.delivery.attempt': 1,
        'trigger_broker.delivery.outcome': 'retryable',
        'http.response.status_code': 503,
        'error.type': '503',
      },
    });
    expect(byAttempt[1]).toMatchObject({
      traceId: incoming.trace,
      parentSpanId: incoming.span,
      status: { code: 0 },
      attributes: { 'trigger_broker.delivery.attempt': 2, 'trigger_broker.delivery.outcome': 'ok' },
    });
    // Each attempt's request carried its own span.
    const requests = fn.attempts.filter((r) => r.headers['ce-id'] === 'flaky-1');
    expect(requests.map((r) => parse(r.headers['traceparent']).span).sort()).toEqual(
      byAttempt.map((s) => s.spanId).sort(),
    );
  });

  it('stops cleanly with its spans exported, and had loaded the SDK: the control for the untraced broker below', async () => {
    await binary('last-1');
    await delivered('/bin', 'last-1');
    expect(await broker.stop()).toBe(0);
    await receiver.waitForSpans(
      1,
      (s) => s.attributes['cloudevents.event_id'] === 'last-1' && s.name === 'deliver bin',
      5_000,
    );
    expect(modules.sdkPackages()).toEqual(
      expect.arrayContaining(['exporter-trace-otlp-proto', 'resources', 'sdk-trace-base']),
    );
    // Only the protocol asked for is loaded.
    expect(modules.sdkPackages()).not.toContain('exporter-trace-otlp-http');
  });
});

describe('tracing over OTLP/HTTP JSON', () => {
  const dir = scratch();
  let receiver: OtlpReceiver;
  let fn: Awaited<ReturnType<typeof startFunction>>;
  let broker: BrokerProcess;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    fn = await startFunction();
    dir.write('all.yaml', subscriptionYaml('all', { sink: { uri: `${fn.url}/all` } }));
    broker = await startBroker(dir.config, dir.data, {
      // The traces-specific variables: a full URL, used as it is, and the JSON encoding.
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
  });
  afterAll(async () => {
    await broker?.stop();
    await fn?.close();
    await receiver?.close();
    dir.dispose();
  });

  it('exports ingest, route and delivery spans of one trace as JSON', async () => {
    const incoming = ids();
    const res = await request(`${broker.url}/events`, {
      method: 'POST',
      headers: {
        'ce-specversion': '1.0',
        'ce-id': 'j-1',
        'ce-source': '/e2e',
        'ce-type': 't',
        traceparent: traceparent(incoming.trace, incoming.span),
      },
    });
    expect(res.statusCode).toBe(202);
    await res.body.dump();
    const [got] = await fn.waitFor(1, 15_000, (r) => r.headers['ce-id'] === 'j-1');
    await receiver.waitForSpans(
      1,
      (s) => s.attributes['cloudevents.event_id'] === 'j-1' && s.name === 'deliver all',
    );
    const [route] = ofEvent(receiver.spans, 'j-1', 'route');
    const [deliver] = ofEvent(receiver.spans, 'j-1', 'deliver all');
    const ingest = await parentIn(receiver, route!);
    expect(receiver.contentTypes).toContain('application/json');
    expect(receiver.contentTypes).not.toContain('application/x-protobuf');
    expect(ingest).toMatchObject({
      traceId: incoming.trace,
      parentSpanId: incoming.span,
      name: 'ingest events',
    });
    expect(deliver).toMatchObject({ traceId: incoming.trace, parentSpanId: incoming.span });
    expect(ingest.resource['service.name']).toBe('trigger-broker'); // no OTEL_SERVICE_NAME: the broker's own
    expect(parse(got!.headers['traceparent'])).toMatchObject({
      trace: incoming.trace,
      span: deliver!.spanId,
    });
  });
});

describe('tracing off (no OTEL_* variables)', () => {
  const dir = scratch();
  const modules = moduleRecorder(dir.dir);
  let receiver: OtlpReceiver;
  let fn: Awaited<ReturnType<typeof startFunction>>;
  let broker: BrokerProcess;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    fn = await startFunction();
    dir.write('all.yaml', subscriptionYaml('all', { sink: { uri: `${fn.url}/all` } }));
    // Cleared in case the test process has any: an empty variable counts as unset.
    broker = await startBroker(dir.config, dir.data, {
      ...modules.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '',
      OTEL_TRACES_EXPORTER: '',
    });
  });
  afterAll(async () => {
    await broker?.stop();
    await fn?.close();
    await receiver?.close();
    dir.dispose();
  });

  it("still adopts the request's traceparent and forwards the event's as the function's trace context", async () => {
    const header = ids();
    const res = await request(`${broker.url}/events`, {
      method: 'POST',
      headers: {
        'ce-specversion': '1.0',
        'ce-id': 'off-1',
        'ce-source': '/e2e',
        'ce-type': 't',
        traceparent: traceparent(header.trace, header.span),
        tracestate: 'congo=t61rcWkgMzE',
      },
    });
    expect(res.statusCode).toBe(202);
    await res.body.dump();
    const [got] = await fn.waitFor(1, 15_000, (r) => r.headers['ce-id'] === 'off-1');
    // No span of the broker's: the function continues the trace of the event's starting context.
    expect(got!.headers['ce-traceparent']).toBe(traceparent(header.trace, header.span));
    expect(got!.headers['traceparent']).toBe(traceparent(header.trace, header.span));
    expect(got!.headers['tracestate']).toBe('congo=t61rcWkgMzE');
    expect(broker.logs.some((l) => l['msg'] === 'tracing off')).toBe(true);
    expect(broker.logs.some((l) => String(l['msg']).startsWith('tracing on'))).toBe(false);
    expect(receiver.contentTypes).toEqual([]);
  });

  it('forwards no traceparent header for an event that has none', async () => {
    const res = await request(`${broker.url}/events`, {
      method: 'POST',
      headers: { 'ce-specversion': '1.0', 'ce-id': 'off-2', 'ce-source': '/e2e', 'ce-type': 't' },
    });
    expect(res.statusCode).toBe(202);
    await res.body.dump();
    const [got] = await fn.waitFor(1, 15_000, (r) => r.headers['ce-id'] === 'off-2');
    expect(got!.headers['ce-traceparent']).toBeUndefined();
    expect(got!.headers['traceparent']).toBeUndefined();
  });

  it('never loads the OpenTelemetry SDK: no tracer exists in a broker without the variables', async () => {
    expect(await broker.stop()).toBe(0);
    expect(modules.sdkPackages()).toEqual([]);
  });
});
