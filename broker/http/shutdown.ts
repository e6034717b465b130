import type { FastifyInstance } from 'fastify';
import { BrokerError } from '../errors.js';

/**
 * A request that arrives while the server closes (on a connection still open: pipelined, or
 * kept alive by a request in flight) gets the broker's own `unavailable` with `Retry-After`.
 * Fastify's answer for it (`return503OnClosing`, turned off in server.ts) has neither the JSON
 * error body nor `Retry-After`, so a client could not tell when to try again.
 */
export function registerShutdownRefusal(app: FastifyInstance): void {
  let closing = false;
  // preClose runs at the start of app.close(), before the server stops listening.
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    // The server is going away: the client must not send its next request on this connection.
    void reply.header('connection', 'close');
    throw new BrokerError('unavailable', 'the broker is shutting down', { retryAfter: 5 });
  });
}
