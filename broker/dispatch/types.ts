import type { CloudEvent } from '../cloudevents/event.js';
import type { Sink } from '../ports/sink.js';
import type { TraceContext } from '../tracing/trace-context.js';
import type { RetryPolicy } from './backoff.js';

/** A subscription as the dispatcher runs it: compiled filter, built sinks, resolved delivery settings. */
export interface SubscriptionRuntime {
  name: string;
  sink: Sink;
  deadLetterSink: Sink | undefined;
  delivery: RetryPolicy & { timeoutMs: number; concurrency: number };
  /** Changes whenever the manifest changes, so a reload can tell what it must swap. */
  fingerprint: string;
}

/**
 * Stores a function's reply as a new event, routed like any other; resolves once it is
 * committed. `trace` is the delivery attempt's trace context: a reply without a `traceparent`
 * takes it, so the chain stays in one trace. Throws BrokerError `schema_violation` when an
 * EventSchema refuses it, `unavailable` when the store cannot commit.
 */
export type ReplyIntake = (event: CloudEvent, subscription: string, trace?: TraceContext) => Promise<void>;
