/**
 * The tracing port (tracing.ts) on OpenTelemetry: the one module of the broker that imports it,
 * loaded by `load.ts` only when the OTEL_* environment turns tracing on (docs/architecture.md,
 * "Tracing"; docs/reference/tracing.md). The SDK reads its own variables: the OTLP exporter its
 * endpoint, headers, timeout and compression, the provider OTEL_TRACES_SAMPLER and the span
 * limits, the batch processor OTEL_BSP_*, the resource OTEL_SERVICE_NAME and
 * OTEL_RESOURCE_ATTRIBUTES. Nothing is registered globally: the broker hands its contexts to the
 * tracer itself, so it needs no context manager or propagator of OpenTelemetry's.
 */
import {
  type Attributes,
  type Context,
  createTraceState,
  type Link,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVICE_NAME,
} from '@opentelemetry/semantic-conventions';
import type { Logger } from 'pino';
import type { CloudEvent } from '../cloudevents/event.js';
import { FailureLog } from '../failure-log.js';
import type { DeliveryOutcome } from '../ports/sink.js';
import type { OtlpProtocol, TracingSettings } from './settings.js';
import {
  eventTraceContext,
  formatTraceparent,
  parseTraceparent,
  type TraceContext,
} from './trace-context.js';
import type {
  DeliverySpan,
  DeliveryTraceOptions,
  IngestSpan,
  IngestTraceOptions,
  IngestVia,
  RouteResult,
  RouteSpan,
  Tracing,
} from './tracing.js';

/**
 * The CloudEvents span attributes of OpenTelemetry's semantic conventions (CloudEvents, "Span
 * attributes"). They are still incubating, which the semantic-conventions package ships apart
 * and asks users to copy rather than import.
 */
const CE = {
  id: 'cloudevents.event_id',
  source: 'cloudevents.event_source',
  specversion: 'cloudevents.event_spec_version',
  type: 'cloudevents.event_type',
  subject: 'cloudevents.event_subject',
} as const;

/** The broker's own attributes. */
const TB = {
  ingress: 'trigger_broker.ingress',
  eventCount: 'trigger_broker.event_count',
  matched: 'trigger_broker.route.matched',
  subscriptions: 'trigger_broker.route.subscriptions',
  deadLetter: 'trigger_broker.route.dead_letter',
  subscription: 'trigger_broker.subscription',
  attempt: 'trigger_broker.delivery.attempt',
  phase: 'trigger_broker.delivery.phase',
  outcome: 'trigger_broker.delivery.outcome',
  destination: 'trigger_broker.sink.destination',
} as const;

const SERVICE_NAME = 'trigger-broker';
/** A route span names at most this many subscriptions (its count is always whole). */
const MAX_NAMED_SUBSCRIPTIONS = 64;
/** An ingest span links at most this many distinct traces of its events. */
const MAX_LINKS = 32;
/** How long shutdown waits for the last export: an unreachable collector must not hold the stop. */
const SHUTDOWN_WAIT_MS = 3000;

const KIND: Record<IngestVia, SpanKind> = {
  http: SpanKind.SERVER,
  messaging: SpanKind.CONSUMER,
  reply: SpanKind.INTERNAL,
};

export async function createOpenTelemetryTracing(
  settings: Extract<TracingSettings, { enabled: true }>,
  log: Logger,
): Promise<Tracing> {
  const exportFailures = new FailureLog<{ error: string }>((line) => {
    const fields = { failedExports: line.failed, error: line.last.error };
    if (line.kind === 'recovered') log.info(fields, 'spans are exported again');
    else log.warn(fields, 'spans could not be exported; they are dropped');
  });
  const spanProcessors: SpanProcessor[] = [];
  for (const name of settings.exporters) {
    if (name === 'console') spanProcessors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()));
    else
      spanProcessors.push(
        new BatchSpanProcessor(new LoggedExporter(await otlpExporter(settings.protocol), exportFailures)),
      );
  }
  // Later resources win: the broker's name over the SDK's default, the environment's over both.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: SERVICE_NAME }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new BasicTracerProvider({ resource, spanProcessors });
  const tracer = provider.getTracer(SERVICE_NAME);
  return new OpenTelemetryTracing(tracer, async () => {
    const timer = new Promise<void>((r) => setTimeout(r, SHUTDOWN_WAIT_MS).unref());
    await Promise.race([provider.shutdown().catch(() => undefined), timer]);
    exportFailures.close();
  });
}

/** The OTLP/HTTP exporter of the protocol asked for; each is loaded only when chosen. */
async function otlpExporter(protocol: OtlpProtocol): Promise<SpanExporter> {
  if (protocol === 'http/json') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter();
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter();
}

type ExportCallback = Parameters<SpanExporter['export']>[1];

