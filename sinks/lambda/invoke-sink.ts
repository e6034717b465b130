import { eventToJsonText } from '../../broker/cloudevents/json-format.js';
import { HttpFunctionSink } from '../../broker/sink-kit/http-function-sink.js';
import { type AwsCredentialsProvider, AwsRequestSigner } from './aws-signer.js';
import { invokeOutcome } from './invoke-outcome.js';
import type { InvocationType } from './settings-schema.js';

/** A function to call through the Invoke API, its settings checked (invoke-target.ts). */
export interface LambdaInvokeTarget {
  /** The `function` setting as written: the Invoke API's FunctionName. */
  readonly functionName: string;
  readonly qualifier: string | undefined;
  readonly invocationType: InvocationType;
  /** The region the call is signed for. */
  readonly region: string;
  /** The Lambda API endpoint: the region's public one, or the `endpoint` setting. */
  readonly endpoint: URL;
  /** Safe to log: `lambda:` and the function's ARN, or its region and name. */
  readonly destination: string;
}

/** Payloads of an error answer or a function error kept for the message (the rest is dropped). */
const MAX_ANSWER_BYTES = 4096;

/**
 * Calls a Lambda function through the Invoke API (Lambda API reference, Invoke):
 * POST /2015-03-31/functions/FunctionName/invocations[?Qualifier=...], the event as the payload
 * in the CloudEvents JSON format (so the function's handler receives the CloudEvent as its
 * event object), X-Amz-Invocation-Type saying whether Lambda waits for the function, and a
 * SigV4 signature for the service `lambda`. The answer is read by invokeOutcome.
 */
export class LambdaInvokeSink extends HttpFunctionSink {
  constructor(target: LambdaInvokeTarget, connections: number, credentials?: AwsCredentialsProvider) {
    const signer = new AwsRequestSigner({
      region: target.region,
      service: 'lambda',
      ...(credentials ? { credentials } : {}),
    });
    const url = invokeUrl(target);
    super({
      destination: target.destination,
      origin: target.endpoint.origin,
      connections,
      // The payload of a 200 says whether the function failed, so it is read.
      readSuccessBody: true,
      maxAnswerBytes: MAX_ANSWER_BYTES,
      prepare: (event, signal) =>
        signer.sign(
          {
            url,
            headers: {
              'content-type': 'application/json',
              'x-amz-invocation-type': target.invocationType,
            },
            body: eventToJsonText(event),
          },
          signal,
        ),
      judge: invokeOutcome,
    });
  }
}

/**
 * The Invoke URL. FunctionName is one path segment, so its ":"s are percent-encoded, as the AWS
 * SDKs send it; an endpoint with a path (a proxy) keeps it as a prefix.
 */
export function invokeUrl(
  target: Pick<LambdaInvokeTarget, 'endpoint' | 'functionName' | 'qualifier'>,
): string {
  const base = `${target.endpoint.origin}${target.endpoint.pathname.replace(/\/+$/, '')}`;
  const query = target.qualifier === undefined ? '' : `?Qualifier=${encodeURIComponent(target.qualifier)}`;
  return `${base}/2015-03-31/functions/${encodeURIComponent(target.functionName)}/invocations${query}`;
}
