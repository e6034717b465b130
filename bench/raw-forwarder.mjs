// The end-to-end benchmark's yardstick (bench/e2e.ts): a raw, non-durable forwarder. A fastify
// route takes each POST /events, forwards its ce-* headers, content-type and body with one undici
// POST to the function, and answers 202 once the function has answered 2xx (502 otherwise). No
// parsing, validation, storage, routing or retry: the least an HTTP-in, HTTP-out hop can do, and
// all it can promise is that the function already had the event when the client got its 202.
// Its own process, like the broker: `node bench/raw-forwarder.mjs <function URL> [connections]`.
import Fastify from 'fastify';
import { Pool } from 'undici';

const target = new URL(process.argv[2]);
// One connection to the function per client connection (64 in the benchmark), so a forward
// never waits for a free one.
const connections = Number(process.argv[3] ?? 64);
const pool = new Pool(target.origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
const path = target.pathname + target.search;

const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
app.post('/events', async (req, reply) => {
  const headers = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('ce-') || name === 'content-type') headers[name] = value;
  }
  const res = await pool.request({ method: 'POST', path, headers, body: req.body });
  await res.body.dump();
  const ok = res.statusCode >= 200 && res.statusCode < 300;
  return reply.code(ok ? 202 : 502).send({ accepted: ok ? 1 : 0 });
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ msg: 'listening', address })}\n`);
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
