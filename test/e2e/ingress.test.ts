import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerProcess, scratch, startBroker, startFunction, subscriptionYaml } from './support.js';

/**
 * POST /events through the real CLI: the three content modes of the HTTP binding, attribute
 * and data round trips to a real HTTP function, and every refusal with its JSON body.
 */
describe('POST /events', () => {
  const dir = scratch();
  let broker: BrokerProcess;
  let fn: Awaited<ReturnType<typeof startFunction>>;
  let structuredFn: Awaited<ReturnType<typeof startFunction>>;

  beforeAll(async () => {
    fn = await startFunction();
    structuredFn = await startFunction();
    dir.write(
      'broker.yaml',
      'apiVersion: trigger-broker/v1\nkind: Broker\nmetadata: { name: b }\nspec: { limits: { maxBodyBytes: 65536 } }\n',
    );
    dir.write(
      'binary.yaml',
      subscriptionYaml('to-binary', {
        filters: [{ prefix: { type: 'test.ingress.' } }],
        sink: { uri: `${fn.url}/fn` },
      }),
    );
    dir.write(
      'structured.yaml',
      subscriptionYaml('to-structured', {
        filters: [{ prefix: { type: 'test.ingress.' } }],
        sink: { uri: `${structuredFn.url}/fn`, format: 'structured' },
      }),
    );
    broker = await startBroker(dir.config, dir.data);
  });
  afterAll(async () => {
    await broker?.stop();
    await fn?.close();
    await structuredFn?.close();
    dir.dispose();
  });

  const post = (headers: Record<string, string>, body?: string | Buffer) =>
    request(`${broker.url}/events`, { method: 'POST', headers, body }).then(async (res) => ({
      status: res.statusCode,
      headers: res.headers,
      text: await res.body.text(),
    }));
  const byId = (f: typeof fn, id: string) =>
    f.waitFor(1, 15_000, (r) => r.headers['ce-id'] === id || r.body.toString().includes(`"${id}"`));

  it('accepts binary mode and delivers attributes, extensions and data unchanged', async () => {
    const res = await post(
      {
        'ce-specversion': '1.0',
        'ce-id': 'bin-1',
        'ce-source': '/sensors/7',
        'ce-type': 'test.ingress.binary',
        'ce-subject': 'gr%C3%B6%C3%9Fe 100%25',
        'ce-time': '2026-01-02T03:04:05.678+01:00',
        'ce-traceparent': '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        'ce-comexamplecount': '42',
        'content-type': 'application/json',
      },
      '{"temperature": 21.5}',
    );
    expect(res.status).toBe(202);
    const [got] = await byId(fn, 'bin-1');
    expect(got!.headers['ce-source']).toBe('/sensors/7');
    expect(got!.headers['ce-type']).toBe('test.ingress.binary');
    expect(decodeURIComponent(got!.headers['ce-subject'] as string)).toBe('größe 100%');
    expect(got!.headers['ce-time']).toBe('2026-01-02T03:04:05.678+01:00');
    expect(got!.headers['ce-comexamplecount']).toBe('42');
    expect(got!.headers['ce-traceparent']).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.body.toString()).toBe('{"temperature": 21.5}');
  });

  it('accepts structured mode and delivers it as structured JSON to a structured sink', async () => {
    const event = {
      specversion: '1.0',
      id: 'str-1',
      source: 'https://example.com/orders',
      type: 'test.ingress.structured',
      datacontenttype: 'application/json',
      count: 7,
      flag: true,
      data: { order: 'A-1', lines: [1, 2, 3] },
    };
    const res = await post(
      { 'content-type': 'application/cloudevents+json; charset=utf-8' },
      JSON.stringify(event),
    );
    expect(res.status).toBe(202);
    const [got] = await byId(structuredFn, 'str-1');
    expect(got!.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    const delivered = JSON.parse(got!.body.toString());
    expect(delivered).toEqual(event);
    // and the same event in binary mode to the other subscription
    const [bin] = await byId(fn, 'str-1');
    expect(JSON.parse(bin!.body.toString())).toEqual(event.data);
    expect(bin!.headers['ce-count']).toBe('7');
    expect(bin!.headers['ce-flag']).toBe('true');
  });

  it('round-trips binary data_base64 byte-identically in both delivery modes', async () => {
    const bytes = randomBytes(2048);
    bytes[0] = 0xff; // never valid UTF-8 as a first byte
    const event = {
      specversion: '1.0',
      id: 'b64-1',
      source: '/camera/1',
      type: 'test.ingress.image',
      datacontenttype: 'application/octet-stream',
      data_base64: bytes.toString('base64'),
    };
    expect(
      (await post({ 'content-type': 'application/cloudevents+json' }, JSON.stringify(event))).status,
    ).toBe(202);
    const [bin] = await byId(fn, 'b64-1');
    expect(Buffer.compare(bin!.body, bytes)).toBe(0);
    expect(bin!.headers['content-type']).toBe('application/octet-stream');
    const [str] = await byId(structuredFn, 'b64-1');
    expect(JSON.parse(str!.body.toString()).data_base64).toBe(bytes.toString('base64'));
  });

  it('accepts a batch whole and delivers every event', async () => {
    const events = [1, 2, 3].map((n) => ({
      specversion: '1.0',
      id: `batch-${n}`,
      source: '/batch',
      type: 'test.ingress.batch',
      data: { n },
    }));
    const res = await post({ 'content-type': 'application/cloudevents-batch+json' }, JSON.stringify(events));
    expect(res.status).toBe(202);
    expect(JSON.parse(res.text)).toEqual({ accepted: 3 });
    const got = await fn.waitFor(3, 15_000, (r) => String(r.headers['ce-id']).startsWith('batch-'));
    expect(got.map((r) => r.headers['ce-id']).sort()).toEqual(['batch-1', 'batch-2', 'batch-3']);
  });

  it('refuses a batch whole when one event is invalid, storing none of it', async () => {
    const events = [
      { specversion: '1.0', id: 'whole-1', source: '/batch', type: 'test.ingress.whole' },
      { specversion: '1.0', id: 'whole-2', source: '/batch' },
    ];
    const res = await post({ 'content-type': 'application/cloudevents-batch+json' }, JSON.stringify(events));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ error: 'missing_attribute' });
    expect(JSON.parse(res.text).detail).toContain('type');
    // A later valid event arrives, the refused batch's first event never does.
    await post({
      'ce-specversion': '1.0',
      'ce-id': 'after-whole',
      'ce-source': '/b',
      'ce-type': 'test.ingress.after',
    });
    await byId(fn, 'after-whole');
    expect(fn.received.some((r) => r.headers['ce-id'] === 'whole-1')).toBe(false);
  });

  it.each([
    [
      'malformed JSON',
      { 'content-type': 'application/cloudevents+json' },
      '{"specversion": "1.0",',
      400,
      'malformed_json',
    ],
    [
      'a missing id',
      { 'ce-specversion': '1.0', 'ce-source': '/s', 'ce-type': 't' },
      undefined,
      400,
      'missing_attribute',
    ],
    [
      'a wrong-typed attribute',
      { 'content-type': 'application/cloudevents+json' },
      '{"specversion":"1.0","id":1,"source":"/s","type":"t"}',
      400,
      'invalid_attribute',
    ],
    [
      'a bad time',
      { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't', 'ce-time': 'yesterday' },
      undefined,
      400,
      'invalid_attribute',
    ],
    [
      'an unsupported specversion',
      { 'ce-specversion': '0.3', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't' },
      undefined,
      400,
      'unsupported_specversion',
    ],
    [
      'an invalid extension name',
      { 'content-type': 'application/cloudevents+json' },
      '{"specversion":"1.0","id":"1","source":"/s","type":"t","Bad_Name":"x"}',
      400,
      'invalid_extension_name',
    ],
    [
      'data and data_base64 together',
      { 'content-type': 'application/cloudevents+json' },
      '{"specversion":"1.0","id":"1","source":"/s","type":"t","data":1,"data_base64":"AA=="}',
      400,
      'invalid_data',
    ],
    [
      'plain JSON that is no CloudEvent',
      { 'content-type': 'application/json' },
      '{"hello":"world"}',
      400,
      'missing_attribute',
    ],
    [
      'an XML event format',
      { 'content-type': 'application/cloudevents+xml' },
      '<event/>',
      415,
      'unsupported_media_type',
    ],
    [
      'a body over the limit',
      { 'content-type': 'application/cloudevents+json' },
      JSON.stringify({ pad: 'x'.repeat(70_000) }),
      413,
      'body_too_large',
    ],
  ])('refuses %s with a JSON error', async (_what, headers, body, status, code) => {
    const res = await post(headers as Record<string, string>, body as string | undefined);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const parsed = JSON.parse(res.text);
    expect(parsed.error).toBe(code);
    expect(typeof parsed.detail).toBe('string');
    expect(parsed.detail.length).toBeGreaterThan(5);
  });

  describe('JSON nested deeper than 1,000 levels', () => {
    const arrays = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    const eventJson = (id: string, data: string) =>
      `{"specversion":"1.0","id":"${id}","source":"/deep","type":"test.ingress.deep","data":${data}}`;

    it.each([
      ['structured', 'application/cloudevents+json', eventJson('deep-s', arrays(10_000))],
      ['batched', 'application/cloudevents-batch+json', `[${eventJson('deep-b', arrays(10_000))}]`],
    ])(
      'refuses a %s event whose data nests 10,000 levels, and accepts the next event',
      async (mode, type, body) => {
        const res = await post({ 'content-type': type }, body);
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toMatch(/application\/json/);
        expect(JSON.parse(res.text)).toEqual({
          error: 'malformed_json',
          detail: 'the body is nested deeper than 1000 levels of arrays and objects',
        });
        const next = await post(
          { 'content-type': 'application/cloudevents+json' },
          eventJson(`after-${mode}`, '{"ok":true}'),
        );
        expect(next.status).toBe(202);
        await byId(fn, `after-${mode}`);
      },
    );

    it('accepts 1,000 levels, the event object included, and delivers them intact', async () => {
      const data = arrays(999);
      const res = await post({ 'content-type': 'application/cloudevents+json' }, eventJson('deep-ok', data));
      expect(res.status).toBe(202);
      const [got] = await byId(structuredFn, 'deep-ok');
      expect(JSON.stringify(JSON.parse(got!.body.toString()).data)).toBe(data);
    });
  });

  it('keeps serving after bad input and reports rejections in /metrics', async () => {
    const health = await request(`${broker.url}/healthz`);
    expect(health.statusCode).toBe(200);
    await health.body.dump();
    const metrics = await (await request(`${broker.url}/metrics`)).body.text();
    expect(metrics).toMatch(
      /trigger_broker_events_rejected_total\{ingress="events",reason="malformed_json"\} [1-9]/,
    );
    expect(metrics).toMatch(/trigger_broker_events_accepted_total\{ingress="events"\} [1-9]/);
    expect(metrics).toMatch(/trigger_broker_deliveries_total\{subscription="to-binary",outcome="ok"\} [1-9]/);
    expect(metrics).toMatch(/trigger_broker_delivery_duration_seconds_bucket/);
    expect(metrics).toMatch(/trigger_broker_queue_depth\{subscription="to-binary"\} \d+/);
  });

  it('answers unknown routes 404 and wrong methods 405, in JSON', async () => {
    const missing = await request(`${broker.url}/nope`, { method: 'POST', body: 'x' });
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(await missing.body.text()).error).toBe('not_found');
    const wrong = await request(`${broker.url}/events`, { method: 'GET' });
    expect(wrong.statusCode).toBe(405);
    expect(JSON.parse(await wrong.body.text()).error).toBe('method_not_allowed');
  });

  it('answers the webhook abuse-protection handshake', async () => {
    const res = await request(`${broker.url}/events`, {
      method: 'OPTIONS',
      headers: { 'webhook-request-origin': 'eventemitter.example.com', 'webhook-request-rate': '120' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['webhook-allowed-origin']).toBe('*');
    expect(res.headers['webhook-allowed-rate']).toBe('*');
    expect(String(res.headers['allow'])).toContain('POST');
    await res.body.dump();
  });
});
