import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { BrokerError } from '../errors.js';
import type { HttpLimits } from './limits.js';
import type { RejectionLog } from './rejection-log.js';
import { httpStatusOf } from './status.js';

/**
 * How long a socket we answered still reads (and discards) what the client keeps sending before
 * it is destroyed. Destroying it at once, with request bytes still unread, makes the kernel send
 * a reset that can overtake the answer, and the client sees a reset instead of the error.
 */
const LINGER_MS = 2_000;

/**
 * Requests Node's HTTP parser refuses before fastify sees them: a header section too large, a
 * request that is not HTTP, a request that did not arrive in time (limits.ts). Node's and
 * fastify's default answers have neither the broker's JSON error body nor `Connection: close`,
 * so a keep-alive client would send its next request on a socket that is about to be reset.
 * This answers with both, as a raw HTTP/1.1 response, since no fastify reply exists here.
 */
export function createClientErrorHandler(
  limits: Readonly<HttpLimits>,
  log: Logger,
  rejections?: RejectionLog,
): (err: Error & { code?: string }, socket: Socket) => void {
  return (err, socket) => {
    // The client is gone: nothing to answer.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    // Answered already: every chunk the client still sends is refused again by the failed parser.
    if (!socket.writable) return;
    // A response already under way on this socket cannot be followed by another one. Node's own
    // handler makes the same check, through the same field.
    const current = (socket as Socket & { _httpMessage?: { headersSent: boolean } })._httpMessage;
    if (current?.headersSent) {
      socket.destroy();
      return;
    }
    const error = toBrokerError(err, limits);
    log.debug({ code: err.code, answer: error.code }, 'refused a request the HTTP parser could not take');
    rejections?.refused({
      code: error.code,
      status: httpStatusOf(error.code),
      ingress: 'none',
      request: '(not parsed)',
      client: socket.remoteAddress,
      detail: error.detail,
    });
    socket.end(rawResponse(error));
    const linger = setTimeout(() => socket.destroy(), LINGER_MS);
    linger.unref();
    socket.once('close', () => clearTimeout(linger));
  };
}

function toBrokerError(err: Error & { code?: string }, limits: Readonly<HttpLimits>): BrokerError {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new BrokerError(
        'headers_too_large',
        `the request's header section is larger than ${maxHeaderSize} bytes`,
      );
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new BrokerError(
        'request_timeout',
        `the request did not arrive in time: ${limits.headersTimeoutMs / 1000} s for the header section, ` +
          `${limits.requestTimeoutMs / 1000} s for the whole request`,
      );
    default:
      return new BrokerError(
        'bad_request',
        `the request is not valid HTTP/1.1 (${err.code ?? 'parse error'})`,
      );
  }
}

function rawResponse(error: BrokerError): string {
  const status = httpStatusOf(error.code);
  const body = JSON.stringify(error.toJSON());
  const retryAfter = error.retryAfter === undefined ? '' : `Retry-After: ${error.retryAfter}\r\n`;
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    retryAfter +
    'Connection: close\r\n\r\n' +
    body
  );
}
