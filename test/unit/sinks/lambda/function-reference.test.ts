/** The Invoke API's FunctionName forms: a name, a full ARN, a partial ARN, each with an optional qualifier. */
import { describe, expect, it } from 'vitest';
import { parseFunctionReference } from '../../../../sinks/lambda/function-reference.js';

const reference = (text: string) => {
  const parsed = parseFunctionReference(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.reference;
};
const error = (text: string) => {
  const parsed = parseFunctionReference(text);
  if (parsed.ok) throw new Error(`${text} was accepted`);
  return parsed.error;
};

describe('parseFunctionReference', () => {
  it('reads a name, with or without a version or alias', () => {
    expect(reference('on-order')).toEqual({ name: 'on-order' });
    expect(reference('on_order.v2')).toEqual({ name: 'on_order.v2' });
    expect(reference('on-order:live')).toEqual({ name: 'on-order', qualifier: 'live' });
    expect(reference('on-order:$LATEST')).toEqual({ name: 'on-order', qualifier: '$LATEST' });
  });

  it('reads a full ARN: partition, region, account, name and qualifier', () => {
    expect(reference('arn:aws:lambda:eu-west-1:123456789012:function:on-order')).toEqual({
      name: 'on-order',
      partition: 'aws',
      region: 'eu-west-1',
      account: '123456789012',
    });
    expect(reference('arn:aws-cn:lambda:cn-north-1:123456789012:function:on-order:7')).toEqual({
      name: 'on-order',
      qualifier: '7',
      partition: 'aws-cn',
      region: 'cn-north-1',
      account: '123456789012',
    });
    expect(reference('arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f').region).toBe(
      'us-gov-west-1',
    );
  });

  it('reads a partial ARN: account, name and qualifier', () => {
    expect(reference('123456789012:function:on-order')).toEqual({
      name: 'on-order',
      account: '123456789012',
    });
    expect(reference('123456789012:function:on-order:live')).toEqual({
      name: 'on-order',
      account: '123456789012',
      qualifier: 'live',
    });
  });

  it('says what is wrong with a malformed full ARN', () => {
    expect(error('arn:aws:s3:eu-west-1:123456789012:function:f')).toMatch(
      /the service is "s3", not "lambda"$/,
    );
    expect(error('arn:aws:lambda:eu-west-1:123456789012:layer:f')).toMatch(
      /the resource type is "layer", not "function"$/,
    );
    expect(error('arn:aws:lambda:eu-west-1:12345:function:f')).toMatch(
      /the account "12345" is not a 12-digit/,
    );
    expect(error('arn:aws:lambda::123456789012:function:f')).toMatch(/"" is not an AWS region name/);
    expect(error('arn:azure:lambda:eu-west-1:123456789012:function:f')).toMatch(/partition "azure"/);
    expect(error('arn:aws:lambda:eu-west-1:123456789012:function')).toMatch(/expected arn:PARTITION:lambda/);
    expect(error('arn:aws:lambda:eu-west-1:123456789012:function:f:live:extra')).toMatch(
      /expected arn:PARTITION:lambda/,
    );
    expect(error('arn:aws:lambda:eu-west-1:123456789012:function:f:no.dots')).toMatch(
      /the qualifier "no.dots"/,
    );
  });

  it('says what is wrong with a malformed name or partial ARN', () => {
    expect(error('')).toMatch(/the function name "" must be 1 to 64/);
    expect(error('on order')).toMatch(/the function name "on order"/);
    expect(error('x'.repeat(65))).toMatch(/must be 1 to 64/);
    expect(error('1234:function:f')).toMatch(/^"1234:function:f" is not a partial function ARN .*12-digit/);
    expect(error('a:b:c')).toMatch(/^"a:b:c" is not a function reference: expected a function name/);
    expect(error('123456789012:function:f:live:x')).toMatch(/too many ":"-separated parts/);
  });
});
