/**
 * Where the region of a Lambda call comes from, besides a function ARN: the function URL's host
 * and the environment variables the AWS SDKs and CLI read.
 */

/**
 * Lower-case letters, digits and hyphens, as every AWS region name is (eu-west-1,
 * us-gov-west-1, cn-north-1); kept loose so that an emulator's made-up region still passes. The
 * region becomes part of a host name and of the signature's credential scope.
 */
const REGION_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** A function URL's host: URL-ID.lambda-url.REGION.on.aws (Lambda developer guide, "Function URLs"). */
const FUNCTION_URL_HOST = /^[a-z0-9]+\.lambda-url\.([a-z0-9-]+)\.on\.aws$/;

export function isRegionName(region: string): boolean {
  return REGION_NAME.test(region);
}

/** The region a function URL's host names; undefined for another host (a custom domain, a local server). */
export function functionUrlRegion(hostname: string): string | undefined {
  return FUNCTION_URL_HOST.exec(hostname.toLowerCase())?.[1];
}

/** A region read from the environment, and the variable it came from (for messages). */
export interface EnvironmentRegion {
  readonly region: string;
  readonly variable: 'AWS_REGION' | 'AWS_DEFAULT_REGION';
}

/**
 * AWS_REGION, which the AWS SDK for JavaScript reads (and Lambda, ECS and CodeBuild set), else
 * AWS_DEFAULT_REGION, which the AWS CLI and older SDKs read. An empty variable counts as unset.
 */
export function regionFromEnvironment(env: NodeJS.ProcessEnv): EnvironmentRegion | undefined {
  for (const variable of ['AWS_REGION', 'AWS_DEFAULT_REGION'] as const) {
    const region = env[variable]?.trim();
    if (region) return { region, variable };
  }
  return undefined;
}
