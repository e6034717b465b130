/**
 * The knative sink against real local functions: the shared sink contract, and replies read
 * from a function built on the official CloudEvents JavaScript SDK in both content modes.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent as BrokerEvent } from '../../broker/cloudevents/event.js';
import type { PathSegment } from '../../broker/config/yaml-document.js';
import type { DeliveryOutcome, Sink } from '../../broker/ports/sink.js';
import { type KnativeSinkSpec, knativeSink } from '../../sinks/knative/index.js';
import { sinkContract } from './contract.js';
import { CloudEvent, type SdkFunction, startSdkFunction } from './sdk-function.js';

const STATUS = { ok: 202, retryable: 503, permanent: 422 } as const;
const received: string[] = [];
const requests: { headers: IncomingHttpHeaders; body: Buffer }[] = [];
let plain: Server;
let plainUrl = '';
let sdk: SdkFunction;

beforeAll(async () => {
  plain = createServer((req, res) => {
    const id = req.headers['ce-id'];
    if (typeof id === 'string') received.push(id);
    const behaviour = req.url?.slice(1) as keyof typeof STATUS | 'hang';
    if (behaviour === 'hang') return;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(STATUS[behaviour] ?? 500).end(behaviour === 'ok' ? '' : `answered ${behaviour}`);
    });
  });
  plain.listen(0, '127.0.0.1');
  await once(plain, 'listening');
  plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  // Answers by the event's type: what a function written with the SDK answers.
  sdk = await startSdkFunction((event) => {
    const reply = new CloudEvent({
      id: `reply-to-${event.id}`,
      source: '/functions/invoicer',
      type: 'com.example.invoice',
      subject: 'inv-1',
      data: { order: event.data, total: 12.5 },
    });
    switch (event.type) {
      case 'com.example.order.binary':
        return { reply, mode: 'binary' };
      case 'com.example.order.structured':
        return { reply, mode: 'structured' };
      case 'com.example.order.text':
        return { status: 200, body: 'thanks!', headers: { 'content-type': 'text/plain' } };
      case 'com.example.order.batch':
        return {
          status: 200,
          body: JSON.stringify([{ specversion: '1.0', id: 'b', source: '/x', type: 't' }]),
          headers: { 'content-type': 'application/cloudevents-batch+json' },
        };
      case 'com.example.order.bad':
        return {
          status: 200,
          body: JSON.stringify({ specversion: '1.0', source: '/x', type: 't' }),
          headers: { 'content-type': 'application/cloudevents+json' },
        };
      case 'com.example.order.big':
        return {
          reply: new CloudEvent({ source: '/x', type: 't', data: 'x'.repeat(5_000) }),
          mode: 'binary',
        };
      default:
        return undefined;
    }
  });
});
afterAll(async () => {
  plain.closeAllConnections();
  plain.close();
  await sdk.close();
});

function build(spec: KnativeSinkSpec): Sink {
  const problems: string[] = [];
  const sink = knativeSink.build({
    spec,
    path: ['spec', 'sink', 'knative'],
    report: (path: readonly PathSegment[], message: string) => problems.push(`${path.join('.')}: ${message}`),
    secret: () => undefined,
    concurrency: 4,
  });
  if (!sink || problems.length > 0) throw new Error(`knative sink not built: ${problems.join('; ')}`);
  return sink;
}

sinkContract({
  kind: 'knative',
  name: 'knative',
  sink: (behaviour) => build({ uri: `${plainUrl}/${behaviour}` }),
  receivedIds: () => received,
  receivedRequests: () => requests,
});

const order = (type: string, id = `o-${type}`): BrokerEvent => ({
  attributes: { specversion: '1.0', id, source: '/shop', type, datacontenttype: 'application/json' },
  data: { kind: 'json', value: { sku: 'A-1', qty: 2 } },
});
const deliver = (sink: Sink, event: BrokerEvent): Promise<DeliveryOutcome> =>
  sink.deliver(event, { signal: new AbortController().signal, timeoutMs: 5_000 });

describe('knative sink: replies from a CloudEvents SDK function', () => {
  it.each(['binary', 'structured'])(
    'reads a reply sent in %s mode as the event the SDK encoded',
    async (mode) => {
      const outcome = await deliver(build({ uri: sdk.url }), order(`com.example.order.${mode}`));
      expect(outcome.kind).toBe('ok');
      if (outcome.kind !== 'ok' || outcome.reply?.kind !== 'event') throw new Error(JSON.stringify(outcome));
      const reply = outcome.reply.event;
      expect(reply.attributes).toMatchObject({
        id: `reply-to-o-com.example.order.${mode}`,
        source: '/functions/invoicer',
        type: 'com.example.invoice',
        specversion: '1.0',
      });
      expect(reply.attributes['subject']).toBe('inv-1');
      const data =
        reply.data.kind === 'json'
          ? reply.data.value
          : JSON.parse(Buffer.from((reply.data as { bytes: Uint8Array }).bytes).toString());
      expect(data).toEqual({ order: { sku: 'A-1', qty: 2 }, total: 12.5 });
      // The function got the event the broker sent, attributes and data intact.
      const got = sdk.received.find((e) => e.id === `o-com.example.order.${mode}`);
      expect(got?.source).toBe('/shop');
      expect(got?.data).toEqual({ sku: 'A-1', qty: 2 });
    },
  );

  it('takes an empty 2xx answer as no reply', async () => {
    const outcome = await deliver(build({ uri: sdk.url }), order('com.example.order.none'));
    expect(outcome).toEqual({ kind: 'ok', detail: { protocol: 'http', code: 202 } });
  });

  it.each([
    ['com.example.order.text', /not a CloudEvent/],
    ['com.example.order.batch', /not a batch/],
    ['com.example.order.bad', /id/],
  ])('reads a 2xx answer to %s that is not one valid CloudEvent as an invalid reply', async (type, error) => {
    const outcome = await deliver(build({ uri: sdk.url }), order(type));
    expect(outcome.kind).toBe('ok');
    if (outcome.kind !== 'ok' || outcome.reply?.kind !== 'invalid') throw new Error(JSON.stringify(outcome));
    expect(outcome.reply.error).toMatch(error);
  });

  it('refuses a reply longer than maxReplyBytes', async () => {
    const outcome = await deliver(
      build({ uri: sdk.url, maxReplyBytes: 1_000 }),
      order('com.example.order.big'),
    );
    if (outcome.kind !== 'ok' || outcome.reply?.kind !== 'invalid') throw new Error(JSON.stringify(outcome));
    expect(outcome.reply.error).toMatch(/larger than 1000 bytes/);
    const fits = await deliver(build({ uri: sdk.url, maxReplyBytes: 5_000 }), order('com.example.order.big'));
    expect(fits.kind === 'ok' && fits.reply?.kind).toBe('event');
  });

  it('ignores the answer with replies: false, and says so on the sink', async () => {
    const sink = build({ uri: sdk.url, replies: false });
    expect(sink.replies).toBeUndefined();
    expect(build({ uri: sdk.url, maxHops: 3 }).replies).toEqual({ maxHops: 3 });
    const outcome = await deliver(sink, order('com.example.order.binary'));
    expect(outcome).toEqual({ kind: 'ok', detail: { protocol: 'http', code: 200 } });
  });

  it('reports a bad uri at its path', () => {
    const problems: string[] = [];
    knativeSink.build({
      spec: { uri: 'ftp://fn' },
      path: ['spec', 'sink', 'knative'],
      report: (path, message) => problems.push(`${path.join('.')}: ${message}`),
      secret: () => undefined,
      concurrency: 1,
    });
    expect(problems).toEqual(['spec.sink.knative.uri: must be an http:// or https:// URL, not ftp:']);
  });
});
