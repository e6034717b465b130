import type { CloudEvent } from '../broker/cloudevents/event.js';

/**
 * What came of one delivery attempt. `retryable` tells the dispatcher that the same request
 * may succeed later (5xx, 408, 429, a timeout, a refused connection); `permanent` that it
 * will not (other 4xx), so retrying would only delay the dead letter.
 */
export type DeliveryOutcome =
  | { readonly kind: 'ok'; readonly status: number }
  | {
      readonly kind: 'retryable';
      readonly status: number;
      readonly error: string;
      readonly retryAfterMs?: number;
    }
  | { readonly kind: 'permanent'; readonly status: number; readonly error: string };

export interface Sink {
  /** A description safe to log and to put in `deadletterdest` (no credentials). */
  readonly destination: string;
  deliver(event: CloudEvent, options: { signal: AbortSignal; timeoutMs: number }): Promise<DeliveryOutcome>;
}
