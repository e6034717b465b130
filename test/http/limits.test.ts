import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { gatedIntake, startHttpServer } from './in-process.js';
import { type RawConnection, rawConnect } from './raw-http.js';

/**
 * What keeps slow or many clients from holding the broker's memory and sockets: request
 * timeouts and the bound on request bodies in flight, against the real HTTP server with limits
 * small enough for a test.
 */
describe('HTTP limits', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const start = async (options: Parameters<typeof startHttpServer>[0]) => {
    const server = await startHttpServer(options);
    cleanups.push(() => server.app.close());
    return server;
  };
  const open = async (port: number): Promise<RawConnection> => {
    const conn = await rawConnect(port);
    cleanups.push(() => {
      conn.socket.destroy();
    });
    return conn;
  };
  /** Writes one byte every `everyMs` until the socket closes; returns how many were written. */
  const trickle = (conn: RawConnection, byte: string, everyMs: number): (() => number) => {
    let sent = 0;
    const timer = setInterval(() => {
      if (conn.socket.destroyed || conn.socket.writableEnded) return clearInterval(timer);
      conn.write(byte);
      sent += 1;
    }, everyMs);
    cleanups.push(() => clearInterval(timer));
    return () => sent;
  };
  const timeouts = { headersTimeoutMs: 500, requestTimeoutMs: 1000, timeoutCheckIntervalMs: 100 };

  it('cuts off a body trickled slower than the request timeout allows', async () => {
    const hook = gatedIntake();
    hook.open();
    const { port } = await start({ limits: timeouts, intakes: { hook: hook.intake } });
    const conn = await open(port);
    conn.write('POST /webhooks/hook HTTP/1.1\r\nHost: broker\r\nContent-Length: 1000\r\n\r\n');
    // 1000 bytes at 10 per second would take 100 s: only the timeout ends this request.
    const sent = trickle(conn, 'x', 100);
    const res = await conn.response();
    expect(res.status).toBe(408);
    expect(res.headers['connection']).toBe('close');
    expect(JSON.parse(res.body)).toMatchObject({ error: 'request_timeout' });
    await conn.closed();
    expect(sent()).toBeLessThan(1000);
    expect(hook.arrived()).toBe(0);
  });

  it('cuts off a header section trickled slower than the headers timeout allows', async () => {
    const { port } = await start({ limits: timeouts });
    const conn = await open(port);
    conn.write('GET /healthz HTTP/1.1\r\nHost: broker\r\nX-Slow: ');
    trickle(conn, 'a', 100);
    const res = await conn.response();
    expect(res.status).toBe(408);
    expect(res.headers['connection']).toBe('close');
    expect(JSON.parse(res.body)).toMatchObject({ error: 'request_timeout' });
    await conn.closed();
  });

  it('refuses a body beyond the bytes in flight with 503 and Retry-After, before reading it', async () => {
    const hook = gatedIntake();
    // Room for two bodies of 1000 bytes, not three.
    const { port, url } = await start({
      maxBodyBytes: 1000,
      limits: { maxBodyBytesInFlight: 2500 },
      intakes: { hook: hook.intake },
    });
    // Closing the server waits for the held requests: release them first, even on a failure.
    cleanups.push(() => hook.open());
    const body = 'x'.repeat(1000);
    const post = () =>
      request(`${url}/webhooks/hook`, { method: 'POST', body }).then(async (res) => {
        await res.body.dump();
        return res.statusCode;
      });
    // Two requests whose bodies were read and are held by their handlers.
    const held = [post(), post()];
    await hook.waitForArrivals(2);

    const third = await open(port);
    third.write('POST /webhooks/hook HTTP/1.1\r\nHost: broker\r\nContent-Length: 1000\r\n\r\n');
    const refused = await third.response();
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers['connection']).toBe('close');
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'unavailable' });
    await third.closed();

    // A chunked body has no declared length: it is refused once its chunks pass the bound.
    const chunked = await open(port);
    chunked.write(
      'POST /webhooks/hook HTTP/1.1\r\nHost: broker\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n' +
        'y'.repeat(600) +
        '\r\n',
    );
    const refusedChunked = await chunked.response();
    expect(refusedChunked.status).toBe(503);
    expect(refusedChunked.headers['retry-after']).toBe('1');
    expect(hook.arrived()).toBe(2);

    // Once the held requests are answered their bytes are given back: a body fits again.
    hook.open();
    expect(await Promise.all(held)).toEqual([202, 202]);
    expect(await post()).toBe(202);
  });
});
