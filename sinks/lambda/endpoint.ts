/**
 * The public Lambda API endpoint of a region: https://lambda.REGION.DNS-SUFFIX (AWS General
 * Reference, "AWS Lambda endpoints and quotas"), the DNS suffix being the partition's. The
 * partitions and their region patterns are those of the AWS SDKs' partitions.json.
 */
const PARTITIONS: readonly { readonly id: string; readonly regions: RegExp; readonly dnsSuffix: string }[] = [
  { id: 'aws', regions: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/, dnsSuffix: 'amazonaws.com' },
  { id: 'aws-cn', regions: /^cn-\w+-\d+$/, dnsSuffix: 'amazonaws.com.cn' },
  { id: 'aws-us-gov', regions: /^us-gov-\w+-\d+$/, dnsSuffix: 'amazonaws.com' },
  { id: 'aws-iso', regions: /^us-iso-\w+-\d+$/, dnsSuffix: 'c2s.ic.gov' },
  { id: 'aws-iso-b', regions: /^us-isob-\w+-\d+$/, dnsSuffix: 'sc2s.sgov.gov' },
  { id: 'aws-iso-e', regions: /^eu-isoe-\w+-\d+$/, dnsSuffix: 'cloud.adc-e.uk' },
  { id: 'aws-iso-f', regions: /^us-isof-\w+-\d+$/, dnsSuffix: 'csp.hci.ic.gov' },
  { id: 'aws-eusc', regions: /^eusc-de-\w+-\d+$/, dnsSuffix: 'amazonaws.eu' },
];

/**
 * The partition a region belongs to; a region no pattern matches is taken to be in `aws`, as the
 * SDKs do (a region newer than this table is most likely a commercial one).
 */
export function partitionOfRegion(region: string): string {
  return PARTITIONS.find((p) => p.regions.test(region))?.id ?? 'aws';
}

/**
 * The default endpoint for `region`; `partition` is the function ARN's when it has one (it wins
 * over the region's own). Undefined for a partition this table does not know: then the
 * `endpoint` setting must say where to call.
 */
export function defaultLambdaEndpoint(
  region: string,
  partition = partitionOfRegion(region),
): URL | undefined {
  const known = PARTITIONS.find((p) => p.id === partition);
  return known ? new URL(`https://lambda.${region}.${known.dnsSuffix}`) : undefined;
}
