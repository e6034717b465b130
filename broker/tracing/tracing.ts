/**
 * The tracing port (docs/architecture.md, "Tracing"): the spans the core makes for ingest,
 * routing and each delivery attempt, in its own words. The ingestor and the dispatcher speak to
 * this interface alone; `otel.ts` implements it with OpenTelemetry and is loaded (`load.ts`) only
 * when the OTEL_* environment asks for it. Without it, `NO_TRACING` costs nothing per event.
 */
import type { CloudEvent } from '../cloudevents/event.js';
import type { DeliveryOutcome } from '../ports/sink.js';
import { eventTraceContext, type TraceContext } from './trace-context.js';

/** How events came in: an HTTP request (SERVER span), a broker's message (CONSUMER), a function's reply. */
export type IngestVia = 'http' | 'messaging' | 'reply';

export interface IngestTraceOptions {
  /** The ingress label (`events`, `webhook:github`, `mqtt:sensors`, `reply:orders`). */
  readonly ingress: string;
  readonly via: IngestVia;
  /**
   * The transport's trace context (a request's `traceparent` header; for a reply, the delivery
   * attempt's): the ingest span's parent. Without it, the events' own `traceparent` when they all
   * share one; the others become links.
   */
  readonly parent: TraceContext | undefined;
  readonly events: readonly CloudEvent[];
}

/** What came of routing one event. */
export type RouteResult =
  | { readonly subscriptions: readonly string[] }
  /** An EventSchema with `onInvalid: deadletter` refused it: stored as a dead letter. */
  | { readonly deadLetter: string }
  /** An EventSchema with `onInvalid: reject` refused it: the whole call fails. */
  | { readonly error: unknown };

export interface RouteSpan {
  /**
   * This span's trace context: what an event without a `traceparent` is given, so that its
   * deliveries join the trace (undefined when tracing is off).
   */
  readonly context: TraceContext | undefined;
  end(result: RouteResult): void;
}

export interface IngestSpan {
  /** Starts the routing span of one event, a child of the ingest span. */
  route(event: CloudEvent): RouteSpan;
  /** Ends the span; with `error` when the events were not stored. */
  end(error?: unknown): void;
}

export interface DeliveryTraceOptions {
  readonly subscription: string;
  /** The event as it is sent (its `traceparent` attribute is the span's parent). */
  readonly event: CloudEvent;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** To the subscription's sink, or to its dead-letter sink. */
  readonly phase: 'sink' | 'deadletter';
  /** The sink's destination, safe to log. */
  readonly destination: string;
}

export interface DeliverySpan {
  /**
   * The trace context the request to the function carries (W3C `traceparent`/`tracestate`
   * headers): the delivery span's own, so the function continues the trace under it. With
   * tracing off, the event's own (as an OpenTelemetry API without an SDK propagates the parent
   * unchanged), or undefined when it has none.
   */
  readonly context: TraceContext | undefined;
  /** Ends the span with the attempt's outcome. */
  end(outcome: DeliveryOutcome): void;
  /** Ends the span of an attempt aborted for shutdown (handed back, not an attempt). */
  abandon(): void;
}

export interface Tracing {
  /** False for `NO_TRACING`: callers skip span bookkeeping per event. */
  readonly enabled: boolean;
  startIngest(options: IngestTraceOptions): IngestSpan;
  startDelivery(options: DeliveryTraceOptions): DeliverySpan;
  /** Exports what is left and stops (at broker shutdown). */
  shutdown(): Promise<void>;
}

const NOOP_ROUTE: RouteSpan = { context: undefined, end: () => undefined };
const NOOP_INGEST: IngestSpan = { route: () => NOOP_ROUTE, end: () => undefined };
const NOOP_DELIVERY: DeliverySpan = { context: undefined, end: () => undefined, abandon: () => undefined };

/** Tracing off: no spans; a delivery forwards the event's own trace context, if it has one. */
export const NO_TRACING: Tracing = {
  enabled: false,
  startIngest: () => NOOP_INGEST,
  startDelivery({ event }) {
    const context = eventTraceContext(event);
    return context === undefined ? NOOP_DELIVERY : { ...NOOP_DELIVERY, context };
  },
  shutdown: async () => undefined,
};
