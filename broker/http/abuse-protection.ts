import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BrokerSettings } from '../compile/compile.js';
import { BrokerError } from '../errors.js';

/**
 * The CloudEvents webhook validation handshake (http-webhook.md section 4): an OPTIONS
 * request with `WebHook-Request-Origin` is answered 200 with `WebHook-Allowed-Origin` (the
 * origin, or `*` when all are allowed) and `WebHook-Allowed-Rate` (4.2.2: MUST when the
 * request asked for a rate; we always send it: the configured rate or `*`). An origin not on
 * the allowed list gets no consent headers (4.2: a response without them is no consent).
 */
export function answerValidationRequest(
  request: FastifyRequest,
  reply: FastifyReply,
  settings: BrokerSettings,
): void {
  void reply.header('allow', 'POST, OPTIONS');
  const origin = request.headers['webhook-request-origin'];
  if (typeof origin !== 'string' || origin.trim() === '') {
    void reply.code(200).send();
    return;
  }
  const allowAll = settings.allowedOrigins.includes('*');
  if (!allowAll && !settings.allowedOrigins.includes(origin.trim())) {
    throw new BrokerError('forbidden_origin', `origin "${origin.trim()}" is not allowed to send events here`);
  }
  const requestedRate = Number(request.headers['webhook-request-rate']);
  let rate = '*';
  if (settings.allowedRate !== undefined) {
    rate = String(
      Number.isInteger(requestedRate) && requestedRate > 0
        ? Math.min(requestedRate, settings.allowedRate)
        : settings.allowedRate,
    );
  }
  void reply
    .header('webhook-allowed-origin', allowAll ? '*' : origin.trim())
    .header('webhook-allowed-rate', rate)
    .code(200)
    .send();
}
