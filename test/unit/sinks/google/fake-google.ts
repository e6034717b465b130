/**
 * Google's side of an ID-token-authenticated call, on loopback: a token endpoint that checks a
 * service account's JWT assertion the way Google's does (RS256 signature with the account's
 * public key, iss/sub/aud/exp and target_audience) before it signs an ID token; a metadata
 * server; and a function endpoint that accepts only those ID tokens. Each keeps what it saw.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeProtectedHeader, type JWTPayload, jwtVerify, SignJWT } from 'jose';

export const SERVICE_ACCOUNT_EMAIL = 'broker@test-project.iam.gserviceaccount.com';
export const SERVICE_ACCOUNT_KEY_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const GOOGLE_KEY_ID = 'google-test-signing-key';

/** How the token endpoint answers, by the second segment of its path (/token/<behaviour>/...). */
export type TokenBehaviour =
  | 'ok'
  /** An ID token that expires 6 minutes after it is issued. */
  | 'short'
  /** Answers after 200 ms, so that concurrent deliveries overlap. */
  | 'slow'
  | 'unavailable'
  | 'invalid-grant'
  /** A 400 whose error_description repeats the assertion it got, as a careless proxy might. */
  | 'echo'
  /** A 200 with an access token only, as for a grant without target_audience. */
  | 'no-id-token';

/** What the metadata server does: answer, 404 (no service account), or answer without its Metadata-Flavor header. */
export type MetadataBehaviour = 'ok' | 'not-found' | 'no-flavor';

/** A delivery the function endpoint accepted the token of. */
export interface ReceivedCall {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
  /** The `aud` of the ID token it came with. */
  readonly audience: string;
  readonly token: string;
}

export interface FakeGoogle {
  /** http://127.0.0.1:port of the token endpoint. */
  readonly tokenBase: string;
  /** http://127.0.0.1:port of the function: /<ok|retryable|permanent|hang|unauthorized|forbidden>/... */
  readonly functionBase: string;
  /** host:port of the metadata server, as GCE_METADATA_HOST takes it. */
  readonly metadataHost: string;
  /** The PEM of the service account's private key, to check that no message ever holds it. */
  readonly privateKeyPem: string;
  /** Writes a service account key file whose token_uri is `tokenPath` on the token endpoint. */
  keyFile(tokenPath: string, overrides?: Record<string, unknown>): string;
  /** Writes any file into the fake's directory (a damaged key file). */
  file(name: string, text: string): string;
  /** Token requests made to `tokenPath` so far. */
  tokenRequests(tokenPath: string): number;
  /** The verified claims of every assertion the token endpoint took, and its JOSE header. */
  readonly assertions: { claims: JWTPayload; kid: string | undefined }[];
  /** Every assertion and ID token that crossed the wire: none may appear in an error message. */
  readonly credentialsSeen: string[];
  readonly received: ReceivedCall[];
  readonly metadata: {
    behaviour: MetadataBehaviour;
    requests: number;
    lastQuery: URLSearchParams | undefined;
  };
  close(): Promise<void>;
}

