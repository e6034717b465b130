import type { Logger } from 'pino';
import type { SubscriptionActivity } from '../activity.js';
import type { CloudEvent } from '../cloudevents/event.js';
import type { RuntimeConfig } from '../compile/compile.js';
import type { DeadLetterOutcome } from '../deadletters/operations.js';
import type { DeadLetterRequest } from '../deadletters/request.js';
import type { EventExplanation } from '../explain.js';
import type { Ingestor } from '../ingest.js';
import type { Metrics } from '../metrics.js';
import type { ConnectorState, HttpIntakeConnector } from '../ports/connector.js';
import type { DeadLetterEntry, DeadLetterSelection } from '../ports/store.js';
import type { SourceReadiness } from '../readiness.js';

/** What the admin API (/admin/..., admin-routes.ts) does, on the running broker's store and configuration. */
export interface AdminOperations {
  deadLetters(selection: DeadLetterSelection, limit: number): DeadLetterEntry[];
  replay(request: DeadLetterRequest): Promise<DeadLetterOutcome>;
  purge(request: DeadLetterRequest): Promise<DeadLetterOutcome>;
  explain(event: CloudEvent): EventExplanation;
  /** What the console shows (`GET /admin/status`): Sources' states, subscriptions' recent activity. */
  status(): Promise<AdminStatus>;
}

/** `GET /admin/status`, besides readiness (docs/reference/admin-api.md). */
export interface AdminStatus {
  /** ms since the epoch, when this was read. */
  now: number;
  /** The sampler's interval: each history point but the last spans this many seconds. */
  sampleSeconds: number;
  /** How far back the history reaches once the sampler has run that long. */
  windowSeconds: number;
  /** Every Source of the running configuration, in configuration order, with its state. */
  sources: ({ name: string; kind: string; required: boolean } & ConnectorState)[];
  subscriptions: SubscriptionActivity[];
}

/** What the HTTP plugins need from the running broker; `config()` always gives the current configuration. */
export interface HttpContext {
  config(): RuntimeConfig;
  /** The running connector that takes `POST /webhooks/{name}`, if a Source of that name has one. */
  intake(name: string): Promise<HttpIntakeConnector | undefined>;
  ingestor: Ingestor;
  metrics: Metrics;
  log: Logger;
  /**
   * Readiness (readiness.ts): the store is open and can commit and intake runs, and every Source
   * with `required: true` is up; `sources` shows every Source's state.
   */
  readiness(): { ready: boolean; checks: Record<string, string>; sources?: Record<string, SourceReadiness> };
  /** The admin API's operations; without them (or without `Broker.spec.admin.tokens`) /admin is off. */
  admin?: AdminOperations;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Which ingress a request belongs to, for the rejected-events metric. */
    ingress?: string;
  }
}
