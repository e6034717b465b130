import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpCall } from '../../broker/sink-kit/http-function-sink.js';
import { SinkCallError } from '../../broker/sink-kit/sink-call-error.js';

/** The request shape AWS's signer takes (@smithy/types HttpRequest). */
type SignableRequest = Parameters<SignatureV4['presign']>[0];

/** Resolves AWS credentials: the default chain's memoizing provider, or one a caller supplies. */
export type AwsCredentialsProvider = ReturnType<typeof defaultProvider>;

/** How much of a credential provider's error message is kept (they name the source, never a secret). */
const MAX_CAUSE_CHARS = 300;

const CHAIN =
  'the AWS default credential chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, shared config and credentials files, web identity token, container or instance metadata)';

/**
 * Signs a sink's HTTP calls with AWS Signature Version 4 (AWS General Reference, "Signing AWS API
 * requests") using AWS's own signer, with credentials from the default provider chain the AWS SDKs
 * use. One per sink: the provider memoizes what it found and refreshes temporary credentials
 * five minutes before they expire, so an attempt normally signs without any I/O.
 */
export class AwsRequestSigner {
  private readonly signer: SignatureV4;

  constructor(options: { region: string; service: string; credentials?: AwsCredentialsProvider }) {
    const credentials = options.credentials ?? defaultProvider();
    this.signer = new SignatureV4({
      service: options.service,
      region: options.region,
      sha256: Sha256,
      credentials: () => credentialsOrCallError(credentials),
    });
  }

  /**
   * The call with its SigV4 headers added (Authorization, X-Amz-Date, X-Amz-Content-Sha256 and,
   * for temporary credentials, X-Amz-Security-Token). Every header of `call` is signed, plus
   * Host, which the signature must cover and which is therefore sent explicitly. Rejects with a
   * retryable SinkCallError when no credentials can be had, and with `signal`'s reason when the
   * attempt ends first (a metadata endpoint that does not answer must not outlive it).
   */
  async sign(call: HttpCall, signal: AbortSignal): Promise<HttpCall> {
    const url = new URL(call.url);
    const request: SignableRequest = {
      method: call.method ?? 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: queryOf(url.searchParams),
      headers: { ...call.headers, host: url.host },
      body: call.body,
    };
    const signed = await untilAborted(() => this.signer.sign(request), signal);
    return { ...call, headers: signed.headers };
  }
}

/**
 * Credentials from `provider`, or a SinkCallError saying that the chain found none. Retryable:
 * credentials can appear without a configuration change (a metadata endpoint that was
 * unreachable, a web identity token file not yet written, a role being assumed).
 */
async function credentialsOrCallError(provider: AwsCredentialsProvider) {
  try {
    return await provider();
  } catch (err) {
    throw new SinkCallError(`cannot get AWS credentials from ${CHAIN}: ${causeOf(err)}`, {
      retryable: true,
      cause: err,
    });
  }
}

function causeOf(err: unknown): string {
  const message = (err as Error)?.message ?? String(err);
  return message.replace(/\s+/g, ' ').trim().slice(0, MAX_CAUSE_CHARS);
}

/** The query as the signer wants it: every value of a repeated parameter kept. */
function queryOf(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    query[name] = values.length === 1 ? values[0]! : values;
  }
  return query;
}

/** What `start` resolves to, or a rejection with the signal's reason as soon as it aborts. */
function untilAborted<T>(start: () => Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  const promise = start();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
