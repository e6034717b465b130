import type { Logger } from 'pino';
import type { RuntimeConfig } from '../compile/compile.js';
import type { Ingestor } from '../ingest.js';
import type { Metrics } from '../metrics.js';
import type { HttpIntakeConnector } from '../ports/connector.js';

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
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Which ingress a request belongs to, for the rejected-events metric. */
    ingress?: string;
  }
}
