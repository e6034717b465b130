import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CloudEvent } from './cloudevents/event.js';
import type { RuntimeConfig } from './compile/compile.js';
import type { Dispatcher } from './dispatch/dispatcher.js';
import { BrokerError } from './errors.js';
import type { Metrics } from './metrics.js';
import type { MalformedMessage } from './ports/connector.js';
import type { AppendItem, Checkpoint, EventStore } from './ports/store.js';
import { hasTraceparent, type TraceContext, withTraceContext } from './tracing/trace-context.js';
import { type IngestSpan, type IngestVia, NO_TRACING, type Tracing } from './tracing/tracing.js';

/** Holds intake while delivery is short of CPU (dispatch/intake-admission.ts). */
export interface Admission {
  admit(): Promise<void> | undefined;
}

export interface IngestOptions {
  /** The caller already went through `admit` (the HTTP routes, before reading the body). */
  admitted?: boolean;
  /**
   * The W3C trace context of the message the events came in (an HTTP request's `traceparent` and
   * `tracestate` headers): an event without a `traceparent` attribute takes it (withTraceContext),
   * and it is the parent of the ingest span.
   */
  trace?: TraceContext | undefined;
  /** How the events came in, for the ingest span's kind; `messaging` by default. */
  via?: IngestVia;
}

/**
 * The one door into the store for every connector: checks events against their EventSchemas,
 * routes them, and resolves only once they are committed (group commit in the store), so a
 * caller may acknowledge its source after `ingest` resolves and never before.
 */
export class Ingestor {
  private pending = 0;
  private closed = false;

  constructor(
    private readonly store: EventStore,
    private readonly dispatcher: Dispatcher,
    private readonly metrics: Metrics,
    private readonly config: () => RuntimeConfig,
    private readonly log: Logger,
    /** Back-pressure: holds intake while delivery is short of CPU (dispatch/intake-admission.ts). */
    private readonly admission: Admission,
    /** Spans for ingest and routing (docs/architecture.md, "Tracing"); none by default. */
    private readonly tracing: Tracing = NO_TRACING,
  ) {}

  /**
   * Waits, if intake is being held, until this caller may bring events in; rejects with
   * `overloaded` when held too long. The HTTP routes call it before the body is read, then pass
   * `{ admitted: true }` to `ingest`.
   */
  admit(): Promise<void> | undefined {
    return this.admission.admit();
  }

  /** The positions a Source committed with its events. */
  checkpoints(sourceName: string): Map<string, string> {
    return this.store.checkpoints(sourceName);
  }

  /** Refuses new events from now on (shutdown). */
  close(): void {
    this.closed = true;
  }

  get inFlight(): number {
    return this.pending;
  }

  /**
   * Stores a batch whole or not at all. Throws BrokerError: `schema_violation` (an event
   * failed an EventSchema with onInvalid: reject), `overloaded` (too many events waiting for
   * their commit), `unavailable` (shutting down, or the store failed).
   */
  async ingest(
    events: readonly CloudEvent[],
    ingress: string,
    checkpoints: readonly Checkpoint[] = [],
    options: IngestOptions = {},
  ): Promise<void> {
    if (!options.admitted) {
      // A connector held here acknowledges later, so its source slows to the delivery rate.
      const held = this.admission.admit();
      if (held) await held;
    }
    if (this.closed) throw new BrokerError('unavailable', 'the broker is shutting down', { retryAfter: 5 });
    const config = this.config();
    if (this.pending + events.length > config.broker.maxPendingEvents && this.pending > 0) {
      throw new BrokerError(
        'overloaded',
        `${this.pending} events are waiting to be stored; try again shortly`,
        { retryAfter: 1 },
      );
    }
    await this.traced(events, ingress, checkpoints, config, options.trace, options.via ?? 'messaging');
  }

  /**
   * Stores a function's reply (docs/architecture.md, "Replies") like any event: checked
   * against its EventSchemas, routed, committed before this resolves. It skips the intake's
   * back-pressure and shutdown refusal: a reply belongs to a delivery already made, whose
   * outcome waits for it (a refusal would only make the broker call the function again), and
   * deliveries in flight, so replies too, are bounded by the subscriptions' concurrency.
   * Throws BrokerError `schema_violation` (onInvalid: reject) or `unavailable` (the store).
   */
  async ingestReply(event: CloudEvent, subscription: string, trace?: TraceContext): Promise<void> {
    await this.traced([event], `reply:${subscription}`, [], this.config(), trace, 'reply');
  }

