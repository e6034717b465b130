import { headerValue } from '../../broker/sink-kit/http-outcome.js';
import { SinkCallError } from '../../broker/sink-kit/sink-call-error.js';
import type { FetchIdToken } from './id-token-cache.js';
import { callTokenEndpoint, readIdToken, refusedTokenRequest } from './token-endpoint.js';

const DEFAULT_METADATA_HOST = 'metadata.google.internal';
const IDENTITY_PATH = '/computeMetadata/v1/instance/service-accounts/default/identity';

/**
 * The metadata server's base URL. `GCE_METADATA_HOST` moves it as Google's own libraries let it
 * (gcp-metadata): host[:port], or a URL with a scheme; unset, it is metadata.google.internal.
 * Returns undefined when the variable holds something that is neither.
 */
export function metadataServerUrl(hostSetting: string | undefined): URL | undefined {
  const host = hostSetting?.trim() || DEFAULT_METADATA_HOST;
  try {
    const url = new URL(/^https?:\/\//.test(host) ? host : `http://${host}`);
    return url.pathname === '/' && !url.search ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Asks the metadata server of the machine the broker runs on (GCE, GKE, Cloud Run) for an ID
 * token of the service account attached to it. `format=full` puts the account's email and the
 * machine in the token, which Google recommends when the receiver logs who called.
 */
export function metadataIdToken(server: URL, audience: string): FetchIdToken {
  const url = new URL(IDENTITY_PATH, server);
  const endpoint = `the metadata server ${url.href}`;
  url.search = new URLSearchParams({ audience, format: 'full' }).toString();
  return async (signal) => {
    const answer = await callTokenEndpoint(
      endpoint,
      { url: url.href, method: 'GET', headers: { 'metadata-flavor': 'Google' } },
      signal,
    );
    if (answer.status < 200 || answer.status >= 300)
      throw refusedTokenRequest(
        endpoint,
        answer,
        answer.status === 404 ? ' (is a service account attached to this machine?)' : '',
      );
    // The real server always says so; anything else answering there (a captive proxy, a stray
    // DNS entry) is not given the chance to hand the broker a token of its choosing.
    if (headerValue(answer.headers, 'metadata-flavor') !== 'Google')
      throw new SinkCallError(
        `could not get an ID token: ${endpoint} answered without the Metadata-Flavor: Google header, so it is not a metadata server`,
        { retryable: false },
      );
    return readIdToken(answer.text.trim(), endpoint);
  };
}
