import Fastify, { type FastifyInstance } from 'fastify';
import type { HttpContext } from './context.js';
import { registerErrorHandling } from './errors.js';
import { registerEventsRoute } from './events-route.js';
import { registerHealthRoutes } from './health-routes.js';
import { registerRawBody } from './raw-body.js';
import { registerWebhooksRoute } from './webhooks-route.js';

/** The broker's one HTTP port: ingress, webhooks, health and metrics. */
export function createHttpServer(ctx: HttpContext): FastifyInstance {
  const app = Fastify({
    logger: false, // the broker logs what matters itself; a line per request would drown it
    // Fastify's own limit is only a backstop: raw-body.ts enforces the configured one.
    bodyLimit: 1024 * 1024 * 1024,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    keepAliveTimeout: 65_000,
    routerOptions: { ignoreTrailingSlash: true },
  });
  registerRawBody(app, () => ctx.config().broker.maxBodyBytes);
  registerErrorHandling(app, ctx);
  registerEventsRoute(app, ctx);
  registerWebhooksRoute(app, ctx);
  registerHealthRoutes(app, ctx);
  return app;
}
