import type { FastifyInstance } from 'fastify';
import { BrokerError } from '../errors.js';

/**
 * Every request body is read as raw bytes, whatever its content type: the CloudEvents binding
 * decides what the bytes mean, a webhook signature is computed over them exactly as sent,
 * and a binary payload must leave the broker byte-identical. The size limit is read from the
 * current configuration at each request, so a reload can change it.
 */
export function registerRawBody(app: FastifyInstance, maxBodyBytes: () => number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request, payload, done) => {
    const limit = maxBodyBytes();
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      done(
        new BrokerError('body_too_large', `the body is ${declared} bytes; the limit is ${limit}`),
        undefined,
      );
      payload.resume();
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
