/** The http sink, built through its descriptor, against a real local HTTP function. */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import type { PathSegment } from '../../broker/config/yaml-document.js';
import type { Sink } from '../../broker/ports/sink.js';
import { httpSink } from '../../sinks/http/index.js';
import { sinkContract } from './contract.js';

const STATUS = { ok: 202, retryable: 503, permanent: 422 } as const;
const received: string[] = [];
const requests: { headers: IncomingHttpHeaders; body: Buffer }[] = [];
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const id = req.headers['ce-id'];
    if (typeof id === 'string') received.push(id);
    const behaviour = req.url?.slice(1) as keyof typeof STATUS | 'hang';
    if (behaviour === 'hang') return; // never answers
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(STATUS[behaviour] ?? 500).end(behaviour === 'ok' ? '' : `answered ${behaviour}`);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  server.close();
});

sinkContract({
  kind: 'http',
  name: 'http',
  sink(behaviour) {
    const problems: string[] = [];
    const sink = httpSink.build({
      spec: { uri: `${base}/${behaviour}` },
      path: ['spec', 'sink'],
      report: (path: readonly PathSegment[], message: string) =>
        problems.push(`${path.join('.')}: ${message}`),
      secret: () => undefined,
      concurrency: 4,
    });
    if (!sink || problems.length > 0) throw new Error(`http sink not built: ${problems.join('; ')}`);
    return sink as Sink;
  },
  receivedIds: () => received,
  receivedRequests: () => requests,
});