/** An exporter whose failures reach the broker's log, summed up (docs/architecture.md, "Logs"). */
class LoggedExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly failures: FailureLog<{ error: string }>,
  ) {}

  export(spans: ReadableSpan[], done: ExportCallback): void {
    this.inner.export(spans, (result) => {
      // ExportResultCode.SUCCESS is 0 (@opentelemetry/core).
      if (result.code === 0) this.failures.succeeded();
      else this.failures.failed({ error: result.error?.message ?? 'the export failed' });
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** A W3C trace context as OpenTelemetry's remote span context; undefined when it is not valid. */
function remoteSpanContext(context: TraceContext | undefined): SpanContext | undefined {
  if (context === undefined) return undefined;
  const parsed = parseTraceparent(context.traceparent);
  if (parsed === undefined) return undefined;
  return {
    traceId: parsed.traceId,
    spanId: parsed.spanId,
    traceFlags: parsed.flags,
    isRemote: true,
    ...(context.tracestate === undefined ? {} : { traceState: createTraceState(context.tracestate) }),
  };
}

function contextWithParent(parent: SpanContext | undefined): Context {
  return parent === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, parent);
}

/** A span's own context as the W3C headers write it. */
function traceContextOf(span: Span): TraceContext {
  const { traceId, spanId, traceFlags, traceState } = span.spanContext();
  const traceparent = formatTraceparent(traceId, spanId, traceFlags);
  const tracestate = traceState?.serialize();
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

function eventAttributes(event: CloudEvent): Attributes {
  const a = event.attributes;
  const attributes: Attributes = {
    [CE.id]: String(a['id']),
    [CE.source]: String(a['source']),
    [CE.specversion]: String(a['specversion']),
    [CE.type]: String(a['type']),
  };
  if (a['subject'] !== undefined) attributes[CE.subject] = String(a['subject']);
  return attributes;
}

function sameSpan(a: SpanContext | undefined, b: SpanContext | undefined): boolean {
  return a !== undefined && b !== undefined && a.traceId === b.traceId && a.spanId === b.spanId;
}

function failed(span: Span, error: unknown): void {
  const code = (error as { code?: unknown } | undefined)?.code;
  span.setAttribute(ATTR_ERROR_TYPE, typeof code === 'string' ? code : 'error');
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message ?? String(error) });
}

class OpenTelemetryTracing implements Tracing {
  readonly enabled = true;

  constructor(
    private readonly tracer: Tracer,
    readonly shutdown: () => Promise<void>,
  ) {}

  /**
   * The span of one intake call. Its parent is the transport's trace context (the request's
   * `traceparent` header, a delivery's for a reply); without one, the events' own when they
   * all share it. Every other trace the events carry is a link: they are the traces that
   * started them (the extension's "starting trace of the transmission").
   */
  startIngest({ ingress, via, parent, events }: IngestTraceOptions): IngestSpan {
    let parentContext = remoteSpanContext(parent);
    const eventContexts = events.map((e) => remoteSpanContext(eventTraceContext(e)));
    if (parentContext === undefined) {
      const [first] = eventContexts;
      if (first !== undefined && eventContexts.every((c) => sameSpan(c, first))) parentContext = first;
    }
    const links: Link[] = [];
    for (const c of eventContexts) {
      if (links.length >= MAX_LINKS) break;
      if (c === undefined || sameSpan(c, parentContext) || links.some((l) => sameSpan(l.context, c)))
        continue;
      links.push({ context: c });
    }
    const span = this.tracer.startSpan(
      `ingest ${ingress}`,
      {
        kind: KIND[via],
        links,
        attributes: { [TB.ingress]: ingress, [TB.eventCount]: events.length },
      },
      contextWithParent(parentContext),
    );
    const spanContext = trace.setSpan(ROOT_CONTEXT, span);
    return {
      route: (event) => this.startRoute(event, spanContext, parentContext),
      end(error?: unknown) {
        if (error !== undefined) failed(span, error);
        span.end();
      },
    };
  }

  /** Routing one event: a child of the ingest span, linked to the event's own trace if another. */
  private startRoute(event: CloudEvent, parent: Context, ingestParent: SpanContext | undefined): RouteSpan {
    const own = remoteSpanContext(eventTraceContext(event));
    const span = this.tracer.startSpan(
      'route',
      {
        kind: SpanKind.INTERNAL,
        attributes: eventAttributes(event),
        links: own === undefined || sameSpan(own, ingestParent) ? [] : [{ context: own }],
      },
      parent,
    );
    return {
      context: traceContextOf(span),
      end(result: RouteResult) {
        if ('subscriptions' in result) {
          span.setAttribute(TB.matched, result.subscriptions.length);
          if (result.subscriptions.length > 0)
            span.setAttribute(TB.subscriptions, result.subscriptions.slice(0, MAX_NAMED_SUBSCRIPTIONS));
        } else if ('deadLetter' in result) {
          span.setAttribute(TB.deadLetter, result.deadLetter);
          span.setAttribute(TB.matched, 0);
        } else failed(span, result.error);
        span.end();
      },
    };
  }

  /**
   * One delivery attempt: a CLIENT span whose parent is the event's `traceparent`, the trace that
   * started the event (distributed-tracing extension, "Using the Distributed Tracing
   * Extension"). Its own context goes to the function in the request's `traceparent` header
   * (W3C Trace Context 3), so the function continues the trace under this attempt; the event's
   * attribute is left as it is.
   */
  startDelivery({ subscription, event, attempt, phase, destination }: DeliveryTraceOptions): DeliverySpan {
    const span = this.tracer.startSpan(
      `deliver ${subscription}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          ...eventAttributes(event),
          [TB.subscription]: subscription,
          [TB.attempt]: attempt,
          [TB.phase]: phase,
          [TB.destination]: destination,
        },
      },
      contextWithParent(remoteSpanContext(eventTraceContext(event))),
    );
    return {
      context: traceContextOf(span),
      end(outcome: DeliveryOutcome) {
        span.setAttribute(TB.outcome, outcome.kind);
        if (outcome.detail?.protocol === 'http')
          span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, outcome.detail.code);
        if (outcome.kind !== 'ok') {
          span.setAttribute(ATTR_ERROR_TYPE, outcome.detail ? String(outcome.detail.code) : outcome.kind);
          span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error });
        }
        span.end();
      },
      abandon() {
        span.setAttribute(TB.outcome, 'handed_back');
        span.end();
      },
    };
  }
}
