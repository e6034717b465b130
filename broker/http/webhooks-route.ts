import type { FastifyInstance } from 'fastify';
import { BrokerError } from '../errors.js';
import { answerValidationRequest } from './abuse-protection.js';
import type { HttpContext } from './context.js';

/** POST /webhooks/{source}: raw payloads of a `webhook` Source, verified and mapped by it. */
export function registerWebhooksRoute(app: FastifyInstance, ctx: HttpContext): void {
  app.post<{ Params: { source: string } }>('/webhooks/:source', async (request, reply) => {
    const name = request.params.source;
    request.ingress = `webhook:${name}`;
    const source = ctx.config().webhooks.get(name);
    if (!source) {
      request.ingress = 'webhook';
      throw new BrokerError('unknown_source', `no webhook Source named "${name}"`);
    }
    const events = source.toEvents({
      headers: request.headers,
      query: request.query as Record<string, unknown>,
      body: (request.body as Buffer | undefined) ?? Buffer.alloc(0),
    });
    await ctx.ingestor.ingest(events, request.ingress);
    return reply.code(202).send({ accepted: events.length });
  });
  app.options<{ Params: { source: string } }>('/webhooks/:source', async (request, reply) => {
    if (!ctx.config().webhooks.has(request.params.source)) {
      throw new BrokerError('unknown_source', `no webhook Source named "${request.params.source}"`);
    }
    answerValidationRequest(request, reply, ctx.config().broker);
  });
}
