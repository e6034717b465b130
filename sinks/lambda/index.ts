/**
 * The `lambda` sink: an AWS Lambda function, through the Invoke API
 * (`sink: { lambda: { function, qualifier, invocationType, endpoint, region } }`) or through its
 * function URL (`sink: { lambda: { functionUrl, auth, region } }`).
 */
import type { Sink, SinkBuildContext, SinkDescriptor } from '../../broker/ports/sink.js';
import { LambdaFunctionUrlSink } from './function-url-sink.js';
import { functionUrlTarget } from './function-url-target.js';
import { LambdaInvokeSink } from './invoke-sink.js';
import { invokeTarget } from './invoke-target.js';
import { LAMBDA_SETTINGS_SCHEMA, type LambdaSinkSpec } from './settings-schema.js';

export type { LambdaSinkSpec } from './settings-schema.js';

/**
 * Checks the block and builds the sink for its mode; reports at the field's path (the block's
 * for a missing or doubled mode, or a missing region) and returns undefined on a mistake.
 * `env` supplies AWS_REGION / AWS_DEFAULT_REGION; credentials are not read here but at the
 * first delivery, so that validating a manifest needs none.
 */
export function buildLambdaSink(
  { spec, path, report, concurrency }: SinkBuildContext<LambdaSinkSpec>,
  env: NodeJS.ProcessEnv = process.env,
): Sink | undefined {
  const { function: functionName, functionUrl } = spec;
  if (functionName !== undefined && functionUrl !== undefined) {
    report(path, 'set exactly one of function (the Invoke API) and functionUrl (a function URL), not both');
    return undefined;
  }
  if (functionName !== undefined) {
    const target = invokeTarget({ ...spec, function: functionName }, path, report, env);
    return target && new LambdaInvokeSink(target, concurrency);
  }
  if (functionUrl !== undefined) {
    const target = functionUrlTarget({ ...spec, functionUrl }, path, report, env);
    return target && new LambdaFunctionUrlSink(target, concurrency);
  }
  report(path, 'set exactly one of function (the Invoke API) and functionUrl (a function URL)');
  return undefined;
}

export const lambdaSink: SinkDescriptor<LambdaSinkSpec> = {
  kind: 'lambda',
  summary:
    'Invokes an AWS Lambda function through the Invoke API (the event in the CloudEvents JSON format as its payload, RequestResponse or Event) or POSTs it to its function URL (CloudEvents binary mode), signed with AWS SigV4 using the AWS default credential chain; a function error (X-Amz-Function-Error), 429 and 5xx are retried, other 4xx (such as ResourceNotFoundException) are permanent.',
  settings: LAMBDA_SETTINGS_SCHEMA,
  build: (context) => buildLambdaSink(context),
};
