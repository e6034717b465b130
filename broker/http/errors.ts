import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { BrokerError } from '../errors.js';
import type { HttpContext } from './context.js';
import type { RejectionLog } from './rejection-log.js';
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

/**
 * Every error answer: the broker's JSON body, its status, and a log line for a refused request
 * (`rejections`, rate-limited per code; a failure of the broker's own is an error line instead).
 */
export function registerErrorHandling(
  app: FastifyInstance,
  ctx: HttpContext,
  rejections: RejectionLog,
): void {
  const refused = (request: FastifyRequest, error: BrokerError, status: number): void =>
    rejections.refused({
      code: error.code,
      status,
      ingress: request.ingress ?? 'none',
      request: `${request.method} ${request.url.split('?')[0] ?? ''}`,
      client: request.ip,
      detail: error.detail,
    });
  app.setErrorHandler((err: FastifyError, request, reply) => {
    // The connection is gone (the client left, or a request timeout closed it): there is no
    // one to answer, and nothing went wrong in the broker.
    if (reply.raw.destroyed) return;
    const error = toBrokerError(err);
    if (request.ingress) ctx.metrics.eventsRejected.inc({ ingress: request.ingress, reason: error.code });
    if (error.retryAfter !== undefined) void reply.header('retry-after', String(error.retryAfter));
    const status = httpStatusOf(error.code);
    if (error.code === 'internal') ctx.log.error({ err, url: request.url }, 'request failed');
    else refused(request, error, status);
    // Only the bearer token's refusal names its scheme (RFC 6750 3): a bad webhook signature is
    // no request for a token, and a client told `Bearer` there would look for the wrong fix.
    if (error.code === 'unauthorized') void reply.header('www-authenticate', 'Bearer');
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
      '/admin/status',
      '/console',
      '/console/console.js',
      '/console/console.css',
    ].includes(request.url.split('?')[0] ?? '');
    const error = known
      ? new BrokerError('method_not_allowed', `${request.method} is not allowed on ${request.url}`)
      : new BrokerError('not_found', `no route ${request.method} ${request.url}`);
    refused(request, error, httpStatusOf(error.code));
    void reply.code(httpStatusOf(error.code)).type('application/json').send(error.toJSON());
  });
}
