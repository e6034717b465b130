import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawConnection, rawConnect } from '../http/raw-http.js';
import { type BrokerProcess, scratch, startBroker } from './support.js';

const TOKEN = 'protection-token-1';
const MIB = 1024 * 1024;

/**
 * The HTTP port against clients that would hold its memory or sockets, or that do not speak
 * HTTP, through the real CLI: requests it refuses are refused before their bodies are read,
 * and every refusal has the JSON error body and closes its connection.
 */
describe('HTTP port protection', () => {
  const dir = scratch();
  let broker: BrokerProcess;
  const connections: RawConnection[] = [];
  const open = async () => {
    const conn = await rawConnect(broker.port);
    connections.push(conn);
    return conn;
  };

  beforeAll(async () => {
    dir.write(
      'broker.yaml',
      'apiVersion: trigger-broker/v1\nkind: Broker\nmetadata: { name: b }\nspec: { auth: { tokens: [ { fromEnv: TB_PROTECTION_TOKEN } ] } }\n',
    );
    broker = await startBroker(dir.config, dir.data, { TB_PROTECTION_TOKEN: TOKEN });
  });
  afterAll(async () => {
    for (const conn of connections) conn.socket.destroy();
    await broker?.stop();
    dir.dispose();
  });

  it('answers a POST /events without the token 401 before its body is sent, and closes', async () => {
    const conn = await open();
    // The header section of a 1 MiB body, and none of the body: the answer must not wait for it.
    conn.write(
      `POST /events HTTP/1.1\r\nHost: broker\r\nContent-Type: application/json\r\nContent-Length: ${MIB}\r\n\r\n`,
    );
    const res = await conn.response();
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.headers['connection']).toBe('close');
    expect(JSON.parse(res.body)).toMatchObject({ error: 'unauthorized' });
    await conn.closed();
  });

  it('answers a POST to an unknown webhook Source 404 before its body is sent, and closes', async () => {
    const conn = await open();
    conn.write(`POST /webhooks/nobody HTTP/1.1\r\nHost: broker\r\nContent-Length: ${MIB}\r\n\r\n`);
    const res = await conn.response();
    expect(res.status).toBe(404);
    expect(res.headers['connection']).toBe('close');
    expect(JSON.parse(res.body)).toMatchObject({ error: 'unknown_source' });
    await conn.closed();
  });

  it('answers a header section too large 431 with the JSON error and closes the connection', async () => {
    const conn = await open();
    conn.write(`GET /healthz HTTP/1.1\r\nHost: broker\r\nX-Padding: ${'a'.repeat(100 * 1024)}\r\n\r\n`);
    const res = await conn.response();
    expect(res.status).toBe(431);
    expect(res.headers['connection']).toBe('close');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'headers_too_large', detail: expect.any(String) });
    await conn.closed();
  });

  it('answers a garbage request line 400 with the JSON error and closes the connection', async () => {
    const conn = await open();
    conn.write('THIS IS NOT HTTP\r\n\r\n');
    const res = await conn.response();
    expect(res.status).toBe(400);
    expect(res.headers['connection']).toBe('close');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'bad_request', detail: expect.any(String) });
    await conn.closed();
  });

  it('still reads a 1 MiB body that comes with the token', async () => {
    const data = 'x'.repeat(MIB - 100);
    const res = await request(`${broker.url}/events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'ce-specversion': '1.0',
        'ce-id': 'big-1',
        'ce-source': '/protection',
        'ce-type': 'protection.big',
        'content-type': 'text/plain',
      },
      body: data,
    });
    expect(res.statusCode).toBe(202);
    await res.body.dump();
  });
});
