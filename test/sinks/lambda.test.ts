/**
 * The lambda sink, built through its descriptor, against a local server that plays the Lambda
 * Invoke API and function URLs: it re-signs every request it receives with AWS's own SigV4
 * signer and the test credentials, and refuses (403) any whose signature differs, so a test
 * fails as soon as signing breaks. Credentials reach the sink through the real AWS default
 * chain: environment variables, a shared credentials file, a container credentials endpoint.
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../broker/cloudevents/event.js';
import type { PathSegment } from '../../broker/config/yaml-document.js';
import { SCHEMAS_DIR } from '../../broker/paths.js';
import type { DeliveryOutcome, Sink } from '../../broker/ports/sink.js';
import { sinkSchema } from '../../scripts/reference/sink-schema.js';
import { type LambdaSinkSpec, lambdaSink } from '../../sinks/lambda/index.js';
import { type FunctionBehaviour, sinkContract } from './contract.js';

const ACCOUNT = '123456789012';
const arn = (name: string, region = 'eu-west-1') => `arn:aws:lambda:${region}:${ACCOUNT}:function:${name}`;

/** The credentials the fake endpoint accepts, one per source of the default chain; none may leak. */
const IDENTITIES = {
  environment: { accessKeyId: 'AKIAENVIRONMENT00001', secretAccessKey: 'environment-secret-never-logged' },
  sharedFile: { accessKeyId: 'AKIASHAREDFILE000001', secretAccessKey: 'shared-file-secret-never-logged' },
  container: {
    accessKeyId: 'ASIACONTAINER0000001',
    secretAccessKey: 'container-secret-never-logged',
    sessionToken: 'container-session-token-never-logged',
  },
} as const;
const SECRETS = [
  IDENTITIES.environment.secretAccessKey,
  IDENTITIES.sharedFile.secretAccessKey,
  IDENTITIES.container.secretAccessKey,
  IDENTITIES.container.sessionToken,
];
const CONTAINER_AUTHORIZATION_TOKEN = 'container-authorization-token';

/** What the fake endpoint saw of one request whose signature it accepted (or that was unsigned). */
interface ReceivedCall {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** From the signature's credential scope; undefined for an unsigned request. */
  readonly accessKeyId?: string;
  readonly region?: string;
  readonly service?: string;
}

type SignatureCheck =
  | { readonly kind: 'unsigned' }
  | {
      readonly kind: 'valid';
      readonly accessKeyId: string;
      readonly region: string;
      readonly service: string;
    }
  | { readonly kind: 'invalid'; readonly reason: string };

let server: Server;
let base = '';
let scratch = '';
let emptyFile = '';
const calls: ReceivedCall[] = [];
/** Requests the container credentials endpoint answered, with the Authorization header they had. */
const containerCredentialRequests: (string | undefined)[] = [];
const built: Sink[] = [];

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$/;

/**
 * Verifies a request's SigV4 signature the way AWS does: recomputes it with AWS's own signer
 * from the request as received (method, raw path, query, the headers it says it signed, body),
 * the credentials its access key ID names and the time in X-Amz-Date, and compares. The signer
 * itself derives X-Amz-Content-Sha256 from the body received and X-Amz-Security-Token from the
 * known credentials, so a changed body or a wrong session token fails too.
 */
