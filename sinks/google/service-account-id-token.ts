import { SignJWT } from 'jose';
import { redactUserinfo } from '../../broker/sink-kit/http-function-sink.js';
import { SinkCallError } from '../../broker/sink-kit/sink-call-error.js';
import type { FetchIdToken } from './id-token-cache.js';
import type { ServiceAccountKey } from './service-account-key.js';
import { callTokenEndpoint, readIdToken, refusedTokenRequest } from './token-endpoint.js';

/** Google's limit for a JWT bearer assertion, and what its own libraries ask for. */
const ASSERTION_LIFETIME_S = 3600;

/**
 * Buys ID tokens for `audience` with a service account key (RFC 7523 JWT bearer grant, as
 * Google's libraries do): a signed assertion naming the account and, in `target_audience`, the
 * service the token is for, POSTed to the key file's own `token_uri`, which answers with
 * `id_token`.
 */
export function serviceAccountIdToken(key: ServiceAccountKey, audience: string): FetchIdToken {
  const endpoint = `the token endpoint ${redactUserinfo(key.tokenUri)}`;
  return async (signal) => {
    const assertion = await signAssertion(key, audience);
    const answer = await callTokenEndpoint(
      endpoint,
      {
        url: key.tokenUri,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          assertion,
        }).toString(),
      },
      signal,
    );
    if (answer.status < 200 || answer.status >= 300) throw refusedTokenRequest(endpoint, answer);
    return readIdToken(idTokenField(answer.text, endpoint), endpoint);
  };
}

/** The assertion, signed RS256 with the account's key; `kid` names which of its keys. */
export async function signAssertion(key: ServiceAccountKey, audience: string): Promise<string> {
  const issuedAt = Math.floor(Date.now() / 1000);
  try {
    return await new SignJWT({ target_audience: audience })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.privateKeyId })
      .setIssuer(key.clientEmail)
      .setSubject(key.clientEmail)
      .setAudience(key.tokenUri)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ASSERTION_LIFETIME_S)
      .sign(key.privateKey);
  } catch (err) {
    throw new SinkCallError(
      `could not sign the token request with the service account key: ${(err as Error).message}`,
      {
        retryable: false,
      },
    );
  }
}

/**
 * The `id_token` of a successful answer. Without one the endpoint understood the request as
 * something else (an access-token grant), which retrying will not change; an answer that is not
 * JSON at all is more likely a proxy's page and may pass later.
 */
function idTokenField(text: string, endpoint: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new SinkCallError(
      `could not get an ID token: ${endpoint} answered with something that is not JSON`,
      {
        retryable: true,
      },
    );
  }
  const idToken = (body as { id_token?: unknown } | null)?.id_token;
  if (typeof idToken !== 'string' || idToken === '')
    throw new SinkCallError(
      `could not get an ID token: ${endpoint} answered without an id_token (it did not take the request as one for an ID token)`,
      { retryable: false },
    );
  return idToken;
}