export async function startFakeGoogle(): Promise<FakeGoogle> {
  const serviceAccount = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const google = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = serviceAccount.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const dir = mkdtempSync(join(tmpdir(), 'fake-google-'));
  const counts = new Map<string, number>();
  const assertions: FakeGoogle['assertions'] = [];
  const credentialsSeen: string[] = [];
  const received: ReceivedCall[] = [];
  const metadata: FakeGoogle['metadata'] = { behaviour: 'ok', requests: 0, lastQuery: undefined };

  const issueIdToken = async (audience: string, lifetimeS: number): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ email: SERVICE_ACCOUNT_EMAIL, email_verified: true })
      .setProtectedHeader({ alg: 'RS256', kid: GOOGLE_KEY_ID, typ: 'JWT' })
      .setIssuer('https://accounts.google.com')
      .setSubject('109876543210987654321')
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + lifetimeS)
      .sign(google.privateKey);
    credentialsSeen.push(token);
    return token;
  };

  const tokenServer = await listen(async (req, res, body) => {
    const url = new URL(req.url ?? '/', tokenBase);
    counts.set(url.pathname, (counts.get(url.pathname) ?? 0) + 1);
    const behaviour = url.pathname.split('/')[2] as TokenBehaviour;
    const form = new URLSearchParams(body.toString());
    const assertion = form.get('assertion') ?? '';
    credentialsSeen.push(assertion);
    let claims: JWTPayload;
    try {
      claims = await verifyAssertion(form, serviceAccount.publicKey, url.href);
      assertions.push({ claims, kid: decodeProtectedHeader(assertion).kid });
    } catch (err) {
      return json(res, 400, { error: 'invalid_grant', error_description: (err as Error).message });
    }
    if (behaviour === 'slow') await sleep(200);
    if (behaviour === 'unavailable')
      return json(res, 503, { error: 'internal_failure', error_description: 'Backend Error' });
    if (behaviour === 'invalid-grant')
      return json(res, 400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
    if (behaviour === 'echo')
      return json(res, 400, { error: 'invalid_request', error_description: `cannot use ${assertion}` });
    if (behaviour === 'no-id-token') return json(res, 200, { access_token: 'ya29.not-an-id-token' });
    const idToken = await issueIdToken(String(claims['target_audience']), behaviour === 'short' ? 360 : 3600);
    json(res, 200, { id_token: idToken });
  });
  const tokenBase = baseOf(tokenServer);

  const functionServer = await listen(async (req, res, body) => {
    const path = req.url ?? '/';
    const behaviour = path.split('/')[1];
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if (behaviour === 'forbidden') return text(res, 403, `forbidden for ${req.headers.authorization}`);
    let audience: string;
    try {
      const { payload } = await jwtVerify(token, google.publicKey, {
        algorithms: ['RS256'],
        issuer: 'https://accounts.google.com',
      });
      audience = String(payload.aud);
    } catch (err) {
      return text(res, 401, `Unauthorized: ${(err as Error).message}`);
    }
    if (behaviour === 'unauthorized') return text(res, 401, 'Your client does not have permission');
    received.push({ path, headers: req.headers, body, audience, token });
    if (behaviour === 'hang') return; // never answers
    if (behaviour === 'retryable') return text(res, 503, 'Service Unavailable');
    if (behaviour === 'permanent') return text(res, 422, 'cannot process');
    res.writeHead(204).end();
  });

  const metadataServer = await listen(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://metadata');
    metadata.requests += 1;
    metadata.lastQuery = url.searchParams;
    if (req.headers['metadata-flavor'] !== 'Google')
      return text(res, 403, 'Missing Metadata-Flavor:Google header.');
    if (
      url.pathname !== '/computeMetadata/v1/instance/service-accounts/default/identity' ||
      metadata.behaviour === 'not-found'
    )
      return text(res, 404, 'Not Found');
    const audience = url.searchParams.get('audience');
    if (!audience) return text(res, 400, 'non-empty audience parameter required');
    const idToken = await issueIdToken(audience, 3600);
    if (metadata.behaviour === 'ok') res.setHeader('metadata-flavor', 'Google');
    res.writeHead(200, { 'content-type': 'text/html' }).end(idToken);
  });

  const file = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  return {
    tokenBase,
    functionBase: baseOf(functionServer),
    metadataHost: baseOf(metadataServer).replace('http://', ''),
    privateKeyPem,
    keyFile(tokenPath, overrides = {}) {
      const key = {
        type: 'service_account',
        project_id: 'test-project',
        private_key_id: SERVICE_ACCOUNT_KEY_ID,
        private_key: privateKeyPem,
        client_email: SERVICE_ACCOUNT_EMAIL,
        client_id: '109876543210987654321',
        auth_uri: 'https://accounts.google.com/o/oauth2/auth',
        token_uri: `${tokenBase}${tokenPath}`,
        ...overrides,
      };
      return file(`key-${Math.random().toString(36).slice(2)}.json`, JSON.stringify(key));
    },
    file,
    tokenRequests: (tokenPath) => counts.get(tokenPath) ?? 0,
    assertions,
    credentialsSeen,
    received,
    metadata,
    async close() {
      for (const server of [tokenServer, functionServer, metadataServer]) {
        server.closeAllConnections();
        server.close();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * What Google's token endpoint checks of a JWT bearer grant: the grant type, an RS256 signature
 * by the account's key, iss = sub = the account, aud = the endpoint itself, an hour's lifetime
 * at most, and the audience of the ID token asked for.
 */
async function verifyAssertion(form: URLSearchParams, publicKey: KeyObject, endpoint: string) {
  if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
    throw new Error(`unexpected grant_type ${form.get('grant_type')}`);
  const { payload, protectedHeader } = await jwtVerify(form.get('assertion') ?? '', publicKey, {
    algorithms: ['RS256'],
    issuer: SERVICE_ACCOUNT_EMAIL,
    subject: SERVICE_ACCOUNT_EMAIL,
    audience: endpoint,
    requiredClaims: ['iat', 'exp', 'target_audience'],
  });
  if (protectedHeader.kid !== SERVICE_ACCOUNT_KEY_ID) throw new Error(`unknown kid ${protectedHeader.kid}`);
  if (payload.exp! - payload.iat! !== 3600) throw new Error('the assertion must live one hour');
  if (typeof payload['target_audience'] !== 'string') throw new Error('target_audience is not a string');
  return payload;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<void>;

async function listen(handler: Handler): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handler(req, res, Buffer.concat(chunks)).catch((err) => {
        if (!res.headersSent) text(res, 500, `fake google failed: ${(err as Error).message}`);
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

function baseOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
}
