import { describe, expect, it } from 'vitest';
import { gatedIntake, startHttpServer } from './in-process.js';
import { rawConnect } from './raw-http.js';

/**
 * A request that reaches the server while it closes. Deterministic: the first request of a
 * connection is held in its handler, so the connection is not idle when app.close() closes the
 * idle ones; the second is sent on it once the server has stopped listening and the first is
 * answered, while app.close() still waits for the connection.
 */
describe('HTTP server shutdown', () => {
  it('answers a request arriving during the shutdown 503 with Retry-After and the JSON error', async () => {
    const hook = gatedIntake();
    const { app, port } = await startHttpServer({ intakes: { hook: hook.intake } });
    const conn = await rawConnect(port);
    try {
      conn.write('POST /webhooks/hook HTTP/1.1\r\nHost: broker\r\nContent-Length: 2\r\n\r\n{}');
      await hook.waitForArrivals(1);

      const closed = app.close();
      while (app.server.listening) await new Promise((r) => setImmediate(r));
      hook.open();
      const first = await conn.response();
      expect(first.status).toBe(202);
      // The connection was kept alive by a request that began before the shutdown.
      expect(first.headers['connection']).toBe('keep-alive');
      conn.write('GET /healthz HTTP/1.1\r\nHost: broker\r\n\r\n');
      const second = await conn.response();
      expect(second.status).toBe(503);
      expect(second.headers['retry-after']).toBe('5');
      expect(second.headers['connection']).toBe('close');
      expect(second.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(second.body)).toEqual({
        error: 'unavailable',
        detail: 'the broker is shutting down',
      });
      await conn.closed();
      await closed;
    } finally {
      hook.open();
      conn.socket.destroy();
    }
  });
});