async function checkSignature(req: IncomingMessage, body: Buffer): Promise<SignatureCheck> {
  const authorization = req.headers.authorization;
  if (authorization === undefined) return { kind: 'unsigned' };
  const scope = AUTHORIZATION.exec(authorization);
  if (!scope) return { kind: 'invalid', reason: 'malformed Authorization header' };
  const [, accessKeyId, day, region, service, signedHeaders] = scope as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  // AWS requires the Host header and the signing time to be signed.
  const signed = signedHeaders.split(';');
  if (!signed.includes('host') || !signed.includes('x-amz-date'))
    return { kind: 'invalid', reason: 'Host and X-Amz-Date must be signed' };
  const identity = Object.values(IDENTITIES).find((i) => i.accessKeyId === accessKeyId);
  if (!identity) return { kind: 'invalid', reason: 'unknown access key' };
  const amzDate = req.headers['x-amz-date'];
  const time = typeof amzDate === 'string' && /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!time || !amzDate.startsWith(day)) return { kind: 'invalid', reason: 'bad X-Amz-Date' };
  const signingDate = new Date(`${time[1]}-${time[2]}-${time[3]}T${time[4]}:${time[5]}:${time[6]}Z`);
  // AWS refuses a signature more than 5 minutes away from its clock.
  if (Math.abs(Date.now() - signingDate.getTime()) > 300_000) return { kind: 'invalid', reason: 'skewed' };
  const headers: Record<string, string> = {};
  for (const name of signed) {
    if (name === 'x-amz-date' || name === 'x-amz-content-sha256' || name === 'x-amz-security-token') continue;
    const value = req.headers[name];
    if (value === undefined) return { kind: 'invalid', reason: `signed header ${name} not sent` };
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const [path, search = ''] = (req.url ?? '/').split('?') as [string, string?];
  const params = new URLSearchParams(search);
  const query: Record<string, string | string[]> = {};
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    query[name] = values.length === 1 ? values[0]! : values;
  }
  const signer = new SignatureV4({ credentials: identity, region, service, sha256: Sha256 });
  const expected = await signer.sign(
    { method: req.method ?? 'POST', protocol: 'http:', hostname: '127.0.0.1', path, query, headers, body },
    { signingDate },
  );
  if (expected.headers['authorization'] !== authorization)
    return { kind: 'invalid', reason: 'signature does not match' };
  return { kind: 'valid', accessKeyId, region, service };
}

/** What the fake endpoint answers: a status, headers and a JSON (or text) body; `hang` answers nothing. */
interface Answer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly json?: unknown;
  readonly text?: string;
}

function send(res: ServerResponse, answer: Answer | 'hang'): void {
  if (answer === 'hang') return;
  const json = answer.json === undefined ? {} : { 'content-type': 'application/json' };
  res
    .writeHead(answer.status, { ...json, ...answer.headers })
    .end(answer.json === undefined ? (answer.text ?? '') : JSON.stringify(answer.json));
}

/** A Lambda service error: x-amzn-ErrorType (with the suffix Lambda adds) and a JSON body. */
function awsError(status: number, type: string, json: Record<string, string>, headers = {}): Answer {
  const errorType = `${type}:http://internal.amazon.com/coral/com.amazonaws.awslambda.model/`;
  return { status, headers: { 'x-amzn-errortype': errorType, ...headers }, json };
}

/** Lambda's answer for a function, by the last word of its name (`contract-ok`, `orders-throttled`). */
function invokeAnswer(functionName: string, invocationType: string | undefined): Answer | 'hang' {
  const name = functionName.includes(':function:')
    ? functionName.split(':function:')[1]!.split(':')[0]!
    : functionName.split(':')[0]!;
  switch (name.split('-').pop()) {
    case 'ok':
      if (invocationType === 'Event') return { status: 202 };
      return { status: 200, headers: { 'x-amz-executed-version': '$LATEST' }, json: { greeting: 'hello' } };
    case 'fails':
      return {
        status: 200,
        headers: { 'x-amz-function-error': 'Unhandled' },
        json: {
          errorType: 'TypeError',
          errorMessage: 'order.items is not iterable',
          trace: ['TypeError: ...'],
        },
      };
    case 'throttled':
      return awsError(
        429,
        'TooManyRequestsException',
        {
          Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
          Type: 'User',
          message: 'Rate Exceeded.',
        },
        { 'retry-after': '3' },
      );
    case 'pending':
      return awsError(409, 'ResourceConflictException', {
        Type: 'User',
        message:
          'The operation cannot be performed at this time. The function is currently in the following state: Pending',
      });
    case 'broken':
      return awsError(500, 'ServiceException', { Type: 'Service', message: 'Internal error' });
    case 'hang':
      return 'hang';
    default:
      return awsError(404, 'ResourceNotFoundException', {
        Type: 'User',
        message: `Function not found: ${arn(name)}`,
      });
  }
}

/** A function URL's answer, by the path's last segment (`/url/iam/ok`). */
function functionUrlAnswer(behaviour: string | undefined): Answer {
  if (behaviour === 'broken') return { status: 502, text: 'Internal Server Error' };
  return { status: 200, text: 'done' };
}

