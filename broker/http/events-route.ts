import type { FastifyInstance } from 'fastify';
import { decodeHttpMessage } from '../bindings/http.js';
import { traceContextFromHeaders } from '../tracing/trace-context.js';
import { answerValidationRequest } from './abuse-protection.js';
import { checkBearer } from './auth.js';
import type { HttpContext } from './context.js';

/** POST /events: the CloudEvents HTTP binding in binary, structured and batched mode. */
export function registerEventsRoute(app: FastifyInstance, ctx: HttpContext): void {
  app.post(
    '/events',
    {
      // Before the body is read (onRequest runs before parsing): a client without the token
      // must not make the broker receive and hold its body.
      onRequest: async (request) => {
        request.ingress = 'events';
        const tokens = ctx.config().broker.authTokens;
        if (tokens) checkBearer(request.headers.authorization, tokens);
        // Back-pressure before the body is read: a held request costs a socket, not a parse, and
        // its client waits instead of asking again at once (dispatch/intake-admission.ts).
        const held = ctx.ingestor.admit();
        if (held) await held;
      },
    },
    async (request, reply) => {
      const body = (request.body as Buffer | undefined) ?? Buffer.alloc(0);
      const { events } = decodeHttpMessage(request.headers, body);
      // The request's own `traceparent` header is its transport's trace context; the event's is
      // the `ce-traceparent` header (binary mode) or the `traceparent` member (structured and
      // batched mode). An event without one takes the request's (docs/architecture.md, "Tracing").
      await ctx.ingestor.ingest(events, 'events', [], {
        admitted: true,
        trace: traceContextFromHeaders(request.headers),
        via: 'http',
      });
      return reply.code(202).send({ accepted: events.length });
    },
  );
  app.options('/events', async (request, reply) => {
    answerValidationRequest(request, reply, ctx.config().broker);
  });
}
