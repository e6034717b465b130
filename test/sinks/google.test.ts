/**
 * The cloudrun and gcf sinks, built through their descriptors as the configuration compiler
 * builds them, against Google's side played on loopback (test/unit/sinks/google/fake-google.ts:
 * a token endpoint that verifies the signed assertion, a metadata server, a function that
 * verifies the ID token) and against the real Google Cloud Functions Framework.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CloudEvent } from '../../broker/cloudevents/event.js';
import { resolveSecret } from '../../broker/config/secrets.js';
import type { DeliveryOutcome, Sink, SinkDescriptor } from '../../broker/ports/sink.js';
import { cloudFunctionsSink, cloudRunSink, type GoogleSinkSpec } from '../../sinks/google/index.js';
import { freeLoopbackPort, waitFor } from '../harness/index.js';
import {
  type FakeGoogle,
  SERVICE_ACCOUNT_EMAIL,
  SERVICE_ACCOUNT_KEY_ID,
  startFakeGoogle,
} from '../unit/sinks/google/fake-google.js';
import { sinkContract } from './contract.js';

let fake: FakeGoogle;
beforeAll(async () => {
  fake = await startFakeGoogle();
});
afterAll(async () => {
  await fake.close();
});

/** Sinks built by a test, closed after it (the contract's own sinks may hang and are left open). */
const opened: Sink[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((sink) => sink.close?.()));
});

type Descriptor = SinkDescriptor<GoogleSinkSpec>;

/** Builds a sink as the compiler does; secrets resolve from files unless `validateOnly`. */
function build(descriptor: Descriptor, spec: GoogleSinkSpec, { validateOnly = false } = {}) {
  const problems: { path: string; message: string }[] = [];
  const report = (path: readonly (string | number)[], message: string) =>
    problems.push({ path: path.join('.'), message });
  const sink = descriptor.build({
    spec,
    path: ['spec', 'sink', descriptor.kind],
    report,
    secret(ref, path) {
      if (validateOnly) return undefined;
      try {
        return resolveSecret(ref, tmpdir());
      } catch (err) {
        report(path, (err as Error).message);
        return undefined;
      }
    },
    concurrency: 4,
  });
  return { sink, problems };
}

function sinkOf(descriptor: Descriptor, spec: GoogleSinkSpec, { keepOpen = false } = {}): Sink {
  const { sink, problems } = build(descriptor, spec);
  if (!sink || problems.length > 0)
    throw new Error(`${descriptor.kind} sink not built: ${JSON.stringify(problems)}`);
  if (!keepOpen) opened.push(sink);
  return sink;
}

const keyed = (uri: string, tokenPath = '/token/ok/shared'): GoogleSinkSpec => ({
  uri,
  audience: null,
  serviceAccountKey: { fromFile: fake.keyFile(tokenPath) },
});

const event = (id: string, attributes: Record<string, string> = {}): CloudEvent => ({
  attributes: {
    specversion: '1.0',
    id,
    source: '/orders',
    type: 'com.example.order.created',
    subject: 'café',
    datacontenttype: 'application/json',
    ...attributes,
  },
  data: { kind: 'json', value: { order: 42, note: 'crème brûlée' } },
});

const deliver = (sink: Sink, ev: CloudEvent, timeoutMs = 5_000) =>
  sink.deliver(ev, { signal: new AbortController().signal, timeoutMs });

/** The outcome's error, checked to hold no key, assertion or token. */
function errorOf(outcome: DeliveryOutcome): string {
  if (outcome.kind === 'ok') throw new Error('expected a failed outcome');
  expectNoCredentials(outcome.error);
  return outcome.error;
}

function expectNoCredentials(text: string): void {
  expect(text).not.toMatch(/eyJ[\w-]+\./);
  expect(text).not.toContain('PRIVATE KEY');
  for (const line of fake.privateKeyPem.split('\n').filter((l) => l.length > 16))
    expect(text).not.toContain(line);
  for (const credential of fake.credentialsSeen.filter((c) => c !== ''))
    expect(text).not.toContain(credential);
}

