import type { FastifyError, FastifyInstance } from 'fastify';
import { BrokerError } from '../errors.js';
import type { HttpContext } from './context.js';
import { httpStatusOf } from './status.js';

/** Maps fastify's own errors to ours, so every error body has the same shape. */
function toBrokerError(err: FastifyError | BrokerError | Error): BrokerError {
  if (err instanceof BrokerError) return err;
  const code = (err as FastifyError).code;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new BrokerError('body_too_large', err.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new BrokerError('unsupported_media_type', err.message);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new BrokerError('malformed_json', err.message);
  }
  const status = (err as FastifyError).statusCode;
  if (status === 400) return new BrokerError('bad_request', err.message);
  if (status === 413) return new BrokerError('body_too_large', err.message);
  if (status === 415) return new BrokerError('unsupported_media_type', err.message);
  return new BrokerError('internal', 'internal error');
}

export function registerErrorHandling(app: FastifyInstance, ctx: HttpContext): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    // The connection is gone (the client left, or a request timeout closed it): there is no
    // one to answer, and nothing went wrong in the broker.
    if (reply.raw.destroyed) return;
    const error = toBrokerError(err);
    if (error.code === 'internal') ctx.log.error({ err, url: request.url }, 'request failed');
    if (request.ingress) ctx.metrics.eventsRejected.inc({ ingress: request.ingress, reason: error.code });
    if (error.retryAfter !== undefined) void reply.header('retry-after', String(error.retryAfter));
    const status = httpStatusOf(error.code);
    if (status === 401) void reply.header('www-authenticate', 'Bearer');
    // Answered before the whole body arrived (refused by a check before reading, or while
    // reading): closing the connection after the answer is what keeps the broker from reading
    // the rest, which keep-alive would require, only to throw it away.
    if (!request.raw.complete) void reply.header('connection', 'close');
    void reply.code(status).type('application/json').send(error.toJSON());
  });
  app.setNotFoundHandler((request, reply) => {
    const known = [
      '/events',
      '/healthz',
      '/readyz',
      '/metrics',
      '/admin/deadletters',
      '/admin/deadletters/replay',
      '/admin/deadletters/purge',
      '/admin/explain',
    ].includes(request.url.split('?')[0] ?? '');
    const error = known
      ? new BrokerError('method_not_allowed', `${request.method} is not allowed on ${request.url}`)
      : new BrokerError('not_found', `no route ${request.method} ${request.url}`);
    void reply.code(httpStatusOf(error.code)).type('application/json').send(error.toJSON());
  });
}
