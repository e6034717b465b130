import { encodeBinary, type HeaderEncoding } from '../../broker/bindings/http.js';
import type { DeliveryOutcome } from '../../broker/ports/sink.js';
import { HttpFunctionSink, redactUserinfo } from '../../broker/sink-kit/http-function-sink.js';
import {
  errorExcerpt,
  failedStatus,
  type HttpAnswer,
  httpOutcome,
} from '../../broker/sink-kit/http-outcome.js';
import type { IdTokenCache } from './id-token-cache.js';
import type { GooglePlatform } from './platform.js';
import { withoutTokens } from './token-endpoint.js';

export interface GoogleSinkOptions {
  readonly platform: GooglePlatform;
  /** Where events are POSTed, as the settings give it. */
  readonly uri: string;
  /** The audience the tokens are for, named in the hint of a 401. */
  readonly audience: string;
  readonly idTokens: IdTokenCache;
  /** Connections this sink may open: the subscription's `delivery.concurrency`. */
  readonly connections: number;
  readonly headerEncoding: HeaderEncoding;
}

/**
 * Delivers a CloudEvent to a Cloud Run service or a Cloud Function: CloudEvents HTTP binary
 * mode (what Eventarc sends, and what the Functions Framework reads) with the sink's ID token
 * as a bearer token, on the shared HTTP function transport. The token is fetched inside the
 * delivery's timeout, so a slow token endpoint is a retryable timeout like a slow service.
 */
export class GoogleSink extends HttpFunctionSink {
  constructor(options: GoogleSinkOptions) {
    const { idTokens } = options;
    super({
      destination: redactUserinfo(options.uri),
      origin: new URL(options.uri).origin,
      connections: options.connections,
      async prepare(event, signal) {
        const token = await idTokens.token(signal);
        const encoded = encodeBinary(event, options.headerEncoding);
        return {
          url: options.uri,
          headers: { ...encoded.headers, authorization: `Bearer ${token}` },
          body: encoded.body,
        };
      },
      judge: (answer) => judgeGoogleAnswer(answer, options),
      onClose: () => idTokens.close(),
    });
  }
}

/**
 * The statuses read as for any HTTP function, with two additions: Google's front end answers
 * 401 for a token it does not take (most often one for another audience) and 403 for a caller
 * without the invoker role, so those say what to check; and no error text keeps anything shaped
 * like a token, in case a function echoes its request.
 */
export function judgeGoogleAnswer(
  answer: HttpAnswer,
  { platform, audience }: Pick<GoogleSinkOptions, 'platform' | 'audience'>,
): DeliveryOutcome {
  if (answer.status === 401 || answer.status === 403) {
    const excerpt = withoutTokens(errorExcerpt(answer.body));
    const hint =
      answer.status === 401
        ? `${platform.product} did not accept the ID token: is its audience "${audience}" the service's URL or one of its custom audiences (the audience setting)?`
        : `${platform.product} refused the caller: does its service account have ${platform.invokerRole} on the service?`;
    return failedStatus(
      answer.status,
      `HTTP ${answer.status}${excerpt ? `: ${excerpt}` : ''} (${hint})`,
      answer.headers,
    );
  }
  const outcome = httpOutcome(answer);
  return outcome.kind === 'ok' ? outcome : { ...outcome, error: withoutTokens(outcome.error) };
}
