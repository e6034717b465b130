import type { JsonSchema } from '../../broker/ports/json-schema.js';

/** How the Invoke API runs the function (Lambda API reference, Invoke, X-Amz-Invocation-Type). */
export type InvocationType = 'RequestResponse' | 'Event';

/** Whether a function URL is called with a SigV4 signature (`iam`) or bare (`none`). */
export type FunctionUrlAuth = 'iam' | 'none';

/**
 * `sink: { lambda: { function, qualifier, invocationType, endpoint, region } }` or
 * `sink: { lambda: { functionUrl, auth, region } }`. `null` stands for "not set", as a manifest
 * template that lists every field writes it.
 */
export interface LambdaSinkSpec {
  function?: string;
  functionUrl?: string;
  qualifier?: string | null;
  invocationType?: InvocationType;
  endpoint?: string | null;
  region?: string | null;
  auth?: FunctionUrlAuth;
}

/**
 * Exactly one of `function` and `functionUrl` is set, and each mode's own fields belong to it
 * alone: the builder checks this (index.ts), since a schema `oneOf` would report "must match
 * exactly one schema" where the builder can say which field is wrong.
 */
export const LAMBDA_SETTINGS_SCHEMA: JsonSchema = {
  description:
    'An AWS Lambda function, called either through the Lambda Invoke API (`function`) or through its function URL (`functionUrl`); exactly one of the two. Requests are signed with AWS Signature Version 4, with credentials from the AWS default chain (environment variables, shared config and credentials files, web identity, container and instance metadata).',
  type: 'object',
  additionalProperties: false,
  properties: {
    function: {
      type: 'string',
      minLength: 1,
      description:
        'The function to invoke through the Invoke API, as the API takes it: a name (`my-function`, or `my-function:live` with an alias or version), a full ARN (`arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`) or a partial ARN (`ACCOUNT:function:NAME`). The event is sent as one CloudEvent in the JSON format (the function receives it as its event object). Not together with `functionUrl`.',
      examples: [
        'arn:aws:lambda:eu-west-1:123456789012:function:on-order',
        'on-order',
        '123456789012:function:on-order',
      ],
    },
    qualifier: {
      type: ['string', 'null'],
      minLength: 1,
      description:
        'A version or alias of `function` to invoke (the Invoke API `Qualifier`); by default the unqualified function ($LATEST). Only with `function`.',
      examples: ['live', '7'],
    },
    invocationType: {
      enum: ['RequestResponse', 'Event'],
      default: 'RequestResponse',
      description:
        "RequestResponse waits for the function, so that a failed run (X-Amz-Function-Error) is retried by the broker; Event hands the event to Lambda's own asynchronous queue and counts Lambda's 202 as delivered (Lambda then retries failed runs itself, per the function's asynchronous invocation settings). Only with `function`.",
      examples: ['Event'],
    },
    endpoint: {
      type: ['string', 'null'],
      minLength: 1,
      description:
        'The Lambda API endpoint to call instead of https://lambda.REGION.amazonaws.com (amazonaws.com.cn in China): an interface VPC endpoint, or an emulator such as LocalStack. Only with `function`.',
      examples: [
        'http://127.0.0.1:4566',
        'https://vpce-0123456789abcdef0-abcdefgh.lambda.eu-west-1.vpce.amazonaws.com',
      ],
    },
    region: {
      type: ['string', 'null'],
      minLength: 1,
      description:
        "The AWS region to call and to sign for, when neither the function's ARN nor the function URL's host names one; by default the AWS_REGION environment variable (else AWS_DEFAULT_REGION).",
      examples: ['eu-west-1'],
    },
    functionUrl: {
      type: 'string',
      minLength: 1,
      description:
        "The function's URL (https://URL-ID.lambda-url.REGION.on.aws/; http:// only for local testing), POSTed the event in the CloudEvents HTTP binding, binary mode, like the other HTTP sinks. Any 2xx is success. Not together with `function`.",
      examples: ['https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/'],
    },
    auth: {
      enum: ['iam', 'none'],
      default: 'iam',
      description:
        "The function URL's auth type: `iam` signs each request with AWS Signature Version 4 (the caller needs lambda:InvokeFunctionUrl), `none` sends it unsigned. Only with `functionUrl`.",
      examples: ['none'],
    },
  },
};
