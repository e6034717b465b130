import type { PathSegment } from '../../broker/config/yaml-document.js';
import { isRegionName, regionFromEnvironment } from './region.js';

type Report = (path: readonly PathSegment[], message: string) => void;

/** A region the call's target itself names: a function ARN's, or a function URL host's. */
export interface ImpliedRegion {
  readonly region: string;
  /** Says where it came from, for messages: "the function ARN". */
  readonly by: string;
}

/**
 * The region a Lambda call goes to and is signed for: the one the target names (the function
 * lives there, so no other would work), else the `region` setting, else AWS_REGION or
 * AWS_DEFAULT_REGION. Reports at the block's `path` (or its `region` field) and returns
 * undefined when there is none or it is not a region name, or when the setting contradicts
 * the target.
 */
export function regionSetting(options: {
  implied: ImpliedRegion | undefined;
  setting: string | null | undefined;
  path: readonly PathSegment[];
  report: Report;
  env: NodeJS.ProcessEnv;
  /** How else the target could name its region, for the message when nothing does. */
  hint: string;
}): string | undefined {
  const { implied, setting, path, report, env } = options;
  if (setting !== undefined && setting !== null) {
    if (!isRegionName(setting)) {
      report([...path, 'region'], `"${setting}" is not an AWS region name (such as eu-west-1)`);
      return undefined;
    }
    if (implied && implied.region !== setting) {
      report(
        [...path, 'region'],
        `${implied.by} names the region ${implied.region}, not ${setting}: leave region out or make them agree`,
      );
      return undefined;
    }
    return setting;
  }
  if (implied) return implied.region;
  const fromEnv = regionFromEnvironment(env);
  if (!fromEnv) {
    report(path, `no AWS region: set region, or AWS_REGION in the broker's environment (${options.hint})`);
    return undefined;
  }
  if (!isRegionName(fromEnv.region)) {
    report(
      path,
      `${fromEnv.variable} is "${fromEnv.region}", which is not an AWS region name (such as eu-west-1)`,
    );
    return undefined;
  }
  return fromEnv.region;
}
