import { BrokerError } from '../../broker/errors.js';
import type {
  ConnectorContext,
  HttpIntakeConnector,
  HttpIntakeRequest,
} from '../../broker/ports/connector.js';
import { traceContextFromHeaders } from '../../broker/tracing/trace-context.js';
import type { WebhookSource } from './source.js';

/**
 * A `webhook` Source as a connector: the broker's HTTP port hands it each request for
 * `POST /webhooks/{name}`; it verifies and maps the request and resolves once the events are
 * stored, and only then does the server answer 202 (its acknowledgement). It has no broker of
 * its own, so it is up from the moment it starts.
 */
export class WebhookConnector implements HttpIntakeConnector {
  readonly kind = 'webhook';
  private context: ConnectorContext | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly source: WebhookSource) {}

  get sourceName(): string {
    return this.source.name;
  }

  async start(context: ConnectorContext): Promise<void> {
    this.context = context;
    context.reportState({ status: 'up' });
  }

  async receive(request: HttpIntakeRequest): Promise<number> {
    const context = this.context;
    if (context === undefined)
      throw new BrokerError('unavailable', `webhook Source "${this.source.name}" is not running`, {
        retryAfter: 1,
      });
    const events = this.source.toEvents(request);
    // The request's W3C trace context: events without a `traceparent` attribute take it.
    const stored = context.ingest(events, { trace: traceContextFromHeaders(request.headers) });
    this.inFlight.add(stored);
    try {
      await stored;
    } finally {
      this.inFlight.delete(stored);
    }
    return events.length;
  }

  /** Refuses new requests and waits for those whose events are being stored. */
  async stop(): Promise<void> {
    const context = this.context;
    this.context = undefined;
    await Promise.allSettled([...this.inFlight]);
    context?.reportState({ status: 'stopped' });
  }
}
