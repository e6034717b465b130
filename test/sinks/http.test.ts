import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../broker/cloudevents/event.js';
import { HttpSink, parseRetryAfter } from '../../sinks/http/http-sink.js';

let server: Server;
let base = '';
let last: { headers: IncomingHttpHeaders; body: string } | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      last = { headers: req.headers, body: Buffer.concat(chunks).toString() };
      const status = Number(req.url?.slice(1).split('?')[0]);
      if (req.url?.includes('hang')) return; // never answers
      if (req.url?.includes('retry-after')) res.setHeader('retry-after', '7');
      res.writeHead(status || 200).end(status >= 400 ? 'boom\n  details' : '');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const event: CloudEvent = {
  attributes: {
    specversion: '1.0',
    id: 'x1',
    source: '/s',
    type: 't',
    subject: 'a b%',
    datacontenttype: 'application/json',
  },
  data: { kind: 'json', value: { a: 1 } },
};
const deliver = (path: string, format: 'binary' | 'structured' = 'binary', timeoutMs = 2000) =>
  new HttpSink({ uri: `${base}${path}`, format }).deliver(event, {
    signal: new AbortController().signal,
    timeoutMs,
  });

describe('HttpSink', () => {
  it('succeeds on any 2xx and sends binary mode with percent-encoded headers', async () => {
    expect(await deliver('/204')).toEqual({ kind: 'ok', detail: { protocol: 'http', code: 204 } });
    expect(last!.headers['ce-subject']).toBe('a%20b%25'); // http-binding.md 3.1.3.2: space and % are encoded
    expect(last!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(last!.body)).toEqual({ a: 1 });
  });

  it('sends structured mode on request', async () => {
    await deliver('/200', 'structured');
    expect(last!.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    expect(JSON.parse(last!.body)).toMatchObject({ id: 'x1', subject: 'a b%', data: { a: 1 } });
  });

  it.each([500, 502, 503, 408, 429])('treats %d as retryable', async (status) => {
    const outcome = await deliver(`/${status}`);
    expect(outcome.kind).toBe('retryable');
    expect(outcome.detail).toEqual({ protocol: 'http', code: status });
  });

  it.each([400, 401, 404, 410, 422, 301])('treats %d as permanent', async (status) => {
    const outcome = await deliver(`/${status}`);
    expect(outcome).toMatchObject({ kind: 'permanent', detail: { protocol: 'http', code: status } });
  });

  it('keeps a short, one-line excerpt of the error body', async () => {
    const outcome = await deliver('/500');
    expect(outcome).toMatchObject({ error: 'HTTP 500: boom details' });
  });

  it('honours Retry-After on a retryable answer', async () => {
    expect(await deliver('/503?retry-after')).toMatchObject({ kind: 'retryable', retryAfterMs: 7000 });
  });

  it('turns a timeout and a refused connection into retryable outcomes with no protocol status', async () => {
    const timedOut = await deliver('/hang', 'binary', 200);
    expect(timedOut).toMatchObject({ kind: 'retryable', error: 'timed out after 200 ms' });
    expect(timedOut.detail).toBeUndefined();
    const refused = await new HttpSink({ uri: 'http://127.0.0.1:9/x', format: 'binary' }).deliver(event, {
      signal: new AbortController().signal,
      timeoutMs: 2000,
    });
    expect(refused).toMatchObject({ kind: 'retryable' });
    expect(refused.detail).toBeUndefined();
    expect((refused as { error: string }).error).toContain('ECONNREFUSED');
  });

  it('throws instead of reporting an outcome when the caller aborts (shutdown hand-back)', async () => {
    const controller = new AbortController();
    const pending = new HttpSink({ uri: `${base}/hang`, format: 'binary' }).deliver(event, {
      signal: controller.signal,
      timeoutMs: 10_000,
    });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toThrow();
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and caps them at an hour', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter(new Date(Date.now() + 30_000).toUTCString())).toBeGreaterThan(25_000);
    expect(parseRetryAfter('999999')).toBe(3_600_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
