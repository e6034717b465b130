import { decodeJwt } from 'jose';
import { request } from 'undici';
import { describeNetworkError } from '../../broker/sink-kit/http-function-sink.js';
import { errorExcerpt } from '../../broker/sink-kit/http-outcome.js';
import { SinkCallError } from '../../broker/sink-kit/sink-call-error.js';
import type { IdToken } from './id-token-cache.js';

/**
 * How long a token endpoint or the metadata server gets to answer. A delivery waiting on it
 * gives up sooner, on its own timeout; the request goes on for the deliveries after it.
 */
const TOKEN_REQUEST_TIMEOUT_MS = 15_000;

/** What a token endpoint or the metadata server answered. */
export interface TokenAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

/**
 * One request to the place ID tokens come from. `endpoint` names it in messages ("the token
 * endpoint https://…"); a refused connection or a timeout is a retryable SinkCallError, since
 * the next attempt may find it back.
 */
export async function callTokenEndpoint(
  endpoint: string,
  call: { url: string; method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  signal: AbortSignal,
): Promise<TokenAnswer> {
  try {
    const res = await request(call.url, {
      method: call.method,
      headers: call.headers,
      body: call.body,
      signal,
      headersTimeout: TOKEN_REQUEST_TIMEOUT_MS,
      bodyTimeout: TOKEN_REQUEST_TIMEOUT_MS,
    });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  } catch (err) {
    const why = signal.aborted ? 'the sink was closed' : describeNetworkError(err);
    throw new SinkCallError(`could not get an ID token: no answer from ${endpoint} (${why})`, {
      retryable: true,
      cause: err,
    });
  }
}

/**
 * A token request that did not succeed. 5xx, 408 and 429 may pass later; any other status (400
 * invalid_grant for a deleted key or a skewed clock, 401, 403, 404 for a machine without a
 * service account) needs a change of configuration. The message keeps Google's `error` and
 * `error_description` and never the request (the assertion) or a token.
 */
export function refusedTokenRequest(endpoint: string, answer: TokenAnswer, hint = ''): SinkCallError {
  const { status } = answer;
  const retryable = status >= 500 || status === 408 || status === 429;
  const reason = googleErrorOf(answer.text) ?? withoutTokens(errorExcerpt(Buffer.from(answer.text)));
  return new SinkCallError(
    `could not get an ID token: ${endpoint} answered HTTP ${status}${reason ? `: ${reason}` : ''}${hint}`,
    { retryable },
  );
}

/**
 * Reads an ID token's expiry without checking its signature: the broker only carries the token,
 * the service it is for checks it. A token without `exp` cannot be cached safely.
 */
export function readIdToken(value: string, endpoint: string): IdToken {
  try {
    const { exp } = decodeJwt(value);
    if (typeof exp === 'number') return { value, expiresAtMs: exp * 1000 };
  } catch {
    // falls through to the error below, which must not quote what was received
  }
  throw new SinkCallError(
    `could not get an ID token: ${endpoint} answered with something that is not a JWT with an exp claim`,
    { retryable: false },
  );
}

/**
 * `invalid_grant: Invalid JWT Signature.` from OAuth's `{ error, error_description }`, or the
 * status and message of a Google API's `{ error: { status, message } }`.
 */
function googleErrorOf(text: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const { error, error_description: description } = body as { error?: unknown; error_description?: unknown };
  const parts: string[] = [];
  if (typeof error === 'string') parts.push(error);
  else if (typeof error === 'object' && error !== null) {
    const { status, message } = error as { status?: unknown; message?: unknown };
    if (typeof status === 'string') parts.push(status);
    if (typeof message === 'string') parts.push(message);
  }
  if (typeof description === 'string') parts.push(description);
  return parts.length === 0 ? undefined : withoutTokens(errorExcerpt(Buffer.from(parts.join(': '))));
}

/**
 * Blanks anything shaped like a JWT (a JSON header, base64url, starts `eyJ`): an endpoint or a
 * function that echoes a request must not put the assertion or an ID token into a log line or
 * a dead letter.
 */
export function withoutTokens(text: string): string {
  return text.replace(/eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*)?/g, '[token]');
}
