import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../broker/cloudevents/event.js';
import { parseRetryAfter } from '../../broker/sink-kit/http-outcome.js';
import { HttpSink } from '../../sinks/http/http-sink.js';

let server: Server;
let base = '';
let last: { headers: IncomingHttpHeaders; body: string } | undefined;
/** Requests to /hang not yet given up by their sender. */
let hanging = 0;
/** Requests to /gather/N waiting for the Nth to arrive; then all are answered at once. */
const gathering: ServerResponse[] = [];
/** The connections the `x-probe` requests came in on, per probe. */
const probes = new Map<string, Socket[]>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      last = { headers: req.headers, body: Buffer.concat(chunks).toString() };
      const probe = req.headers['x-probe'];
      if (typeof probe === 'string') probes.set(probe, [...(probes.get(probe) ?? []), req.socket]);
      const gather = /^\/gather\/(\d+)$/.exec(req.url ?? '');
      if (gather) {
        gathering.push(res);
        if (gathering.length >= Number(gather[1]))
          for (const r of gathering.splice(0)) r.writeHead(200).end();
        return;
      }
      const status = Number(req.url?.slice(1).split('?')[0]);
      if (req.url?.includes('hang')) {
        hanging += 1;
        res.on('close', () => {
          hanging -= 1;
        });
        return; // never answers
      }
      if (req.url?.includes('retry-after')) res.setHeader('retry-after', '7');
      res.writeHead(status || 200).end(status >= 400 ? 'boom\n  details' : '');
    });
  });
  // Idle connections stay open until their sender closes them (Node closes them after 5 s by
  // default), so a test can tell a sink's close() apart from the server's own housekeeping.
  server.keepAliveTimeout = 120_000;
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
  new HttpSink({ uri: `${base}${path}`, format, connections: 1 }).deliver(event, {
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

  it('sends raw UTF-8 header values, nothing escaped, with headerEncoding: utf8', async () => {
    const sink = new HttpSink({
      uri: `${base}/200`,
      format: 'binary',
      headerEncoding: 'utf8',
      connections: 1,
    });
    const utf8Event = {
      ...event,
      attributes: { ...event.attributes, subject: 'café "a b" 100%', myext: '{"a": 5}' },
    };
    await sink.deliver(utf8Event, { signal: new AbortController().signal, timeoutMs: 2000 });
    // Node hands header bytes over as ISO-8859-1: read them back as the UTF-8 they are.
    const raw = (name: string) => Buffer.from(String(last!.headers[name]), 'latin1').toString('utf8');
    expect(raw('ce-subject')).toBe('café "a b" 100%');
    expect(raw('ce-myext')).toBe('{"a": 5}');
    await sink.close();
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
    const refused = await new HttpSink({
      uri: 'http://127.0.0.1:9/x',
      format: 'binary',
      connections: 1,
    }).deliver(event, {
      signal: new AbortController().signal,
      timeoutMs: 2000,
    });
    expect(refused).toMatchObject({ kind: 'retryable' });
    expect(refused.detail).toBeUndefined();
    expect((refused as { error: string }).error).toContain('ECONNREFUSED');
  });

  it('throws instead of reporting an outcome when the caller aborts (shutdown hand-back)', async () => {
    const controller = new AbortController();
    const pending = new HttpSink({ uri: `${base}/hang`, format: 'binary', connections: 1 }).deliver(event, {
      signal: controller.signal,
      timeoutMs: 10_000,
    });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toThrow();
  });
});

/**
 * The connections of one HTTP sink are its own and as many as its subscription's concurrency
 * (docs/architecture.md, "The path of one event").
 */
describe('HttpSink connections', () => {
  /** More than the 256 per origin that one pool shared by every sink used to allow. */
  const MANY = 300;
  const noAbort = new AbortController().signal;

  it('opens as many connections as its concurrency, so no delivery waits for one', async () => {
    // /gather/N answers nobody until N requests are open at once: every delivery succeeds only
    // if none was queued for a connection. A queued one would wait forever, so the 10 s timeout
    // only ends that wait; it is not a latency target.
    const sink = new HttpSink({ uri: `${base}/gather/${MANY}`, format: 'binary', connections: MANY });
    try {
      const outcomes = await Promise.all(
        Array.from({ length: MANY }, () => sink.deliver(event, { signal: noAbort, timeoutMs: 10_000 })),
      );
      expect(outcomes.filter((o) => o.kind !== 'ok')).toEqual([]);
    } finally {
      for (const r of gathering.splice(0)) r.destroy();
      await sink.close();
    }
  });

  it("is not held up by another sink's hanging deliveries to the same origin", async () => {
    const stuck = new HttpSink({ uri: `${base}/hang`, format: 'binary', connections: MANY });
    const healthy = new HttpSink({ uri: `${base}/204`, format: 'binary', connections: 1 });
    const shutdown = new AbortController();
    const pending = Array.from({ length: MANY }, () =>
      stuck.deliver(event, { signal: shutdown.signal, timeoutMs: 60_000 }).catch(() => undefined),
    );
    try {
      // Every connection one shared pool would have had for this origin is now hanging.
      for (let i = 0; hanging < 256; i++) {
        if (i > 400) throw new Error(`only ${hanging} hanging requests arrived`);
        await new Promise((r) => setTimeout(r, 25));
      }
      // Queued behind the hanging ones, the delivery would wait for one of them to give up (60 s
      // at the earliest; a request waiting for a connection does not even see its own timeout).
      // 10 s is only how long we wait before calling that a queue; it is not a latency target.
      const outcome = await within(
        healthy.deliver(event, { signal: noAbort, timeoutMs: 5_000 }),
        10_000,
        'the delivery still waits for a connection',
      );
      expect(outcome).toMatchObject({ kind: 'ok' });
    } finally {
      shutdown.abort();
      await Promise.all(pending);
      await Promise.all([stuck.close(), healthy.close()]);
    }
  });

  it('keeps its connection alive between deliveries and closes it on close()', async () => {
    const sink = new HttpSink({
      uri: `${base}/204`,
      format: 'binary',
      connections: 1,
      headers: { 'x-probe': 'close' },
    });
    for (let i = 0; i < 2; i++)
      expect(await sink.deliver(event, { signal: noAbort, timeoutMs: 2_000 })).toMatchObject({ kind: 'ok' });
    const [socket, again] = probes.get('close')!;
    expect(again).toBe(socket);
    expect(socket!.destroyed).toBe(false);
    const closed = once(socket!, 'close');
    await sink.close();
    // The server keeps idle connections for 120 s: only the sink's close ends this one. 5 s is a
    // deadline for a local close, not a latency target.
    await within(closed, 5_000, 'the connection is still open after close()');
  });
});

/** `promise`, or a rejection saying `what` if it has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(what)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and caps them at an hour', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter(new Date(Date.now() + 30_000).toUTCString())).toBeGreaterThan(25_000);
    expect(parseRetryAfter('999999')).toBe(3_600_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
