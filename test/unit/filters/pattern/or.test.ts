import { describe, expect, it } from 'vitest';
import { compilePattern } from '../../../../broker/filters/pattern/index.js';

const matches = (pattern: unknown, event: unknown): boolean => compilePattern(pattern).matches(event);

describe('$or', () => {
  const metricOrNamespace = {
    source: ['aws.cloudwatch'],
    $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2'] }],
  };

  it('matches when its siblings match and at least one branch matches', () => {
    expect(matches(metricOrNamespace, { source: 'aws.cloudwatch', metricName: 'ReadLatency' })).toBe(true);
    expect(matches(metricOrNamespace, { source: 'aws.cloudwatch', namespace: 'AWS/EC2' })).toBe(true);
    expect(
      matches(metricOrNamespace, {
        source: 'aws.cloudwatch',
        metricName: 'CPUUtilization',
        namespace: 'AWS/EC2',
      }),
    ).toBe(true);
  });

  it('does not match when no branch matches or when a sibling fails', () => {
    expect(matches(metricOrNamespace, { source: 'aws.cloudwatch', metricName: 'DiskIO' })).toBe(false);
    expect(matches(metricOrNamespace, { source: 'aws.cloudwatch' })).toBe(false);
    expect(matches(metricOrNamespace, { source: 'aws.s3', namespace: 'AWS/EC2' })).toBe(false);
  });

  it('ANDs the fields within a branch', () => {
    const pattern = { $or: [{ a: ['1'], b: ['2'] }, { c: ['3'] }] };
    expect(matches(pattern, { a: '1', b: '2' })).toBe(true);
    expect(matches(pattern, { a: '1' })).toBe(false);
    expect(matches(pattern, { c: '3' })).toBe(true);
  });

  it('nests inside branches and inside nested objects', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization'] },
        { metricType: ['MetricType'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
      ],
      detail: { $or: [{ state: ['ALARM'] }, { previousState: ['ALARM'] }] },
    };
    const base = { source: 'aws.cloudwatch', detail: { previousState: 'ALARM' } };
    expect(matches(pattern, { ...base, metricName: 'CPUUtilization' })).toBe(true);
    expect(matches(pattern, { ...base, metricType: 'MetricType', spaceId: 1000 })).toBe(true);
    expect(matches(pattern, { ...base, metricType: 'MetricType', spaceId: 1001 })).toBe(false);
    expect(matches(pattern, { ...base, metricType: 'MetricType' })).toBe(false);
    expect(matches(pattern, { ...base, detail: { state: 'OK' }, metricName: 'CPUUtilization' })).toBe(false);
  });

  it('evaluates a nested $or against one element of an array of objects at a time', () => {
    const pattern = { data: { items: { $or: [{ sku: ['A'] }, { qty: [5] }], color: ['red'] } } };
    expect(
      matches(pattern, {
        data: {
          items: [
            { sku: 'A', color: 'blue' },
            { qty: 5, color: 'red' },
          ],
        },
      }),
    ).toBe(true);
    expect(
      matches(pattern, {
        data: {
          items: [
            { sku: 'A', color: 'blue' },
            { qty: 4, color: 'red' },
          ],
        },
      }),
    ).toBe(false);
  });

  it('combines with operators and exists in branches', () => {
    const pattern = { $or: [{ amount: [{ numeric: ['>', 1000] }] }, { flagged: [{ exists: true }] }] };
    expect(matches(pattern, { amount: 5000 })).toBe(true);
    expect(matches(pattern, { amount: 10, flagged: false })).toBe(true);
    expect(matches(pattern, { amount: 10 })).toBe(false);
    expect(matches({ $or: [{ a: [{ exists: false }] }, { b: ['x'] }] }, {})).toBe(true);
  });

  it('keeps both constraints when a field appears beside and inside a $or, whatever the key order', () => {
    const before = { a: ['1', '2'], $or: [{ a: ['2'] }, { b: ['3'] }] };
    const after = { $or: [{ a: ['2'] }, { b: ['3'] }], a: ['1', '2'] };
    for (const pattern of [before, after]) {
      expect(matches(pattern, { a: '2' })).toBe(true);
      expect(matches(pattern, { a: '1' })).toBe(false);
      expect(matches(pattern, { a: '1', b: '3' })).toBe(true);
    }
  });
});
