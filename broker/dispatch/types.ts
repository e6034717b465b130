import type { Sink } from '../ports/sink.js';
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