/** Plays the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI). */
function containerCredentialsAnswer(req: IncomingMessage): Answer {
  containerCredentialRequests.push(req.headers.authorization);
  if (req.headers.authorization !== CONTAINER_AUTHORIZATION_TOKEN)
    return { status: 401, json: { Code: 'Unauthorized' } };
  const { accessKeyId, secretAccessKey, sessionToken } = IDENTITIES.container;
  return {
    status: 200,
    json: {
      AccessKeyId: accessKeyId,
      SecretAccessKey: secretAccessKey,
      Token: sessionToken,
      Expiration: new Date(Date.now() + 3_600_000).toISOString(),
    },
  };
}

/** Checks the signature, records an accepted request and says how to answer it. */
async function answer(req: IncomingMessage): Promise<Answer | 'hang'> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === '/container-credentials') return containerCredentialsAnswer(req);
  if (url.pathname === '/container-credentials-hang') return 'hang';

  const signature = await checkSignature(req, body);
  if (signature.kind === 'invalid')
    return awsError(403, 'InvalidSignatureException', {
      message: `The request signature we calculated does not match the signature you provided (${signature.reason})`,
    });
  calls.push({
    path: req.url?.split('?')[0] ?? '',
    query: url.searchParams,
    headers: req.headers,
    body: body.toString('utf8'),
    ...(signature.kind === 'valid'
      ? { accessKeyId: signature.accessKeyId, region: signature.region, service: signature.service }
      : {}),
  });

  const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
  if (invoke) {
    if (signature.kind === 'unsigned')
      return awsError(403, 'MissingAuthenticationTokenException', {
        message: 'Missing Authentication Token',
      });
    const invocationType = req.headers['x-amz-invocation-type'];
    return invokeAnswer(
      decodeURIComponent(invoke[1]!),
      typeof invocationType === 'string' ? invocationType : undefined,
    );
  }
  if (url.pathname.startsWith('/url/')) {
    // /url/iam/... plays a function URL whose auth type is AWS_IAM, /url/open/... one whose is NONE.
    if (url.pathname.startsWith('/url/iam/') && signature.kind !== 'valid')
      return { status: 403, json: { Message: 'Forbidden' } };
    return functionUrlAnswer(url.pathname.split('/').pop());
  }
  return { status: 404 };
}

/** The AWS variables the default chain reads; each test starts from a known set of them. */
const AWS_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
  'AWS_EC2_METADATA_DISABLED',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
] as const;
const savedEnvironment = Object.fromEntries(AWS_VARIABLES.map((name) => [name, process.env[name]]));

/**
 * Replaces every AWS variable with `variables`, over a base that keeps the chain away from this
 * machine: no ~/.aws files (an empty file stands for both) and no instance metadata.
 */
function useAwsEnvironment(variables: Partial<Record<(typeof AWS_VARIABLES)[number], string>>): void {
  for (const name of AWS_VARIABLES) delete process.env[name];
  Object.assign(
    process.env,
    { AWS_CONFIG_FILE: emptyFile, AWS_SHARED_CREDENTIALS_FILE: emptyFile, AWS_EC2_METADATA_DISABLED: 'true' },
    variables,
  );
}

