import type { FastifyInstance } from 'fastify';
import { BrokerError } from '../errors.js';
import { answerValidationRequest } from './abuse-protection.js';
import type { HttpContext } from './context.js';

/**
 * POST /webhooks/{source}: raw payloads of a Source whose connector takes HTTP requests (the
 * `webhook` connector), which verifies and maps them; 202 once its events are stored.
 */
export function registerWebhooksRoute(app: FastifyInstance, ctx: HttpContext): void {
  app.post<{ Params: { source: string } }>(
    '/webhooks/:source',
    {
      // Before the body is read: a request for no Source is refused without receiving its body.
      onRequest: async (request) => {
        const name = request.params.source;
        if (!(await ctx.intake(name))) {
          request.ingress = 'webhook';
          throw new BrokerError('unknown_source', `no webhook Source named "${name}"`);
        }
        request.ingress = `webhook:${name}`;
        // Back-pressure before the body is read (dispatch/intake-admission.ts). The connector's
        // own ingest may be held again if intake is held by the time the body is in.
        const held = ctx.ingestor.admit();
        if (held) await held;
      },
    },
    async (request, reply) => {
      const name = request.params.source;
      // Looked up again: a configuration reload may have removed the Source while the body arrived.
      const intake = await ctx.intake(name);
      if (!intake) {
        request.ingress = 'webhook';
        throw new BrokerError('unknown_source', `no webhook Source named "${name}"`);
      }
      const accepted = await intake.receive({
        headers: request.headers,
        query: request.query as Record<string, unknown>,
        body: (request.body as Buffer | undefined) ?? Buffer.alloc(0),
      });
      return reply.code(202).send({ accepted });
    },
  );
  app.options<{ Params: { source: string } }>('/webhooks/:source', async (request, reply) => {
    if (!(await ctx.intake(request.params.source))) {
      throw new BrokerError('unknown_source', `no webhook Source named "${request.params.source}"`);
    }
    answerValidationRequest(request, reply, ctx.config().broker);
  });
}
