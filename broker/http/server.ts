import Fastify, { type FastifyInstance } from 'fastify';
import { registerAdminRoutes } from './admin-routes.js';
import { createClientErrorHandler } from './client-errors.js';
import { registerConsoleRoutes } from './console-routes.js';
import type { HttpContext } from './context.js';
import { registerErrorHandling } from './errors.js';
import { registerEventsRoute } from './events-route.js';
import { registerHealthRoutes } from './health-routes.js';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from './limits.js';
import { registerRawBody } from './raw-body.js';
import { RejectionLog } from './rejection-log.js';
import { registerShutdownRefusal } from './shutdown.js';
import { registerWebhooksRoute } from './webhooks-route.js';

/** The broker's one HTTP port: ingress, webhooks, health and metrics, and the admin API and console when they are on. */
export function createHttpServer(
  ctx: HttpContext,
  limits: Readonly<HttpLimits> = DEFAULT_HTTP_LIMITS,
): FastifyInstance {
  const rejections = new RejectionLog(ctx.log);
  const app = Fastify({
    logger: false, // the broker logs what matters itself; a line per request would drown it
    // Fastify's own limit is only a backstop: raw-body.ts enforces the configured one.
    bodyLimit: 1024 * 1024 * 1024,
    return503OnClosing: false, // shutdown.ts answers instead, with the broker's error body
    forceCloseConnections: 'idle',
    // Fastify and Node wait for a client forever by default (requestTimeout and
    // connectionTimeout 0): a body trickled a byte at a time would hold its socket and buffer.
    http: {
      headersTimeout: limits.headersTimeoutMs,
      connectionsCheckingInterval: limits.timeoutCheckIntervalMs,
    },
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    clientErrorHandler: createClientErrorHandler(limits, ctx.log, rejections),
    routerOptions: { ignoreTrailingSlash: true },
  });
  registerShutdownRefusal(app);
  registerRawBody(app, () => ctx.config().broker.maxBodyBytes, limits.maxBodyBytesInFlight);
  registerErrorHandling(app, ctx, rejections);
  app.addHook('onClose', async () => rejections.close());
  registerEventsRoute(app, ctx);
  registerWebhooksRoute(app, ctx);
  registerHealthRoutes(app, ctx);
  registerAdminRoutes(app, ctx);
  registerConsoleRoutes(app, ctx);
  return app;
}
