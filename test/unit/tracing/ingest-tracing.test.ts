import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../../broker/cloudevents/event.js';
import { compileConfig, type RuntimeConfig } from '../../../broker/compile/compile.js';
import type { Dispatcher } from '../../../broker/dispatch/dispatcher.js';
import { EXTRA_DIALECTS } from '../../../broker/filters/dialects.js';
import { Ingestor } from '../../../broker/ingest.js';
import { createMetrics } from '../../../broker/metrics.js';
import type { AppendItem, EventStore } from '../../../broker/ports/store.js';
import type { TraceContext } from '../../../broker/tracing/trace-context.js';
import {
  type IngestTraceOptions,
  NO_TRACING,
  type RouteResult,
  type Tracing,
} from '../../../broker/tracing/tracing.js';

const REQUEST: TraceContext = {
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  tracestate: 'rojo=00f067aa0ba902b7',
};
const OWN = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const ROUTE = '00-11111111111111111111111111111111-2222222222222222-01';

const event = (id: string, attributes: Record<string, string> = {}): CloudEvent => ({
  attributes: { specversion: '1.0', id, source: '/s', type: 't', ...attributes },
  data: { kind: 'none' },
});

/** A tracing that records what the ingestor asked of it; each route span's context is ROUTE. */
function recordingTracing() {
  const ingests: IngestTraceOptions[] = [];
  const routes: { id: unknown; result?: RouteResult }[] = [];
  const ended: unknown[] = [];
  const tracing: Tracing = {
    ...NO_TRACING,
    enabled: true,
    startIngest(options) {
      ingests.push(options);
      return {
        route(e) {
          const entry: { id: unknown; result?: RouteResult } = { id: e.attributes['id'] };
          routes.push(entry);
          return {
            context: { traceparent: ROUTE },
            end(result) {
              entry.result = result;
            },
          };
        },
        end: (error) => void ended.push(error ?? 'ok'),
      };
    },
  };
  return { tracing, ingests, routes, ended };
}

function ingestor(tracing: Tracing, { failCommit = false } = {}) {
  // No manifests: no subscription matches, which is all routing needs to be traced here.
  const plugins = { connectors: [], sinks: [], stores: [] };
  const config = compileConfig([], { secrets: 'form', dialects: EXTRA_DIALECTS, plugins })
    .config as RuntimeConfig;
  const stored: AppendItem[] = [];
  const store = {
    async append(items: AppendItem[]) {
      if (failCommit) throw new Error('disk full');
      stored.push(...items);
    },
  } as unknown as EventStore;
  const metrics = createMetrics(
    () => new Map(),
    () => [],
  );
  const dispatcher = { notify: () => undefined } as unknown as Dispatcher;
  const log = pino({ level: 'silent' });
  const ingest = new Ingestor(
    store,
    dispatcher,
    metrics,
    () => config,
    log,
    { admit: () => undefined },
    tracing,
  );
  const traceOf = (id: string) => {
    const a = stored.find((i) => i.event.attributes['id'] === id)!.event.attributes;
    return { traceparent: a['traceparent'], tracestate: a['tracestate'] };
  };
  return { ingest, stored, traceOf };
}

describe('Ingestor and the distributed-tracing extension, tracing off', () => {
  it("gives events without a traceparent the request's trace context, and keeps the others'", async () => {
    const { ingest, traceOf } = ingestor(NO_TRACING);
    await ingest.ingest([event('none'), event('own', { traceparent: OWN })], 'events', [], {
      trace: REQUEST,
    });
    expect(traceOf('none')).toEqual(REQUEST);
    expect(traceOf('own')).toEqual({ traceparent: OWN, tracestate: undefined });
  });

  it('adds nothing without a transport trace context', async () => {
    const { ingest, traceOf } = ingestor(NO_TRACING);
    await ingest.ingest([event('plain')], 'events');
    expect(traceOf('plain')).toEqual({ traceparent: undefined, tracestate: undefined });
  });

  it("gives a reply without traceparent the delivery attempt's context", async () => {
    const { ingest, traceOf } = ingestor(NO_TRACING);
    await ingest.ingestReply(event('reply'), 'orders', { traceparent: OWN });
    expect(traceOf('reply')).toEqual({ traceparent: OWN, tracestate: undefined });
  });
});

describe('Ingestor spans, tracing on', () => {
  it('starts one ingest span per call with the transport context as parent, and a route span per event', async () => {
    const recorded = recordingTracing();
    const { ingest, traceOf } = ingestor(recorded.tracing);
    await ingest.ingest([event('a'), event('b', { traceparent: OWN })], 'webhook:hook', [], {
      trace: REQUEST,
      via: 'http',
    });
    expect(recorded.ingests).toHaveLength(1);
    expect(recorded.ingests[0]).toMatchObject({ ingress: 'webhook:hook', via: 'http', parent: REQUEST });
    // The span sees the events as they will be stored: `a` with the request's context.
    expect(recorded.ingests[0]!.events.map((e) => e.attributes['traceparent'])).toEqual([
      REQUEST.traceparent,
      OWN,
    ]);
    expect(recorded.routes).toEqual([
      { id: 'a', result: { subscriptions: [] } },
      { id: 'b', result: { subscriptions: [] } },
    ]);
    expect(recorded.ended).toEqual(['ok']);
    expect(traceOf('a').traceparent).toBe(REQUEST.traceparent);
    expect(traceOf('b').traceparent).toBe(OWN);
  });

  it('gives an event that arrives with no trace context at all its route span, so its deliveries join the trace', async () => {
    const recorded = recordingTracing();
    const { ingest, traceOf } = ingestor(recorded.tracing);
    await ingest.ingest([event('fresh')], 'mqtt:sensors');
    expect(recorded.ingests[0]).toMatchObject({ via: 'messaging', parent: undefined });
    expect(traceOf('fresh')).toEqual({ traceparent: ROUTE, tracestate: undefined });
  });

  it('ends the ingest span with the error when the store cannot commit', async () => {
    const recorded = recordingTracing();
    const { ingest } = ingestor(recorded.tracing, { failCommit: true });
    await expect(ingest.ingest([event('lost')], 'events')).rejects.toMatchObject({ code: 'unavailable' });
    expect(recorded.ended).toEqual([expect.objectContaining({ code: 'unavailable' })]);
  });

  it('traces a reply as its own ingest, under the delivery attempt', async () => {
    const recorded = recordingTracing();
    const { ingest } = ingestor(recorded.tracing);
    await ingest.ingestReply(event('reply'), 'orders', { traceparent: OWN });
    expect(recorded.ingests[0]).toMatchObject({
      ingress: 'reply:orders',
      via: 'reply',
      parent: { traceparent: OWN },
    });
  });
});
