import type { PathSegment } from '../../broker/config/yaml-document.js';
import { httpUrlSetting } from '../../broker/sink-kit/settings.js';
import { defaultLambdaEndpoint } from './endpoint.js';
import {
  type FunctionReference,
  parseFunctionReference,
  qualifierSettingProblem,
} from './function-reference.js';
import type { LambdaInvokeTarget } from './invoke-sink.js';
import { regionSetting } from './region-setting.js';
import type { LambdaSinkSpec } from './settings-schema.js';

type Report = (path: readonly PathSegment[], message: string) => void;

/**
 * Checks the settings of the Invoke API mode (`function` set) and works out where to call:
 * every mistake is reported at its field's path, all of them in one run, and then the result
 * is undefined.
 */
export function invokeTarget(
  spec: LambdaSinkSpec & { function: string },
  path: readonly PathSegment[],
  report: Report,
  env: NodeJS.ProcessEnv,
): LambdaInvokeTarget | undefined {
  let valid = true;
  const fail = (at: readonly PathSegment[], message: string) => {
    valid = false;
    report(at, message);
  };
  if (spec.auth !== undefined)
    fail([...path, 'auth'], 'auth applies only to functionUrl: the Invoke API is always signed (SigV4)');

  const parsed = parseFunctionReference(spec.function);
  if (!parsed.ok) fail([...path, 'function'], parsed.error);
  const reference = parsed.ok ? parsed.reference : undefined;

  const qualifier = spec.qualifier ?? undefined;
  if (qualifier !== undefined) {
    const problem = qualifierSettingProblem(qualifier);
    if (problem) fail([...path, 'qualifier'], problem);
    else if (reference?.qualifier !== undefined && reference.qualifier !== qualifier)
      fail(
        [...path, 'qualifier'],
        `function already names the qualifier ${reference.qualifier}, not ${qualifier}: give it in one place`,
      );
  }

  // Without a valid reference the region is unknown (the ARN may have named it): a "no region"
  // report would only mislead.
  if (!reference) return undefined;
  const region = regionSetting({
    implied:
      reference.region === undefined ? undefined : { region: reference.region, by: 'the function ARN' },
    setting: spec.region,
    path,
    report: fail,
    env,
    hint: 'or name the function by its full ARN',
  });
  const endpoint = endpointSetting(spec.endpoint, reference, region, path, fail);
  if (!valid || region === undefined || endpoint === undefined) return undefined;
  return {
    functionName: spec.function,
    qualifier,
    invocationType: spec.invocationType ?? 'RequestResponse',
    region,
    endpoint,
    destination: invokeDestination(spec.function, reference, region, qualifier),
  };
}

/** The `endpoint` setting, else the region's public Lambda endpoint (in the ARN's partition). */
function endpointSetting(
  setting: string | null | undefined,
  reference: FunctionReference,
  region: string | undefined,
  path: readonly PathSegment[],
  fail: Report,
): URL | undefined {
  if (setting !== undefined && setting !== null) {
    const url = httpUrlSetting(setting, [...path, 'endpoint'], fail);
    if (!url) return undefined;
    if (url.username || url.password || url.search || url.hash) {
      fail(
        [...path, 'endpoint'],
        'an endpoint is a scheme, host, port and optional path, without user, query or fragment: credentials come from the AWS default chain',
      );
      return undefined;
    }
    return url;
  }
  if (region === undefined) return undefined;
  const endpoint = defaultLambdaEndpoint(region, reference.partition);
  if (!endpoint)
    fail(
      [...path, 'function'],
      `the partition ${reference.partition} has no known Lambda endpoint: set endpoint to the one to call`,
    );
  return endpoint;
}

/**
 * `lambda:` and the function's full ARN as written, else its region and the name or partial
 * ARN as written (`lambda:eu-west-1:on-order`); a `qualifier` setting is appended as an ARN
 * qualifier is. Nothing in it is secret.
 */
function invokeDestination(
  written: string,
  reference: FunctionReference,
  region: string,
  qualifier: string | undefined,
): string {
  const suffix = qualifier !== undefined && reference.qualifier === undefined ? `:${qualifier}` : '';
  const where = reference.region === undefined ? `${region}:` : '';
  return `lambda:${where}${written}${suffix}`;
}
