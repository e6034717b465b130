import type { CloudEvent } from '../cloudevents/event.js';
import type { Secret } from '../config/secrets.js';
import type { SecretRef } from '../config/types.js';
import type { PathSegment } from '../config/yaml-document.js';
import type { TraceContext } from '../tracing/trace-context.js';
import type { JsonSchema } from './json-schema.js';

/**
 * What the sink's own protocol answered, kept for the operator and for the `deadletterstatus`
 * extension: for an HTTP sink `{ protocol: 'http', code: 503 }`. The dispatcher never reads it
 * to decide anything; the outcome's `kind` is the protocol-neutral verdict.
 */
export interface ProtocolDetail {
  readonly protocol: string;
  readonly code: number;
}

/** A function's answer read as a reply (docs/architecture.md, "Replies"). */
export type FunctionReply =
  | { readonly kind: 'event'; readonly event: CloudEvent }
  | { readonly kind: 'invalid'; readonly error: string };

/**
 * What came of one delivery attempt, in words that fit every protocol. `retryable` tells the
 * dispatcher that the same request may succeed later (for HTTP: 5xx, 408, 429, a timeout, a
 * refused connection); `permanent` that it will not (other 4xx), so retrying would only delay
 * the dead letter. `detail` is absent when the sink got no answer at all (a timeout).
 */
export type DeliveryOutcome =
  | {
      readonly kind: 'ok';
      readonly detail?: ProtocolDetail;
      /**
       * What the function answered with, from a sink with `replies` set: an event the dispatcher
       * ingests (durably, routed like any event) before it counts the delivery as done, or an
       * answer that should have been one and is not (the delivery then fails for good).
       */
      readonly reply?: FunctionReply;
    }
  | {
      readonly kind: 'retryable';
      readonly error: string;
      readonly retryAfterMs?: number;
      readonly detail?: ProtocolDetail;
    }
  | { readonly kind: 'permanent'; readonly error: string; readonly detail?: ProtocolDetail };

/** What the dispatcher hands a sink with each attempt. */
export interface DeliveryOptions {
  /** Aborted when the broker shuts down: the attempt then rejects (handed back, not counted). */
  readonly signal: AbortSignal;
  /** The attempt's time limit, from preparing the request to the whole answer. */
  readonly timeoutMs: number;
  /**
   * The attempt's W3C trace context (the delivery span's, or the event's own with tracing off):
   * an HTTP sink sends it as the `traceparent` and `tracestate` headers (W3C Trace Context 3),
   * so the function continues the trace. The event's own `traceparent` attribute is never
   * changed for it (docs/architecture.md, "Tracing").
   */
  readonly trace?: TraceContext | undefined;
}

export interface Sink {
  /** A description safe to log and to put in `deadletterdest` (no credentials). */
  readonly destination: string;
  /**
   * Set when the function's answer may carry a reply event to ingest (the knative sink with
   * `replies: true`): a reply more than `maxHops` replies away from the event that started the
   * chain is dropped (docs/architecture.md, "Replies").
   */
  readonly replies?: { readonly maxHops: number } | undefined;
  /**
   * Makes one attempt. Resolves with the outcome; rejects only when `signal` aborted it (the
   * broker is shutting down: the delivery is handed back, it was not an attempt).
   */
  deliver(event: CloudEvent, options: DeliveryOptions): Promise<DeliveryOutcome>;
  /**
   * Releases what this sink holds (its connection pool). The dispatcher calls it once, after the
   * last delivery made through the sink has settled, when a reload replaced the subscription or
   * removed it, and at shutdown; `deliver` is never called after it.
   */
  close?(): Promise<void>;
}

/** What a sink's builder gets from the configuration compiler. */
export interface SinkBuildContext<Spec = Record<string, unknown>> {
  /** The sink's settings: the `sink` block itself for an inline sink, else the block under its key. */
  spec: Spec;
  /** Path of those settings in the manifest, for problems. */
  path: readonly PathSegment[];
  report(path: readonly PathSegment[], message: string, options?: { offset?: number }): void;
  /** Resolves a secret reference; undefined in validate mode or when it is missing (then reported). */
  secret(ref: SecretRef, path: readonly PathSegment[]): Secret | undefined;
  /**
   * The subscription's `delivery.concurrency`: the most deliveries this sink will ever have in
   * flight at once (the sink and the dead-letter sink share the subscription's slots), so a sink
   * that owns connections sizes its pool to it and never queues a delivery behind another.
   */
  concurrency: number;
}

/**
 * How a sink plugs into the broker (docs/architecture.md, "Ports"). A subscription's `sink`
 * (and `deadLetterSink`) block is either the one `inline` sink's settings written directly
 * (`sink: { uri: ... }`, the plain HTTP function) or `{ <kind>: settings }` for a typed one.
 */
export interface SinkDescriptor<Spec = Record<string, unknown>> {
  readonly kind: string;
  /** True for the sink whose settings are the `sink` block itself; at most one is. */
  readonly inline?: boolean;
  /** One sentence for the reference: what the sink calls. */
  readonly summary: string;
  /** JSON Schema (draft-07) of the settings; every property has a description and examples. */
  readonly settings: JsonSchema;
  build(context: SinkBuildContext<Spec>): Sink | undefined;
  /**
   * Releases what the plugin's sinks share, if anything, when the broker stops (after every
   * sink's own `close`).
   */
  close?(): Promise<void>;
}
