import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BrokerProcess,
  scratch,
  sourceYaml,
  startBroker,
  startFunction,
  subscriptionYaml,
} from './support.js';

const GITHUB_SECRET = 'gh-secret-for-tests';
const STRIPE_SECRET = 'whsec_test_secret';
const BEARER = 'token-from-file-123';

/** POST /webhooks/{source} and bearer auth on POST /events, through the real CLI. */
describe('webhooks and auth', () => {
  const dir = scratch();
  let broker: BrokerProcess;
  let fn: Awaited<ReturnType<typeof startFunction>>;

  beforeAll(async () => {
    fn = await startFunction();
    writeFileSync(join(dir.dir, 'bearer.txt'), `${BEARER}\n`);
    dir.write(
      'broker.yaml',
      `apiVersion: trigger-broker/v1\nkind: Broker\nmetadata: { name: b }\nspec:\n  auth: { tokens: [ { fromFile: ${join(dir.dir, 'bearer.txt')} } ] }\n  abuseProtection: { allowedOrigins: [ hooks.example.com ], allowedRate: 60 }\n`,
    );
    dir.write(
      'github.yaml',
      sourceYaml('gh', { webhook: { preset: 'github', signature: { secret: { fromEnv: 'GH_SECRET' } } } }),
    );
    dir.write(
      'stripe.yaml',
      sourceYaml('stripe', {
        webhook: {
          signature: {
            secret: { fromEnv: 'STRIPE_SECRET' },
            header: 'Stripe-Signature',
            algorithm: 'sha256',
            prefix: 'v1=',
            encoding: 'hex',
            timestamp: { header: 'Stripe-Signature', toleranceSeconds: 300 },
          },
        },
        ce: {
          type: 'com.stripe.${body.type}',
          source: '/stripe/${body.account}',
          id: '${body.id}',
          subject: '${body.data.object.id}',
        },
      }),
    );
    dir.write(
      'shop.yaml',
      sourceYaml('shop', {
        webhook: {},
        ce: {
          type: 'com.example.shop.${body.kind}',
          source: '/shop/${query.tenant}',
          subject: '${body.order.id}',
          id: '${headers.x-request-id}',
          extensions: { channel: '${headers.x-channel}' },
        },
      }),
    );
    dir.write('all.yaml', subscriptionYaml('all', { sink: { uri: `${fn.url}/all` } }));
    broker = await startBroker(dir.config, dir.data, { GH_SECRET: GITHUB_SECRET, STRIPE_SECRET });
  });
  afterAll(async () => {
    await broker?.stop();
    await fn?.close();
    dir.dispose();
  });

  const post = (path: string, headers: Record<string, string>, body: string) =>
    request(`${broker.url}${path}`, { method: 'POST', headers, body }).then(async (res) => ({
      status: res.statusCode,
      headers: res.headers,
      json: JSON.parse((await res.body.text()) || 'null'),
    }));
  const delivered = (id: string) =>
    fn.waitFor(1, 15_000, (r) => r.headers['ce-id'] === id).then((r) => r[0]!);

  const pushPayload = JSON.stringify({
    ref: 'refs/heads/main',
    head_commit: { id: 'abc123', timestamp: '2026-11-23T10:00:00Z' },
    repository: {
      full_name: 'octo/repo',
      url: 'https://api.github.com/repos/octo/repo',
      html_url: 'https://github.com/octo/repo',
    },
    sender: { login: 'octocat', url: 'https://api.github.com/users/octocat' },
  });
  const githubSignature = (body: string, secret = GITHUB_SECRET) =>
    `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

  it('maps a signed GitHub push with the github preset', async () => {
    const res = await post(
      '/webhooks/gh',
      {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': 'gh-1',
        'x-hub-signature-256': githubSignature(pushPayload),
      },
      pushPayload,
    );
    expect(res.status).toBe(202);
    const got = await delivered('gh-1');
    expect(got.headers['ce-type']).toBe('com.github.push');
    expect(got.headers['ce-source']).toBe('https://api.github.com/repos/octo/repo');
    expect(got.body.toString()).toBe(pushPayload);
    expect(got.headers['content-type']).toBe('application/json');
  });

  it('refuses a GitHub delivery with a wrong or missing signature, storing nothing', async () => {
    const bad = await post(
      '/webhooks/gh',
      {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': 'gh-bad',
        'x-hub-signature-256': githubSignature(pushPayload, 'wrong'),
      },
      pushPayload,
    );
    expect(bad.status).toBe(401);
    expect(bad.json.error).toBe('bad_signature');
    // A signature is no bearer token: only `unauthorized` names the Bearer scheme.
    expect(bad.headers['www-authenticate']).toBeUndefined();
    expect(JSON.stringify(bad.json)).not.toContain(GITHUB_SECRET);
    const missing = await post(
      '/webhooks/gh',
      { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'gh-none' },
      pushPayload,
    );
    expect(missing.status).toBe(401);
    // A body changed after signing fails too.
    const tampered = await post(
      '/webhooks/gh',
      {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': 'gh-tampered',
        'x-hub-signature-256': githubSignature(pushPayload),
      },
      pushPayload.replace('main', 'evil'),
    );
    expect(tampered.status).toBe(401);
    expect(tampered.headers['www-authenticate']).toBeUndefined();
    // Logged once at info with its reason and where it came from; the two after it within 10 s
    // are only counted (a summary line follows later), and no line holds the body.
    const refused = broker.logs.filter(
      (l) => l['msg'] === 'request refused' && l['reason'] === 'bad_signature',
    );
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({
      level: 30,
      status: 401,
      ingress: 'webhook:gh',
      request: 'POST /webhooks/gh',
      client: '127.0.0.1',
    });
    expect(broker.logs.filter((l) => JSON.stringify(l).includes('refs/heads/'))).toEqual([]);
    await post(
      '/webhooks/shop?tenant=t',
      { 'content-type': 'application/json', 'x-request-id': 'after-bad-sig' },
      '{"kind":"x","order":{"id":"o"}}',
    );
    await delivered('after-bad-sig');
    expect(
      fn.received.some(
        (r) => String(r.headers['ce-id']).startsWith('gh-bad') || r.headers['ce-id'] === 'gh-tampered',
      ),
    ).toBe(false);
  });

  const stripeBody = JSON.stringify({
    id: 'evt_1',
    type: 'invoice.paid',
    account: 'acct_9',
    data: { object: { id: 'in_77' } },
  });
  const stripeHeader = (t: number, body = stripeBody) =>
    `t=${t},v1=${createHmac('sha256', STRIPE_SECRET).update(`${t}.${body}`).digest('hex')}`;

  it('accepts a timestamped Stripe-style signature inside the tolerance window', async () => {
    const now = Math.floor(Date.now() / 1000);
    const res = await post(
      '/webhooks/stripe',
      { 'content-type': 'application/json', 'stripe-signature': stripeHeader(now) },
      stripeBody,
    );
    expect(res.status).toBe(202);
    const got = await delivered('evt_1');
    expect(got.headers['ce-type']).toBe('com.stripe.invoice.paid');
    expect(got.headers['ce-source']).toBe('/stripe/acct_9');
    expect(got.headers['ce-subject']).toBe('in_77');
  });

  it('refuses a replayed Stripe request whose timestamp is outside the window', async () => {
    const old = Math.floor(Date.now() / 1000) - 3600;
    const res = await post(
      '/webhooks/stripe',
      { 'content-type': 'application/json', 'stripe-signature': stripeHeader(old) },
      stripeBody,
    );
    expect(res.status).toBe(401);
    expect(res.json.error).toBe('stale_signature');
  });

  it('maps a raw payload with ce templates over body, headers and query', async () => {
    const res = await post(
      '/webhooks/shop?tenant=eu-1',
      { 'content-type': 'application/json', 'x-request-id': 'shop-1', 'x-channel': 'web' },
      '{"kind":"order.created","order":{"id":"A-1001"}}',
    );
    expect(res.status).toBe(202);
    const got = await delivered('shop-1');
    expect(got.headers['ce-type']).toBe('com.example.shop.order.created');
    expect(got.headers['ce-source']).toBe('/shop/eu-1');
    expect(got.headers['ce-subject']).toBe('A-1001');
    expect(got.headers['ce-channel']).toBe('web');
  });

  it('refuses a payload that lacks what a required template needs', async () => {
    const res = await post(
      '/webhooks/shop?tenant=t',
      { 'content-type': 'application/json', 'x-request-id': 'shop-2' },
      '{"order":{"id":"A"}}',
    );
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('mapping_failed');
    expect(res.json.detail).toContain('body.kind');
  });

  it('refuses a JSON payload nested 10,000 levels deep, and accepts the next one', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const res = await post(
      '/webhooks/shop?tenant=t',
      { 'content-type': 'application/json', 'x-request-id': 'shop-deep' },
      `{"kind":"order.created","order":{"id":"A"},"lines":${deep}}`,
    );
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.json).toEqual({
      error: 'malformed_json',
      detail: 'the webhook payload is nested deeper than 1000 levels of arrays and objects',
    });
    const next = await post(
      '/webhooks/shop?tenant=t',
      { 'content-type': 'application/json', 'x-request-id': 'shop-after-deep' },
      '{"kind":"order.created","order":{"id":"B"}}',
    );
    expect(next.status).toBe(202);
    await delivered('shop-after-deep');
    expect(fn.received.some((r) => r.headers['ce-id'] === 'shop-deep')).toBe(false);
  });

  it('keeps the attributes of a request that already is a CloudEvent', async () => {
    const res = await post(
      '/webhooks/shop?tenant=t',
      {
        'ce-specversion': '1.0',
        'ce-id': 'native-1',
        'ce-source': '/native',
        'ce-type': 'native.type',
        'content-type': 'text/plain',
      },
      'hello',
    );
    expect(res.status).toBe(202);
    const got = await delivered('native-1');
    expect(got.headers['ce-type']).toBe('native.type');
    expect(got.body.toString()).toBe('hello');
  });

  it('answers 404 for an unknown source', async () => {
    const res = await post('/webhooks/nope', { 'content-type': 'application/json' }, '{}');
    expect(res.status).toBe(404);
    expect(res.json.error).toBe('unknown_source');
  });

  it('requires the bearer token on POST /events when the Broker sets auth', async () => {
    const event = { 'ce-specversion': '1.0', 'ce-id': 'auth-1', 'ce-source': '/a', 'ce-type': 'auth.test' };
    const none = await post('/events', event, '');
    expect(none.status).toBe(401);
    expect(none.json.error).toBe('unauthorized');
    expect(none.headers['www-authenticate']).toBe('Bearer');
    const wrong = await post('/events', { ...event, authorization: 'Bearer nope' }, '');
    expect(wrong.status).toBe(401);
    const right = await post('/events', { ...event, authorization: `Bearer ${BEARER}` }, '');
    expect(right.status).toBe(202);
    await delivered('auth-1');
  });

  it('answers the handshake only for allowed origins, with the allowed rate', async () => {
    const allowed = await request(`${broker.url}/webhooks/shop`, {
      method: 'OPTIONS',
      headers: { 'webhook-request-origin': 'hooks.example.com', 'webhook-request-rate': '120' },
    });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.headers['webhook-allowed-origin']).toBe('hooks.example.com');
    expect(allowed.headers['webhook-allowed-rate']).toBe('60');
    await allowed.body.dump();
    const denied = await request(`${broker.url}/webhooks/shop`, {
      method: 'OPTIONS',
      headers: { 'webhook-request-origin': 'evil.example.net' },
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.headers['webhook-allowed-origin']).toBeUndefined();
    await denied.body.dump();
  });

  it('never writes a secret into its logs', () => {
    const all = JSON.stringify(broker.logs) + broker.stderr();
    expect(all).not.toContain(GITHUB_SECRET);
    expect(all).not.toContain(STRIPE_SECRET);
    expect(all).not.toContain(BEARER);
  });
});
