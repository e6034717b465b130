import type { PathSegment } from '../../broker/config/yaml-document.js';
import { httpUrlSetting } from '../../broker/sink-kit/settings.js';
import type { LambdaFunctionUrlTarget } from './function-url-sink.js';
import { functionUrlRegion } from './region.js';
import { regionSetting } from './region-setting.js';
import type { LambdaSinkSpec } from './settings-schema.js';

type Report = (path: readonly PathSegment[], message: string) => void;

/** Settings of the Invoke API mode, meaningless for a function URL. */
const INVOKE_ONLY = ['qualifier', 'invocationType', 'endpoint'] as const;

/**
 * Checks the settings of the function URL mode (`functionUrl` set): every mistake is reported
 * at its field's path, all of them in one run, and then the result is undefined. A signed
 * call needs a region: the URL's own host names it (URL-ID.lambda-url.REGION.on.aws), else
 * `region` or AWS_REGION does (a custom domain, a local server).
 */
export function functionUrlTarget(
  spec: LambdaSinkSpec & { functionUrl: string },
  path: readonly PathSegment[],
  report: Report,
  env: NodeJS.ProcessEnv,
): LambdaFunctionUrlTarget | undefined {
  let valid = true;
  const fail = (at: readonly PathSegment[], message: string) => {
    valid = false;
    report(at, message);
  };
  for (const field of INVOKE_ONLY)
    if (spec[field] !== undefined && spec[field] !== null)
      fail([...path, field], `${field} applies only to function (the Invoke API), not to functionUrl`);

  const url = httpUrlSetting(spec.functionUrl, [...path, 'functionUrl'], fail);
  // Without a URL its host cannot name the region: a "no region" report would only mislead.
  if (!url) return undefined;
  if (url.username || url.password)
    fail(
      [...path, 'functionUrl'],
      'a function URL takes no user or password: with auth iam the request is signed with credentials from the AWS default chain',
    );
  // Never sent over HTTP; dropped so that the destination shows what is called.
  url.hash = '';

  const auth = spec.auth ?? 'iam';
  if (auth === 'none') return valid ? { url, auth } : undefined;
  const hostRegion = functionUrlRegion(url.hostname);
  const region = regionSetting({
    implied: hostRegion === undefined ? undefined : { region: hostRegion, by: 'the function URL' },
    setting: spec.region,
    path,
    report: fail,
    env,
    hint: 'a URL-ID.lambda-url.REGION.on.aws host names its own',
  });
  return valid && region !== undefined ? { url, auth, region } : undefined;
}
