import { describe, expect, it } from 'vitest';
import { canonicalNumber } from '../../../broker/filters/pattern/index.js';
import { LeafKeys } from '../../../broker/router/leaf-keys.js';
import { IdList } from './helpers.js';

function found(keys: LeafKeys, value: unknown): number[] {
  const sink = new IdList();
  keys.collect(value, sink);
  return [...new Set(sink.ids)].sort((a, b) => a - b);
}

describe('LeafKeys', () => {
  it('looks up exact values with types kept apart and numbers in canonical form', () => {
    const keys = new LeafKeys();
    keys.addExact('5', 0);
    keys.addExact(canonicalNumber(5), 1);
    keys.addExact(true, 2);
    keys.addExact(null, 3);
    expect(found(keys, '5')).toEqual([0]);
    expect(found(keys, 5.0000001)).toEqual([1]);
    expect(found(keys, true)).toEqual([2]);
    expect(found(keys, null)).toEqual([3]);
    expect(found(keys, 'true')).toEqual([]);
  });

  it('walks prefixes and suffixes over string leaves only', () => {
    const keys = new LeafKeys();
    keys.addPrefix('ab', 0);
    keys.addPrefix('5', 1);
    keys.addSuffix('yz', 2);
    keys.addPrefix('', 3); // any string
    expect(found(keys, 'abc')).toEqual([0, 3]);
    expect(found(keys, 'xyz')).toEqual([2, 3]);
    expect(found(keys, 5)).toEqual([]);
    expect(found(keys, '55')).toEqual([1, 3]);
  });

  it('finds ranges over number leaves only', () => {
    const keys = new LeafKeys();
    keys.addRange({ low: 0, lowInclusive: false, high: Infinity, highInclusive: false }, 0);
    expect(found(keys, 1)).toEqual([0]);
    expect(found(keys, '1')).toEqual([]);
    expect(found(keys, 0)).toEqual([]);
  });

  it('finds presence for any leaf: a scalar, or a scalar anywhere in an array; never an object', () => {
    const keys = new LeafKeys();
    keys.addPresent(0);
    expect(found(keys, 'x')).toEqual([0]);
    expect(found(keys, null)).toEqual([0]);
    expect(found(keys, false)).toEqual([0]);
    expect(found(keys, [[{ a: 1 }], [[3]]])).toEqual([0]);
    expect(found(keys, [])).toEqual([]);
    expect(found(keys, [{ a: 1 }, []])).toEqual([]);
    expect(found(keys, { a: 1 })).toEqual([]);
    expect(found(keys, undefined)).toEqual([]);
  });

  it('looks up every leaf of an array, nested arrays included', () => {
    const keys = new LeafKeys();
    keys.addExact('red', 0);
    keys.addPrefix('bl', 1);
    keys.addRange({ low: 10_000_000, lowInclusive: true, high: Infinity, highInclusive: false }, 2);
    expect(found(keys, ['green', ['blue', [12]]])).toEqual([1, 2]);
    expect(found(keys, ['red', { blue: 12 }])).toEqual([0]);
  });
});
