/** Where a Lambda call goes: the region's sources, the partition's endpoint, the Invoke URL. */
import { describe, expect, it } from 'vitest';
import { defaultLambdaEndpoint, partitionOfRegion } from '../../../../sinks/lambda/endpoint.js';
import { invokeUrl } from '../../../../sinks/lambda/invoke-sink.js';
import { functionUrlRegion, isRegionName, regionFromEnvironment } from '../../../../sinks/lambda/region.js';

describe('regions', () => {
  it('reads the region of a function URL host, and nothing from another host', () => {
    expect(functionUrlRegion('abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws')).toBe(
      'eu-west-1',
    );
    expect(functionUrlRegion('ABC123.LAMBDA-URL.US-EAST-2.ON.AWS')).toBe('us-east-2');
    expect(functionUrlRegion('orders.example.com')).toBeUndefined();
    expect(functionUrlRegion('127.0.0.1')).toBeUndefined();
  });

  it('prefers AWS_REGION to AWS_DEFAULT_REGION and ignores an empty one', () => {
    expect(regionFromEnvironment({ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-east-1' })).toEqual({
      region: 'eu-west-1',
      variable: 'AWS_REGION',
    });
    expect(regionFromEnvironment({ AWS_REGION: '', AWS_DEFAULT_REGION: 'us-east-1' })).toEqual({
      region: 'us-east-1',
      variable: 'AWS_DEFAULT_REGION',
    });
    expect(regionFromEnvironment({})).toBeUndefined();
  });

  it('takes lower-case letters, digits and hyphens as a region name', () => {
    expect(isRegionName('eu-west-1')).toBe(true);
    expect(isRegionName('us-gov-west-1')).toBe(true);
    expect(isRegionName('EU-WEST-1')).toBe(false);
    expect(isRegionName('eu west 1')).toBe(false);
    expect(isRegionName('evil.example.com/')).toBe(false);
  });
});

describe('the default Lambda endpoint', () => {
  it("is lambda.REGION and the partition's DNS suffix", () => {
    expect(defaultLambdaEndpoint('eu-west-1')?.href).toBe('https://lambda.eu-west-1.amazonaws.com/');
    expect(defaultLambdaEndpoint('cn-north-1')?.href).toBe('https://lambda.cn-north-1.amazonaws.com.cn/');
    expect(defaultLambdaEndpoint('us-gov-west-1')?.href).toBe('https://lambda.us-gov-west-1.amazonaws.com/');
    expect(defaultLambdaEndpoint('us-isob-east-1')?.href).toBe(
      'https://lambda.us-isob-east-1.sc2s.sgov.gov/',
    );
  });

  it("follows the ARN's partition, and knows no endpoint for an unknown one", () => {
    expect(defaultLambdaEndpoint('cn-northwest-1', 'aws-cn')?.host).toBe(
      'lambda.cn-northwest-1.amazonaws.com.cn',
    );
    expect(defaultLambdaEndpoint('xx-new-1', 'aws-future')).toBeUndefined();
  });

  it('puts a region no pattern knows in the aws partition, as the SDKs do', () => {
    expect(partitionOfRegion('us-gov-east-1')).toBe('aws-us-gov');
    expect(partitionOfRegion('ap-southeast-7')).toBe('aws');
    expect(partitionOfRegion('zz-somewhere-9')).toBe('aws');
  });
});

describe('invokeUrl', () => {
  const endpoint = new URL('https://lambda.eu-west-1.amazonaws.com');

  it('percent-encodes FunctionName as one path segment and adds the qualifier as a query', () => {
    expect(
      invokeUrl({
        endpoint,
        functionName: 'arn:aws:lambda:eu-west-1:123456789012:function:f',
        qualifier: undefined,
      }),
    ).toBe(
      'https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Af/invocations',
    );
    expect(invokeUrl({ endpoint, functionName: 'f', qualifier: '$LATEST' })).toBe(
      'https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/f/invocations?Qualifier=%24LATEST',
    );
  });

  it('keeps the path of an endpoint as a prefix', () => {
    expect(
      invokeUrl({ endpoint: new URL('http://127.0.0.1:4566/proxy/'), functionName: 'f', qualifier: 'live' }),
    ).toBe('http://127.0.0.1:4566/proxy/2015-03-31/functions/f/invocations?Qualifier=live');
  });
});
