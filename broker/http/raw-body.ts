import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { BrokerError } from '../errors.js';
import { BodyBudget, type BodyLease } from './body-budget.js';

/**
 * Every request body is read as raw bytes, whatever its content type: the CloudEvents binding
 * decides what the bytes mean, a webhook signature is computed over them exactly as sent,
 * and a binary payload must leave the broker byte-identical. The size limit is read from the
 * current configuration at each request, so a reload can change it.
 *
 * The bytes of all bodies held at once are bounded too (`maxBodyBytesInFlight`, never below
 * one body of the size limit): a body is counted from the start of its reading (its declared
 * length; a chunked body as its chunks arrive) until its response is done, since the handler
 * holds it until then. A body beyond the bound is refused with `unavailable` before it is read;
 * errors.ts closes the connection of any answer sent before the whole body arrived, so the
 * unread rest is never drained.
 */
export function registerRawBody(
  app: FastifyInstance,
  maxBodyBytes: () => number,
  maxBodyBytesInFlight: number,
): void {
  const budget = new BodyBudget(() => Math.max(maxBodyBytesInFlight, maxBodyBytes()));
  const leases = new WeakMap<IncomingMessage, BodyLease>();
  // preParsing runs after the onRequest checks (bearer token, webhook Source), so a request
  // refused by them never takes any of the budget. 'close' comes whether the response was sent
  // or the connection died first.
  app.addHook('preParsing', async (request, reply, payload) => {
    const lease = budget.lease();
    leases.set(request.raw, lease);
    reply.raw.once('close', lease.release);
    return payload;
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request, payload, done) => {
    const limit = maxBodyBytes();
    const lease = leases.get(request.raw)!;
    const declared = Number(request.headers['content-length']);
    const known = Number.isFinite(declared);
    if (known && declared > limit) {
      done(
        new BrokerError('body_too_large', `the body is ${declared} bytes; the limit is ${limit}`),
        undefined,
      );
      return;
    }
    if (known && !lease.take(declared)) {
      done(busy(), undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    payload.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        done(new BrokerError('body_too_large', `the body exceeds the limit of ${limit} bytes`), undefined);
        return;
      }
      if (!known && !lease.take(chunk.length)) {
        failed = true;
        done(busy(), undefined);
        return;
      }
      chunks.push(chunk);
    });
    payload.on('end', () => {
      if (!failed) done(null, Buffer.concat(chunks, size));
    });
    payload.on('error', (err) => {
      if (!failed) {
        failed = true;
        done(err, undefined);
      }
    });
  });
}

function busy(): BrokerError {
  return new BrokerError('unavailable', 'the broker holds as many request bodies as it takes at once', {
    retryAfter: 1,
  });
}