const ENVIRONMENT_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: IDENTITIES.environment.accessKeyId,
  AWS_SECRET_ACCESS_KEY: IDENTITIES.environment.secretAccessKey,
};

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'lambda-sink-'));
  emptyFile = join(scratch, 'empty');
  writeFileSync(emptyFile, '');
  server = createServer((req, res) => {
    answer(req).then(
      (a) => send(res, a),
      (err) => res.writeHead(500).end(String(err)),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
// Every test starts with credentials in the environment, the first source of the chain.
beforeEach(() => useAwsEnvironment(ENVIRONMENT_CREDENTIALS));
afterAll(async () => {
  await Promise.all(built.map((sink) => sink.close?.()));
  server.closeAllConnections();
  server.close();
  for (const name of AWS_VARIABLES) {
    const value = savedEnvironment[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  rmSync(scratch, { recursive: true, force: true });
});

/** Builds through the descriptor, as the configuration compiler does; collects what it reports. */
function build(spec: LambdaSinkSpec): { sink: Sink | undefined; problems: string[] } {
  const problems: string[] = [];
  const sink = lambdaSink.build({
    spec,
    path: ['spec', 'sink', 'lambda'],
    report: (path: readonly PathSegment[], message: string) => problems.push(`${path.join('.')}: ${message}`),
    secret: () => undefined,
    concurrency: 4,
  });
  if (sink) built.push(sink);
  return { sink, problems };
}

function buildSink(spec: LambdaSinkSpec): Sink {
  const { sink, problems } = build(spec);
  if (!sink || problems.length > 0) throw new Error(`lambda sink not built: ${problems.join('; ')}`);
  return sink;
}

const event = (id: string): CloudEvent => ({
  attributes: {
    specversion: '1.0',
    id,
    source: '/orders',
    type: 'order.created',
    datacontenttype: 'application/json',
  },
  data: { kind: 'json', value: { order: 42 } },
});

const deliver = (sink: Sink, id: string, timeoutMs = 10_000): Promise<DeliveryOutcome> =>
  sink.deliver(event(id), { signal: new AbortController().signal, timeoutMs });

/** The request the fake endpoint accepted for the event with this id. */
function callFor(id: string): ReceivedCall {
  const call = calls.find((c) => c.headers['ce-id'] === id || c.body.includes(`"id":"${id}"`));
  if (!call) throw new Error(`no request carried event ${id}`);
  return call;
}

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

const CONTRACT_FUNCTIONS: Record<FunctionBehaviour, string> = {
  ok: 'contract-ok',
  retryable: 'contract-fails',
  permanent: 'contract-missing',
  hang: 'contract-hang',
};

sinkContract({
  kind: 'lambda',
  name: 'lambda',
  sink: (behaviour) => buildSink({ function: arn(CONTRACT_FUNCTIONS[behaviour]), endpoint: base }),
  // Only signed requests the endpoint accepted are recorded: the Invoke payload is the event itself.
  receivedIds: () =>
    calls
      .filter((c) => c.path.endsWith('/invocations'))
      .map((c) => (JSON.parse(c.body) as { id: string }).id),
  receivedRequests: () => calls.filter((c) => c.path.endsWith('/invocations')),
});

describe('lambda sink: the Invoke API request', () => {
  it('POSTs the event in the CloudEvents JSON format to the invocations path, SigV4-signed for lambda in the ARN region', async () => {
    const sink = buildSink({ function: arn('orders-ok'), endpoint: base });
    expect(sink.destination).toBe(`lambda:${arn('orders-ok')}`);
    expect(await deliver(sink, 'invoke-1')).toEqual({ kind: 'ok', detail: { protocol: 'http', code: 200 } });
    const call = callFor('invoke-1');
    expect(call.path).toBe(`/2015-03-31/functions/${encodeURIComponent(arn('orders-ok'))}/invocations`);
    expect(call.query.toString()).toBe('');
    expect(call.headers['x-amz-invocation-type']).toBe('RequestResponse');
    expect(call.headers['content-type']).toBe('application/json');
    expect(JSON.parse(call.body)).toEqual({
      specversion: '1.0',
      id: 'invoke-1',
      source: '/orders',
      type: 'order.created',
      datacontenttype: 'application/json',
      data: { order: 42 },
    });
    expect(call).toMatchObject({
      accessKeyId: IDENTITIES.environment.accessKeyId,
      region: 'eu-west-1',
      service: 'lambda',
    });
  });

  it('sends a qualifier as ?Qualifier= and names it in the destination', async () => {
    const sink = buildSink({ function: arn('orders-ok'), qualifier: 'live', endpoint: base });
    expect(sink.destination).toBe(`lambda:${arn('orders-ok')}:live`);
    expect((await deliver(sink, 'qualified-1')).kind).toBe('ok');
    expect(callFor('qualified-1').query.get('Qualifier')).toBe('live');
  });

  it('takes a qualifier written into the function reference as it is', async () => {
    const sink = buildSink({ function: `${arn('orders-ok')}:7`, endpoint: base });
    expect((await deliver(sink, 'arn-qualified-1')).kind).toBe('ok');
    expect(callFor('arn-qualified-1').path).toContain(encodeURIComponent(`${arn('orders-ok')}:7`));
  });

  it('signs for the region setting when the function is named without an ARN', async () => {
    const sink = buildSink({ function: 'orders-ok', region: 'eu-central-1', endpoint: base });
    expect(sink.destination).toBe('lambda:eu-central-1:orders-ok');
    expect((await deliver(sink, 'named-1')).kind).toBe('ok');
    expect(callFor('named-1')).toMatchObject({
      path: '/2015-03-31/functions/orders-ok/invocations',
      region: 'eu-central-1',
    });
  });

  it('falls back to AWS_REGION, then AWS_DEFAULT_REGION', async () => {
    useAwsEnvironment({
      ...ENVIRONMENT_CREDENTIALS,
      AWS_REGION: 'us-east-2',
      AWS_DEFAULT_REGION: 'us-west-1',
    });
    const fromRegion = buildSink({ function: `${ACCOUNT}:function:orders-ok`, endpoint: base });
    expect((await deliver(fromRegion, 'env-region-1')).kind).toBe('ok');
    expect(callFor('env-region-1').region).toBe('us-east-2');

    useAwsEnvironment({ ...ENVIRONMENT_CREDENTIALS, AWS_DEFAULT_REGION: 'us-west-1' });
    const fromDefault = buildSink({ function: 'orders-ok', endpoint: base });
    expect((await deliver(fromDefault, 'env-region-2')).kind).toBe('ok');
    expect(callFor('env-region-2').region).toBe('us-west-1');
  });

  it('counts the 202 of an Event invocation as delivered', async () => {
    const sink = buildSink({ function: arn('orders-ok'), invocationType: 'Event', endpoint: base });
    expect(await deliver(sink, 'async-1')).toEqual({ kind: 'ok', detail: { protocol: 'http', code: 202 } });
    expect(callFor('async-1').headers['x-amz-invocation-type']).toBe('Event');
  });
});

describe('lambda sink: reading the answer', () => {
  it('reports a function error (200 with X-Amz-Function-Error) as retryable, with its type and message', async () => {
    const outcome = await deliver(
      buildSink({ function: arn('orders-fails'), endpoint: base }),
      'function-error-1',
    );
    expect(outcome).toMatchObject({ kind: 'retryable', detail: { protocol: 'http', code: 200 } });
    expect(outcome.kind !== 'ok' && outcome.error).toBe(
      'the function failed (Unhandled): TypeError: order.items is not iterable',
    );
  });

  it('retries a 429 TooManyRequestsException after its Retry-After', async () => {
    const outcome = await deliver(
      buildSink({ function: arn('orders-throttled'), endpoint: base }),
      'throttled-1',
    );
    expect(outcome).toMatchObject({ kind: 'retryable', retryAfterMs: 3000, detail: { code: 429 } });
    expect(outcome.kind !== 'ok' && outcome.error).toBe(
      'HTTP 429 TooManyRequestsException (ReservedFunctionConcurrentInvocationLimitExceeded): Rate Exceeded.',
    );
  });

  it('gives up at once on a 404 ResourceNotFoundException', async () => {
    const outcome = await deliver(
      buildSink({ function: arn('orders-missing'), endpoint: base }),
      'missing-1',
    );
    expect(outcome).toMatchObject({ kind: 'permanent', detail: { code: 404 } });
    expect(outcome.kind !== 'ok' && outcome.error).toBe(
      `HTTP 404 ResourceNotFoundException: Function not found: ${arn('orders-missing')}`,
    );
  });

  it('retries a function that is still Pending (409 ResourceConflictException) and a 5xx', async () => {
    const pending = await deliver(
      buildSink({ function: arn('orders-pending'), endpoint: base }),
      'pending-1',
    );
    expect(pending).toMatchObject({ kind: 'retryable', detail: { code: 409 } });
    expect(pending.kind !== 'ok' && pending.error).toContain('ResourceConflictException');
    const broken = await deliver(buildSink({ function: arn('orders-broken'), endpoint: base }), 'broken-1');
    expect(broken).toMatchObject({ kind: 'retryable', detail: { code: 500 } });
    expect(broken.kind !== 'ok' && broken.error).toBe('HTTP 500 ServiceException: Internal error');
  });

  it('is refused (a permanent 403) when the signature is wrong: the fake endpoint really checks', async () => {
    useAwsEnvironment({
      AWS_ACCESS_KEY_ID: IDENTITIES.environment.accessKeyId,
      AWS_SECRET_ACCESS_KEY: 'not-the-right-secret',
    });
    const outcome = await deliver(buildSink({ function: arn('orders-ok'), endpoint: base }), 'forged-1');
    expect(outcome).toMatchObject({ kind: 'permanent', detail: { code: 403 } });
    expect(outcome.kind !== 'ok' && outcome.error).toContain('InvalidSignatureException');
    expect(outcome.kind !== 'ok' && outcome.error).not.toContain('not-the-right-secret');
  });
});

describe('lambda sink: credentials from the AWS default chain', () => {
  it('uses AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the environment', async () => {
    const sink = buildSink({ function: arn('orders-ok'), endpoint: base });
    expect((await deliver(sink, 'from-env-1')).kind).toBe('ok');
    expect(callFor('from-env-1').accessKeyId).toBe(IDENTITIES.environment.accessKeyId);
    expect(callFor('from-env-1').headers['x-amz-security-token']).toBeUndefined();
  });

  it('uses the AWS_PROFILE profile of the shared credentials file', async () => {
    const credentialsFile = join(scratch, 'credentials-profile');
    writeFileSync(
      credentialsFile,
      [
        '[default]',
        'aws_access_key_id = AKIANOTTHISONE000001',
        'aws_secret_access_key = not-this-one',
        '',
        '[broker]',
        `aws_access_key_id = ${IDENTITIES.sharedFile.accessKeyId}`,
        `aws_secret_access_key = ${IDENTITIES.sharedFile.secretAccessKey}`,
        '',
      ].join('\n'),
    );
    useAwsEnvironment({ AWS_SHARED_CREDENTIALS_FILE: credentialsFile, AWS_PROFILE: 'broker' });
    const sink = buildSink({ function: arn('orders-ok'), endpoint: base });
    expect((await deliver(sink, 'from-file-1')).kind).toBe('ok');
    expect(callFor('from-file-1').accessKeyId).toBe(IDENTITIES.sharedFile.accessKeyId);
  });

  it('uses temporary credentials from a container credentials endpoint, with their session token', async () => {
    useAwsEnvironment({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${base}/container-credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: CONTAINER_AUTHORIZATION_TOKEN,
    });
    const before = containerCredentialRequests.length;
    const sink = buildSink({ function: arn('orders-ok'), endpoint: base });
    expect((await deliver(sink, 'from-container-1')).kind).toBe('ok');
    expect((await deliver(sink, 'from-container-2')).kind).toBe('ok');
    const call = callFor('from-container-1');
    expect(call.accessKeyId).toBe(IDENTITIES.container.accessKeyId);
    expect(call.headers['x-amz-security-token']).toBe(IDENTITIES.container.sessionToken);
    // Fetched once with the container's token, then reused: the sink keeps one provider.
    expect(containerCredentialRequests.slice(before)).toEqual([CONTAINER_AUTHORIZATION_TOKEN]);
  });

  it('reports missing credentials as a retryable failure that names the chain, then recovers once they appear', async () => {
    useAwsEnvironment({});
    const sink = buildSink({ function: arn('orders-ok'), endpoint: base });
    const outcome = await deliver(sink, 'no-credentials-1');
    expect(outcome.kind).toBe('retryable');
    expect(outcome.kind !== 'ok' && outcome.error).toMatch(
      /^cannot get AWS credentials from the AWS default credential chain/,
    );
    expect(calls.some((c) => c.body.includes('"no-credentials-1"'))).toBe(false);

    useAwsEnvironment(ENVIRONMENT_CREDENTIALS);
    expect((await deliver(sink, 'no-credentials-2')).kind).toBe('ok');
  });

  it('does not wait past the attempt timeout for a credentials endpoint that does not answer', async () => {
    useAwsEnvironment({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${base}/container-credentials-hang` });
    const sink = buildSink({ function: arn('orders-ok'), endpoint: base });
    const started = Date.now();
    const outcome = await deliver(sink, 'credentials-hang-1', 300);
    expect(outcome).toEqual({ kind: 'retryable', error: 'timed out after 300 ms' });
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('never shows a credential in a destination or an error', async () => {
    const outcomes = await Promise.all([
      deliver(buildSink({ function: arn('orders-fails'), endpoint: base }), 'leak-1'),
      deliver(buildSink({ function: arn('orders-missing'), endpoint: base }), 'leak-2'),
    ]);
    useAwsEnvironment({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${base}/container-credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: CONTAINER_AUTHORIZATION_TOKEN,
    });
    const sink = buildSink({ function: arn('orders-throttled'), endpoint: base });
    outcomes.push(await deliver(sink, 'leak-3'));
    for (const outcome of outcomes) expectNoSecret(JSON.stringify(outcome));
    expectNoSecret(sink.destination);
  });
});

describe('lambda sink: function URLs', () => {
  it('POSTs the event in binary mode, SigV4-signed for lambda, with auth iam (the default)', async () => {
    const sink = buildSink({ functionUrl: `${base}/url/iam/ok`, region: 'eu-west-1' });
    expect(sink.destination).toBe(`${base}/url/iam/ok`);
    expect(await deliver(sink, 'url-iam-1')).toEqual({ kind: 'ok', detail: { protocol: 'http', code: 200 } });
    const call = callFor('url-iam-1');
    expect(call).toMatchObject({
      accessKeyId: IDENTITIES.environment.accessKeyId,
      region: 'eu-west-1',
      service: 'lambda',
    });
    expect(call.headers['ce-type']).toBe('order.created');
    expect(JSON.parse(call.body)).toEqual({ order: 42 });
  });

  it('sends the request unsigned with auth none', async () => {
    const sink = buildSink({ functionUrl: `${base}/url/open/ok`, auth: 'none' });
    expect((await deliver(sink, 'url-none-1')).kind).toBe('ok');
    expect(callFor('url-none-1').headers.authorization).toBeUndefined();
    expect(callFor('url-none-1').accessKeyId).toBeUndefined();
  });

  it('reads the status as for any HTTP function: 502 retryable, 403 permanent', async () => {
    const broken = await deliver(
      buildSink({ functionUrl: `${base}/url/iam/broken`, region: 'eu-west-1' }),
      'u-1',
    );
    expect(broken).toMatchObject({ kind: 'retryable', detail: { code: 502 } });
    const forbidden = await deliver(buildSink({ functionUrl: `${base}/url/iam/ok`, auth: 'none' }), 'u-2');
    expect(forbidden).toMatchObject({ kind: 'permanent', detail: { code: 403 } });
  });
});

describe('lambda sink: configuration mistakes, reported at their path', () => {
  const at = 'spec.sink.lambda';

  it('a malformed ARN, at function', () => {
    expect(build({ function: 'arn:aws:lambda:eu-west-1:1234:function:f' }).problems).toEqual([
      `${at}.function: "arn:aws:lambda:eu-west-1:1234:function:f" is not a Lambda function ARN: the account "1234" is not a 12-digit account ID`,
    ]);
    expect(build({ function: 'arn:aws:s3:::bucket' }).problems).toEqual([
      `${at}.function: "arn:aws:s3:::bucket" is not a Lambda function ARN: expected arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`,
    ]);
    expect(build({ function: 'a:b:c' }).problems[0]).toMatch(
      new RegExp(`^${at}\\.function: "a:b:c" is not a function reference`),
    );
  });

  it('both or neither of function and functionUrl, at the block', () => {
    expect(
      build({ function: arn('f'), functionUrl: 'https://x.lambda-url.eu-west-1.on.aws/' }).problems,
    ).toEqual([
      `${at}: set exactly one of function (the Invoke API) and functionUrl (a function URL), not both`,
    ]);
    expect(build({ region: 'eu-west-1' }).problems).toEqual([
      `${at}: set exactly one of function (the Invoke API) and functionUrl (a function URL)`,
    ]);
  });

  it('no region anywhere, at the block', () => {
    expect(build({ function: 'orders' }).problems).toEqual([
      `${at}: no AWS region: set region, or AWS_REGION in the broker's environment (or name the function by its full ARN)`,
    ]);
    expect(build({ functionUrl: `${base}/url/iam/ok` }).problems).toEqual([
      `${at}: no AWS region: set region, or AWS_REGION in the broker's environment (a URL-ID.lambda-url.REGION.on.aws host names its own)`,
    ]);
    // auth none signs nothing, so needs no region.
    expect(build({ functionUrl: `${base}/url/open/ok`, auth: 'none' }).problems).toEqual([]);
  });

  it('a region that contradicts the ARN or the function URL host, at region', () => {
    expect(build({ function: arn('f'), region: 'us-east-1' }).problems).toEqual([
      `${at}.region: the function ARN names the region eu-west-1, not us-east-1: leave region out or make them agree`,
    ]);
    expect(
      build({ functionUrl: 'https://abcdefgh0123.lambda-url.ap-south-1.on.aws/', region: 'eu-west-1' })
        .problems,
    ).toEqual([
      `${at}.region: the function URL names the region ap-south-1, not eu-west-1: leave region out or make them agree`,
    ]);
    expect(build({ functionUrl: 'https://abcdefgh0123.lambda-url.ap-south-1.on.aws/' }).problems).toEqual([]);
  });

  it('a qualifier that contradicts the reference, and fields of the other mode, at the field', () => {
    expect(build({ function: `${arn('f')}:live`, qualifier: 'beta' }).problems).toEqual([
      `${at}.qualifier: function already names the qualifier live, not beta: give it in one place`,
    ]);
    expect(build({ function: arn('f'), auth: 'none' }).problems).toEqual([
      `${at}.auth: auth applies only to functionUrl: the Invoke API is always signed (SigV4)`,
    ]);
    expect(
      build({ functionUrl: `${base}/url/open/ok`, auth: 'none', invocationType: 'Event', endpoint: base })
        .problems,
    ).toEqual([
      `${at}.invocationType: invocationType applies only to function (the Invoke API), not to functionUrl`,
      `${at}.endpoint: endpoint applies only to function (the Invoke API), not to functionUrl`,
    ]);
  });

  it('URLs that are not http(s), or carry a user, at the field', () => {
    expect(build({ functionUrl: 'ftp://example.com/f' }).problems).toEqual([
      `${at}.functionUrl: must be an http:// or https:// URL, not ftp:`,
    ]);
    expect(build({ functionUrl: `http://user:pw@127.0.0.1/f`, auth: 'none' }).problems[0]).toMatch(
      new RegExp(`^${at}\\.functionUrl: a function URL takes no user or password`),
    );
    expect(build({ function: arn('f'), endpoint: 'http://user:pw@127.0.0.1:4566' }).problems[0]).toMatch(
      new RegExp(`^${at}\\.endpoint: an endpoint is a scheme, host, port and optional path`),
    );
  });

  it('accepts the manifest shapes with every optional field null', () => {
    expect(
      build({
        function: arn('f'),
        qualifier: null,
        invocationType: 'RequestResponse',
        endpoint: null,
        region: null,
      }).problems,
    ).toEqual([]);
  });
});

describe('lambda sink: settings schema', () => {
  /** The sink block's schema as `npm run docs` generates it (schemas/sink.schema.json), for this sink alone. */
  function validator() {
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
    ajv.addSchema(JSON.parse(readFileSync(join(SCHEMAS_DIR, 'definitions.schema.json'), 'utf8')));
    return ajv.compile(sinkSchema([lambdaSink]));
  }

  it('accepts both documented shapes', () => {
    const validate = validator();
    expect(
      validate({
        lambda: {
          function: arn('f'),
          qualifier: null,
          invocationType: 'RequestResponse',
          endpoint: null,
          region: null,
        },
      }),
    ).toBe(true);
    expect(
      validate({ lambda: { functionUrl: 'https://abc.lambda-url.eu-west-1.on.aws/', auth: 'iam' } }),
    ).toBe(true);
  });

  it('rejects an unknown field and an unknown invocation type', () => {
    const validate = validator();
    expect(validate({ lambda: { function: arn('f'), timeoutSeconds: 3 } })).toBe(false);
    expect(validate.errors?.map((e) => e.keyword)).toContain('additionalProperties');
    expect(validate({ lambda: { function: arn('f'), invocationType: 'DryRun' } })).toBe(false);
  });
});