/** The contract, against the fake Google: the path picks the function's answer. */
const contractSubject = (descriptor: Descriptor) => ({
  name: descriptor.kind,
  sink: (behaviour: string) =>
    sinkOf(
      descriptor,
      keyed(`${fake.functionBase}/${behaviour}/${descriptor.kind}`, `/token/ok/contract-${descriptor.kind}`),
      { keepOpen: true },
    ),
  receivedIds: () => fake.received.map((call) => String(call.headers['ce-id'])),
  receivedRequests: () => fake.received,
});
sinkContract({ kind: 'cloudrun', ...contractSubject(cloudRunSink) });
sinkContract({ kind: 'gcf', ...contractSubject(cloudFunctionsSink) });

describe('google sinks: delivery', () => {
  it('POSTs binary mode with the ID token the token endpoint issued for the Cloud Run service URL', async () => {
    const sink = sinkOf(cloudRunSink, keyed(`${fake.functionBase}/ok/orders?tenant=7`, '/token/ok/binary'));
    expect(sink.destination).toBe(`${fake.functionBase}/ok/orders?tenant=7`);
    expect(await deliver(sink, event('bin-1'))).toEqual({
      kind: 'ok',
      detail: { protocol: 'http', code: 204 },
    });

    const call = fake.received.find((c) => c.headers['ce-id'] === 'bin-1')!;
    expect(call.path).toBe('/ok/orders?tenant=7');
    expect(call.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-source': '/orders',
      'ce-type': 'com.example.order.created',
      'ce-subject': 'caf%C3%A9', // http-binding 3.1.3.2: non-ASCII is percent-encoded UTF-8
      'content-type': 'application/json',
    });
    expect(JSON.parse(call.body.toString('utf8'))).toEqual({ order: 42, note: 'crème brûlée' });
    // Cloud Run checks the token's audience against the service URL, not the route inside it.
    expect(call.audience).toBe(fake.functionBase);
  });

  it('signs the assertion as Google requires: RS256 by the key, iss = sub = the account, aud = token_uri, an hour, kid', async () => {
    const before = fake.assertions.length;
    const sink = sinkOf(cloudRunSink, keyed(`${fake.functionBase}/ok/claims`, '/token/ok/claims'));
    expect((await deliver(sink, event('claims-1'))).kind).toBe('ok');
    const [{ claims, kid }] = fake.assertions.slice(before) as [(typeof fake.assertions)[number]];
    expect(kid).toBe(SERVICE_ACCOUNT_KEY_ID);
    expect(claims).toMatchObject({
      iss: SERVICE_ACCOUNT_EMAIL,
      sub: SERVICE_ACCOUNT_EMAIL,
      aud: `${fake.tokenBase}/token/ok/claims`,
      target_audience: fake.functionBase,
    });
    expect(claims.exp! - claims.iat!).toBe(3600);
  });

  it('asks a Cloud Function token for the function URL (its path, no query), and honours audience', async () => {
    const gcf = sinkOf(
      cloudFunctionsSink,
      keyed(`${fake.functionBase}/ok/on-order?x=1`, '/token/ok/gcf-aud'),
    );
    expect((await deliver(gcf, event('aud-gcf'))).kind).toBe('ok');
    expect(fake.received.find((c) => c.headers['ce-id'] === 'aud-gcf')!.audience).toBe(
      `${fake.functionBase}/ok/on-order`,
    );

    const custom = sinkOf(cloudRunSink, {
      ...keyed(`${fake.functionBase}/ok/custom`, '/token/ok/custom-aud'),
      audience: 'https://orders.example.com',
    });
    expect((await deliver(custom, event('aud-custom'))).kind).toBe('ok');
    expect(fake.received.find((c) => c.headers['ce-id'] === 'aud-custom')!.audience).toBe(
      'https://orders.example.com',
    );
  });

  it('hints at the audience on a 401 and at the invoker role on a 403, both permanent', async () => {
    const unauthorized = await deliver(
      sinkOf(cloudRunSink, keyed(`${fake.functionBase}/unauthorized`)),
      event('401-1'),
    );
    expect(unauthorized).toMatchObject({ kind: 'permanent', detail: { code: 401 } });
    expect(errorOf(unauthorized)).toMatch(/HTTP 401.*audience "http:\/\/127\.0\.0\.1:\d+"/);

    // This function echoes the Authorization header: the token must not reach the outcome.
    const forbidden = await deliver(
      sinkOf(cloudFunctionsSink, keyed(`${fake.functionBase}/forbidden/fn`)),
      event('403-1'),
    );
    expect(forbidden).toMatchObject({ kind: 'permanent', detail: { code: 403 } });
    expect(errorOf(forbidden)).toMatch(
      /HTTP 403: forbidden for Bearer \[token\].*roles\/cloudfunctions\.invoker/,
    );
  });
});

