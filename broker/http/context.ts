import type { Logger } from 'pino';
import type { CloudEvent } from '../cloudevents/event.js';
import type { RuntimeConfig } from '../compile/compile.js';
import type { DeadLetterOutcome } from '../deadletters/operations.js';
import type { DeadLetterRequest } from '../deadletters/request.js';
import type { EventExplanation } from '../explain.js';
import type { Ingestor } from '../ingest.js';
import type { Metrics } from '../metrics.js';
import type { HttpIntakeConnector } from '../ports/connector.js';
import type { DeadLetterEntry, DeadLetterSelection } from '../ports/store.js';

/** What the admin API (/admin/..., admin-routes.ts) does, on the running broker's store and configuration. */
export interface AdminOperations {
  deadLetters(selection: DeadLetterSelection, limit: number): DeadLetterEntry[];
  replay(request: DeadLetterRequest): Promise<DeadLetterOutcome>;
  purge(request: DeadLetterRequest): Promise<DeadLetterOutcome>;
  explain(event: CloudEvent): EventExplanation;
}

/** What the HTTP plugins need from the running broker; `config()` always gives the current configuration. */
export interface HttpContext {
  config(): RuntimeConfig;
  /** The running connector that takes `POST /webhooks/{name}`, if a Source of that name has one. */
  intake(name: string): Promise<HttpIntakeConnector | undefined>;
  ingestor: Ingestor;
  metrics: Metrics;
  log: Logger;
  /** Readiness: the store is open and can commit, and every connector is up. */
  readiness(): { ready: boolean; checks: Record<string, string> };
  /** The admin API's operations; without them (or without `Broker.spec.admin.tokens`) /admin is off. */
  admin?: AdminOperations;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Which ingress a request belongs to, for the rejected-events metric. */
    ingress?: string;
  }
}