  /**
   * Routes and commits, in an ingest span when tracing is on. Events without a `traceparent`
   * attribute take the transport's trace context, or else (tracing on) their route span's, so
   * that their deliveries join a trace (docs/architecture.md, "Tracing").
   */
  private async traced(
    events: readonly CloudEvent[],
    ingress: string,
    checkpoints: readonly Checkpoint[],
    config: RuntimeConfig,
    trace: TraceContext | undefined,
    via: IngestVia,
  ): Promise<void> {
    const arrived = trace === undefined ? events : events.map((e) => withTraceContext(e, trace));
    if (!this.tracing.enabled) {
      const { items, targets } = this.route(arrived, config, undefined);
      await this.commit(items, targets, ingress, checkpoints);
      return;
    }
    const span = this.tracing.startIngest({ ingress, via, parent: trace, events: arrived });
    try {
      const { items, targets } = this.route(arrived, config, span);
      await this.commit(items, targets, ingress, checkpoints);
    } catch (err) {
      span.end(err);
      throw err;
    }
    span.end();
  }

  /** Checks events against their EventSchemas and finds the subscriptions each must reach. */
  private route(
    events: readonly CloudEvent[],
    config: RuntimeConfig,
    span: IngestSpan | undefined,
  ): { items: AppendItem[]; targets: Map<string, number> } {
    const items: AppendItem[] = [];
    const targets = new Map<string, number>();
    for (const arrived of events) {
      const routeSpan = span?.route(arrived);
      const event =
        routeSpan === undefined || hasTraceparent(arrived)
          ? arrived
          : withTraceContext(arrived, routeSpan.context);
      const verdict = config.schemas.check(event);
      if (!verdict.ok) {
        if (verdict.entry.onInvalid === 'reject') {
          const error = new BrokerError('schema_violation', verdict.error);
          routeSpan?.end({ error });
          throw error;
        }
        routeSpan?.end({ deadLetter: verdict.error });
        items.push({
          event,
          subscriptions: [],
          deadLetter: {
            reason: 'schema violation',
            error: verdict.error,
            origin: `eventschema/${verdict.entry.name}`,
          },
        });
        continue;
      }
      const subscriptions = config.router.match(event);
      routeSpan?.end({ subscriptions });
      for (const s of subscriptions) targets.set(s, (targets.get(s) ?? 0) + 1);
      items.push({ event, subscriptions });
    }
    return { items, targets };
  }

  private async commit(
    items: AppendItem[],
    targets: Map<string, number>,
    ingress: string,
    checkpoints: readonly Checkpoint[],
  ): Promise<void> {
    if (items.length === 0 && checkpoints.length === 0) return;
    this.pending += items.length;
    try {
      await this.store.append(items, checkpoints);
    } catch (err) {
      // The caller only sees `unavailable`; the reason is for the operator, here.
      this.log.error(
        { err, ingress, events: items.length },
        'the event store could not commit; the events were refused',
      );
      throw new BrokerError('unavailable', 'the event store could not commit the events', {
        retryAfter: 5,
        cause: err,
      });
    } finally {
      this.pending -= items.length;
    }
    this.metrics.eventsAccepted.inc({ ingress }, items.length);
    this.dispatcher.notify(targets);
  }

  /**
   * Keeps a message that could not become a CloudEvent in the dead-letter list (subscription
   * `source/NAME`), wrapped in an event of type `dev.triggerbroker.malformed` whose data is
   * the raw payload byte for byte and whose extensions say where it came from and why.
   */
  async ingestMalformed(
    sourceName: string,
    message: MalformedMessage,
    checkpoints: readonly Checkpoint[] = [],
  ): Promise<void> {
    const attributes: Record<string, string | number> = {
      specversion: '1.0',
      id: randomUUID(),
      source: `/trigger-broker/sources/${sourceName}`,
      type: 'dev.triggerbroker.malformed',
      time: new Date().toISOString(),
      datacontenttype: 'application/octet-stream',
    };
    for (const [key, value] of Object.entries(message.origin)) {
      const name = `origin${key.toLowerCase().replace(/[^a-z0-9]/g, '')}`;
      attributes[name] = typeof value === 'number' ? String(value) : value;
    }
    const event: CloudEvent = { attributes, data: { kind: 'bytes', bytes: message.payload } };
    try {
      await this.store.append(
        [
          {
            event,
            subscriptions: [],
            deadLetter: {
              reason: 'malformed message',
              error: message.reason,
              origin: `source/${sourceName}`,
            },
          },
        ],
        checkpoints,
      );
    } catch (err) {
      this.log.error({ err, source: sourceName }, 'the event store could not commit a dead letter');
      throw new BrokerError('unavailable', 'the event store could not commit the dead letter', {
        retryAfter: 5,
        cause: err,
      });
    }
  }
}
