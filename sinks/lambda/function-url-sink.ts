import { encodeBinary } from '../../broker/bindings/http.js';
import { type HttpCall, HttpFunctionSink } from '../../broker/sink-kit/http-function-sink.js';
import { type AwsCredentialsProvider, AwsRequestSigner } from './aws-signer.js';

/**
 * A function URL to call, its settings checked (function-url-target.ts): signed for `region`
 * when its auth type is AWS_IAM, sent bare when it is NONE.
 */
export type LambdaFunctionUrlTarget =
  | { readonly url: URL; readonly auth: 'iam'; readonly region: string }
  | { readonly url: URL; readonly auth: 'none' };

/**
 * Calls a Lambda function URL (Lambda developer guide, "Lambda function URLs"): the event is
 * POSTed in the CloudEvents HTTP binding, binary mode, as the plain HTTP sink sends it (the
 * function sees the attributes as ce-* headers and the data as the body, the request shape an
 * HTTP function expects), signed with SigV4 for the service `lambda` when the URL's auth type is
 * AWS_IAM. The answer is read the way every HTTP function's is: 2xx succeeds, 5xx (a 502 when the
 * function threw), 408 and 429 are retried, other 4xx (403 for a refused signature) are permanent.
 */
export class LambdaFunctionUrlSink extends HttpFunctionSink {
  constructor(target: LambdaFunctionUrlTarget, connections: number, credentials?: AwsCredentialsProvider) {
    const signer =
      target.auth === 'iam'
        ? new AwsRequestSigner({
            region: target.region,
            service: 'lambda',
            ...(credentials ? { credentials } : {}),
          })
        : undefined;
    const url = target.url.toString();
    super({
      destination: url,
      origin: target.url.origin,
      connections,
      prepare(event, signal) {
        const encoded = encodeBinary(event);
        const call: HttpCall = { url, headers: encoded.headers, body: encoded.body };
        return signer ? signer.sign(call, signal) : call;
      },
    });
  }
}