describe('google sinks: the ID token', () => {
  it('is fetched once and reused by every delivery while it is fresh', async () => {
    const sink = sinkOf(cloudRunSink, keyed(`${fake.functionBase}/ok/cache`, '/token/ok/cache'));
    for (let i = 0; i < 5; i++) expect((await deliver(sink, event(`cache-${i}`))).kind).toBe('ok');
    expect(fake.tokenRequests('/token/ok/cache')).toBe(1);
  });

  it('is fetched once for many concurrent deliveries (single flight)', async () => {
    const sink = sinkOf(cloudFunctionsSink, keyed(`${fake.functionBase}/ok/flight`, '/token/slow/flight'));
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) => deliver(sink, event(`flight-${i}`))),
    );
    expect(outcomes.map((o) => o.kind)).toEqual(Array(12).fill('ok'));
    expect(fake.tokenRequests('/token/slow/flight')).toBe(1);
  });

  it('is replaced before it expires, in the background, while deliveries keep using it', async () => {
    // Only Date is faked: sockets and timers run for real; the fake Google reads the same clock.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now(), shouldAdvanceTime: true });
    try {
      const tokenPath = '/token/short/refresh'; // ID tokens that live 6 minutes
      const sink = sinkOf(cloudRunSink, keyed(`${fake.functionBase}/ok/refresh`, tokenPath));
      const tokenOf = (id: string) => fake.received.find((c) => c.headers['ce-id'] === id)!.token;

      expect((await deliver(sink, event('refresh-1'))).kind).toBe('ok');
      vi.setSystemTime(Date.now() + 2 * 60_000);
      expect((await deliver(sink, event('refresh-2'))).kind).toBe('ok');
      expect(fake.tokenRequests(tokenPath)).toBe(1);
      expect(tokenOf('refresh-2')).toBe(tokenOf('refresh-1'));

      // 4 minutes in, 2 before exp: inside the refresh window (half the life of so short a token).
      vi.setSystemTime(Date.now() + 2 * 60_000);
      expect((await deliver(sink, event('refresh-3'))).kind).toBe('ok');
      expect(tokenOf('refresh-3')).toBe(tokenOf('refresh-1')); // it did not wait for the new one
      // Deliveries go on with the old token until the new one has arrived, then use it; those
      // made while the refresh is in flight start no other.
      let n = 0;
      const renewed = await waitFor('a delivery with the new token', async () => {
        const id = `refresh-4-${n++}`;
        expect((await deliver(sink, event(id))).kind).toBe('ok');
        return tokenOf(id) === tokenOf('refresh-1') ? undefined : tokenOf(id);
      });
      expect(decodeJwt(renewed).exp).toBeGreaterThan(decodeJwt(tokenOf('refresh-1')).exp!);
      expect(fake.tokenRequests(tokenPath)).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("reports a token endpoint answering 503 as retryable, naming the endpoint and Google's error", async () => {
    const outcome = await deliver(
      sinkOf(cloudRunSink, keyed(`${fake.functionBase}/ok/x`, '/token/unavailable/a')),
      event('t-503'),
    );
    expect(outcome.kind).toBe('retryable');
    expect(errorOf(outcome)).toBe(
      `could not get an ID token: the token endpoint ${fake.tokenBase}/token/unavailable/a answered HTTP 503: internal_failure: Backend Error`,
    );
    expect(fake.received.some((c) => c.headers['ce-id'] === 't-503')).toBe(false);
  });

  it('reports invalid_grant (a deleted key, a skewed clock) as permanent', async () => {
    const outcome = await deliver(
      sinkOf(cloudFunctionsSink, keyed(`${fake.functionBase}/ok/x`, '/token/invalid-grant/a')),
      event('t-400'),
    );
    expect(outcome.kind).toBe('permanent');
    expect(errorOf(outcome)).toMatch(
      /token endpoint .* answered HTTP 400: invalid_grant: Invalid JWT Signature\.$/,
    );
  });

  it('keeps an assertion echoed by the token endpoint out of the outcome', async () => {
    const outcome = await deliver(
      sinkOf(cloudRunSink, keyed(`${fake.functionBase}/ok/x`, '/token/echo/a')),
      event('t-echo'),
    );
    expect(outcome.kind).toBe('permanent');
    expect(errorOf(outcome)).toMatch(/HTTP 400: invalid_request: cannot use \[token\]$/);
  });

  it('reports an answer without id_token as permanent, and an unreachable endpoint as retryable', async () => {
    const noIdToken = await deliver(
      sinkOf(cloudRunSink, keyed(`${fake.functionBase}/ok/x`, '/token/no-id-token/a')),
      event('t-none'),
    );
    expect(noIdToken.kind).toBe('permanent');
    expect(errorOf(noIdToken)).toMatch(/answered without an id_token/);

    const port = await freeLoopbackPort();
    const unreachable = await deliver(
      sinkOf(cloudRunSink, {
        uri: `${fake.functionBase}/ok/x`,
        serviceAccountKey: { fromFile: fake.keyFile('', { token_uri: `http://127.0.0.1:${port}/token` }) },
      }),
      event('t-refused'),
    );
    expect(unreachable.kind).toBe('retryable');
    expect(errorOf(unreachable)).toMatch(
      /no answer from the token endpoint http:\/\/127\.0\.0\.1:\d+\/token \(ECONNREFUSED/,
    );
  });
});

describe('google sinks: auth: metadata', () => {
  const saved = process.env['GCE_METADATA_HOST'];
  beforeAll(() => {
    process.env['GCE_METADATA_HOST'] = fake.metadataHost;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env['GCE_METADATA_HOST'];
    else process.env['GCE_METADATA_HOST'] = saved;
  });
  afterEach(() => {
    fake.metadata.behaviour = 'ok';
  });

  it('gets the token from the metadata server GCE_METADATA_HOST names, once for many deliveries', async () => {
    const before = fake.metadata.requests;
    const sink = sinkOf(cloudFunctionsSink, { uri: `${fake.functionBase}/ok/meta-fn`, auth: 'metadata' });
    for (let i = 0; i < 3; i++) expect((await deliver(sink, event(`meta-${i}`))).kind).toBe('ok');
    expect(fake.metadata.requests - before).toBe(1);
    expect(Object.fromEntries(fake.metadata.lastQuery!)).toEqual({
      audience: `${fake.functionBase}/ok/meta-fn`,
      format: 'full',
    });
    expect(fake.received.find((c) => c.headers['ce-id'] === 'meta-2')!.audience).toBe(
      `${fake.functionBase}/ok/meta-fn`,
    );
  });

  it('reports a machine without a service account as permanent, and refuses a server that is not the metadata server', async () => {
    fake.metadata.behaviour = 'not-found';
    const missing = await deliver(
      sinkOf(cloudRunSink, { uri: `${fake.functionBase}/ok/m`, auth: 'metadata' }),
      event('meta-404'),
    );
    expect(missing.kind).toBe('permanent');
    expect(errorOf(missing)).toMatch(
      /the metadata server http:\/\/127\.0\.0\.1:\d+\/computeMetadata\/v1\/instance\/service-accounts\/default\/identity answered HTTP 404: Not Found \(is a service account attached/,
    );

    fake.metadata.behaviour = 'no-flavor';
    const impostor = await deliver(
      sinkOf(cloudRunSink, { uri: `${fake.functionBase}/ok/m`, auth: 'metadata' }),
      event('meta-impostor'),
    );
    expect(impostor.kind).toBe('permanent');
    expect(errorOf(impostor)).toMatch(/without the Metadata-Flavor: Google header/);
  });
});

describe('google sinks: configuration', () => {
  const block = 'spec.sink.cloudrun';
  const problemsOf = (spec: GoogleSinkSpec, options?: { validateOnly?: boolean }) => {
    const { sink, problems } = build(cloudRunSink, spec, options);
    expect(sink).toBeUndefined();
    for (const { message } of problems) expectNoCredentials(message);
    return problems;
  };
  const withKeyText = (text: string) => ({
    uri: 'https://svc-xyz.a.run.app',
    serviceAccountKey: { fromFile: fake.file(`bad-${Math.random().toString(36).slice(2)}.json`, text) },
  });
  const validKey = () => JSON.parse(readFileSync(fake.keyFile('/token/ok/config'), 'utf8'));

  it('reports a damaged key file at serviceAccountKey, without quoting it', () => {
    const at = `${block}.serviceAccountKey`;
    expect(problemsOf(withKeyText(`${fake.privateKeyPem} is not JSON`))).toEqual([
      { path: at, message: 'the key file is not JSON (expected a service account key file)' },
    ]);
    const { private_key_id: _, token_uri: __, ...incomplete } = validKey();
    expect(problemsOf(withKeyText(JSON.stringify(incomplete)))).toEqual([
      {
        path: at,
        message: 'the key file has no private_key_id, token_uri (expected a service account key file)',
      },
    ]);
    const badPem = { ...validKey(), private_key: fake.privateKeyPem.replace(/[A-Za-z]{8}/g, 'AAAAAAAA') };
    expect(problemsOf(withKeyText(JSON.stringify(badPem)))).toEqual([
      { path: at, message: "the key file's private_key is not a PEM private key" },
    ]);
    const userCredentials = { type: 'authorized_user', client_id: 'x', refresh_token: 'y' };
    expect(problemsOf(withKeyText(JSON.stringify(userCredentials)))[0]!.message).toMatch(
      /of type "authorized_user", not a service account key/,
    );
    const plainHttp = { ...validKey(), token_uri: 'http://oauth2.example.com/token' };
    expect(problemsOf(withKeyText(JSON.stringify(plainHttp)))[0]!.message).toMatch(
      /token_uri must be https:\/\//,
    );
  });

  it('checks only the shape in validate mode, when secrets are not read', () => {
    expect(problemsOf(withKeyText('not json'), { validateOnly: true })).toEqual([]);
    expect(
      problemsOf({ uri: 'ftp://x', serviceAccountKey: { fromFile: '/nowhere' } }, { validateOnly: true }),
    ).toEqual([{ path: `${block}.uri`, message: 'must be an http:// or https:// URL, not ftp:' }]);
  });

  it('wants exactly one of serviceAccountKey and auth: metadata, at the block', () => {
    expect(problemsOf({ uri: 'https://svc-xyz.a.run.app' })).toEqual([
      {
        path: block,
        message:
          'give serviceAccountKey (a service account key file) or auth: metadata, to say where ID tokens come from',
      },
    ]);
    expect(
      problemsOf({
        uri: 'https://svc-xyz.a.run.app',
        auth: 'metadata',
        serviceAccountKey: { fromFile: '/k' },
      }),
    ).toEqual([{ path: block, message: 'give serviceAccountKey or auth: metadata, not both' }]);
  });

  it('refuses a uri that would send the token in clear or with other credentials, and a missing key file', () => {
    expect(problemsOf({ uri: 'http://svc.example.com/', auth: 'metadata' })).toEqual([
      {
        path: `${block}.uri`,
        message: 'must be https:// (http:// only for a loopback host): every request carries an ID token',
      },
    ]);
    expect(problemsOf({ uri: 'https://u:p@svc-xyz.a.run.app', auth: 'metadata' })[0]!.path).toBe(
      `${block}.uri`,
    );
    expect(
      problemsOf({ uri: 'https://svc-xyz.a.run.app', serviceAccountKey: { fromFile: '/no/such/key.json' } }),
    ).toEqual([
      { path: `${block}.serviceAccountKey`, message: 'secret: cannot read file /no/such/key.json: ENOENT' },
    ]);
  });

  it('reports a GCE_METADATA_HOST that is not a host[:port] at auth', () => {
    const saved = process.env['GCE_METADATA_HOST'];
    process.env['GCE_METADATA_HOST'] = 'http://169.254.169.254/some/path';
    try {
      expect(problemsOf({ uri: 'https://svc-xyz.a.run.app', auth: 'metadata' })).toEqual([
        {
          path: `${block}.auth`,
          message:
            'the environment variable GCE_METADATA_HOST is "http://169.254.169.254/some/path", not a host[:port]',
        },
      ]);
    } finally {
      if (saved === undefined) delete process.env['GCE_METADATA_HOST'];
      else process.env['GCE_METADATA_HOST'] = saved;
    }
  });

  it('describes every setting, with examples, and allows no others', () => {
    for (const descriptor of [cloudRunSink, cloudFunctionsSink]) {
      const { settings } = descriptor;
      expect(settings.additionalProperties).toBe(false);
      expect(settings.required).toEqual(['uri']);
      expect(Object.keys(settings.properties ?? {})).toEqual([
        'uri',
        'audience',
        'serviceAccountKey',
        'auth',
        'headerEncoding',
      ]);
      for (const field of Object.values(settings.properties ?? {})) {
        expect(field.description).toBeTruthy();
        expect(field.examples?.length).toBeGreaterThan(0);
      }
    }
    expect([cloudRunSink.kind, cloudFunctionsSink.kind]).toEqual(['cloudrun', 'gcf']);
  });
});

/**
 * The real runtime: Google's Functions Framework for Node.js serving a CloudEvent function,
 * as Cloud Run functions and `gcloud functions deploy` run it. The framework does not check the
 * Authorization header (Google's front end does), so this proves the event's encoding.
 */
describe('google sinks: on the Google Cloud Functions Framework', () => {
  let dir: string;
  let framework: ChildProcess;
  let functionUrl: string;
  let log = '';
  const eventsFile = () => join(dir, 'events.jsonl');
  const receivedEvents = (): Record<string, unknown>[] => {
    try {
      return readFileSync(eventsFile(), 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line));
    } catch {
      return [];
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'functions-framework-'));
    const require = createRequire(import.meta.url);
    const frameworkEntry = require.resolve('@google-cloud/functions-framework');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fn', main: 'index.js' }));
    writeFileSync(
      join(dir, 'index.js'),
      [
        `const fs = require('node:fs');`,
        `const ff = require(${JSON.stringify(frameworkEntry)});`,
        `ff.cloudEvent('fn', (ce) => {`,
        `  if (ce.type === 'com.example.fail') throw new Error('the function failed on purpose');`,
        `  fs.appendFileSync(${JSON.stringify(eventsFile())}, JSON.stringify(ce) + '\\n');`,
        `});`,
      ].join('\n'),
    );
    const port = await freeLoopbackPort();
    functionUrl = `http://127.0.0.1:${port}/`;
    framework = spawn(
      process.execPath,
      [
        join(dirname(frameworkEntry), 'main.js'),
        '--target=fn',
        '--signature-type=cloudevent',
        `--port=${port}`,
        `--source=${dir}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'test' } },
    );
    framework.stdout!.on('data', (chunk: Buffer) => (log += chunk));
    framework.stderr!.on('data', (chunk: Buffer) => (log += chunk));
    await waitFor('the Functions Framework to listen', () => canConnect(port), { timeoutMs: 20_000 }).catch(
      (err) => {
        throw new Error(`${(err as Error).message}; its output: ${log}`);
      },
    );
  });
  afterAll(async () => {
    if (framework && framework.exitCode === null) {
      framework.kill('SIGTERM');
      await once(framework, 'exit');
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands the function the event a cloudrun sink delivered', async () => {
    const sink = sinkOf(cloudRunSink, keyed(functionUrl, '/token/ok/framework'));
    const outcome = await deliver(sink, event('ff-1', { time: '2026-03-01T12:00:00Z', tenant: 'acme' }));
    expect(outcome, log).toEqual({ kind: 'ok', detail: { protocol: 'http', code: 204 } });
    const [received] = receivedEvents().filter((e) => e['id'] === 'ff-1');
    expect(received).toMatchObject({
      specversion: '1.0',
      id: 'ff-1',
      source: '/orders',
      type: 'com.example.order.created',
      time: '2026-03-01T12:00:00Z',
      tenant: 'acme',
      data: { order: 42, note: 'crème brûlée' },
    });
    // Observed: the framework copies ce-* headers verbatim and does not undo the binding's
    // percent-encoding (http-binding 3.1.3.2), so a function sees the encoded subject.
    expect(received!['subject']).toBe('caf%C3%A9');
    expect(decodeURIComponent(String(received!['subject']))).toBe('café');
    // Observed: in binary mode it leaves datacontenttype out (Content-Type is not mapped back).
    expect(received!['datacontenttype']).toBeUndefined();
  });

  it('hands the function bytes a gcf sink delivered', async () => {
    const sink = sinkOf(cloudFunctionsSink, keyed(functionUrl, '/token/ok/framework-gcf'));
    const bytes: CloudEvent = {
      attributes: {
        specversion: '1.0',
        id: 'ff-2',
        source: '/s',
        type: 't',
        datacontenttype: 'application/octet-stream',
      },
      data: { kind: 'bytes', bytes: Buffer.from([0, 1, 254, 255]) },
    };
    expect(await deliver(sink, bytes)).toMatchObject({ kind: 'ok' });
    // The framework hands a body it does not parse to the function as a Buffer (here in JSON).
    expect(receivedEvents().find((e) => e['id'] === 'ff-2')).toMatchObject({
      data: { type: 'Buffer', data: [0, 1, 254, 255] },
    });
  });

  it('observed: Functions Framework 5.0.5 answers 500 to text/plain data in binary mode, which the sink retries', async () => {
    // Its background-event check evaluates `'context' in req.body` before it tests for binary
    // mode, and body-parser leaves a text/plain body a string: a TypeError, so a 500. An event
    // without data fails the same way (no body at all). Structured mode would not meet it.
    const sink = sinkOf(cloudFunctionsSink, keyed(functionUrl, '/token/ok/framework-text'));
    const text: CloudEvent = {
      attributes: { specversion: '1.0', id: 'ff-3', source: '/s', type: 't', datacontenttype: 'text/plain' },
      data: { kind: 'bytes', bytes: Buffer.from('héllo') },
    };
    const outcome = await deliver(sink, text);
    expect(outcome).toMatchObject({ kind: 'retryable', detail: { code: 500 } });
    expect(errorOf(outcome)).toMatch(
      /TypeError: Cannot use &#39;in&#39; operator to search for &#39;context&#39;/,
    );
  });

  it('reports a function that throws as retryable (the framework answers 500)', async () => {
    const sink = sinkOf(cloudRunSink, keyed(functionUrl, '/token/ok/framework-fail'));
    const outcome = await deliver(sink, event('ff-fail', { type: 'com.example.fail' }));
    expect(outcome).toMatchObject({ kind: 'retryable', detail: { protocol: 'http', code: 500 } });
    expect(errorOf(outcome)).toMatch(/^HTTP 500: the function failed on purpose/);
    expect(receivedEvents().some((e) => e['id'] === 'ff-fail')).toBe(false);
  });
});

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
