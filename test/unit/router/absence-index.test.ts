import { describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../../broker/cloudevents/event.js';
import { filterInput } from '../../../broker/filters/input.js';
import { AbsenceIndex, surelyHasLeaf } from '../../../broker/router/absence-index.js';
import { event, IdList } from './helpers.js';

function found(index: AbsenceIndex, built: CloudEvent): number[] {
  const sink = new IdList();
  index.collect(built, filterInput(built), sink);
  return [...sink.ids].sort((a, b) => a - b);
}

const has = (fields: string[], built: CloudEvent) => surelyHasLeaf(fields, built, filterInput(built));

describe('surelyHasLeaf', () => {
  it('reads attributes (own only) and data as the pattern does', () => {
    expect(has(['subject'], event({ subject: 'x' }))).toBe(true);
    expect(has(['subject'], event({}))).toBe(false);
    expect(has(['constructor'], event({}))).toBe(false);
    expect(has(['data'], event({}, 'text'))).toBe(true);
    expect(has(['data'], event({}, { a: 1 }))).toBe(false); // an object is no leaf
    expect(has(['data'], event({}))).toBe(false);
  });

  it('follows objects, and counts a scalar or an array holding one as a leaf', () => {
    const built = event({}, { a: { b: 1, c: [[null]], d: [], e: [{}], f: {} }, s: 'x' });
    expect(has(['data', 'a', 'b'], built)).toBe(true);
    expect(has(['data', 'a', 'c'], built)).toBe(true);
    expect(has(['data', 'a', 'd'], built)).toBe(false);
    expect(has(['data', 'a', 'e'], built)).toBe(false);
    expect(has(['data', 'a', 'f'], built)).toBe(false);
    expect(has(['data', 'a', 'x'], built)).toBe(false);
    expect(has(['data', 's', 'x'], built)).toBe(false); // a scalar has no fields
  });

  it('is never sure through an array: one object element may lack the field', () => {
    expect(has(['data', 'items', 'sku'], event({}, { items: [{ sku: 'a' }, {}] }))).toBe(false);
    expect(has(['data', 'items', 'sku'], event({}, { items: [{ sku: 'a' }] }))).toBe(false);
    expect(has(['data', 'sku'], event({}, [{ sku: 'a' }]))).toBe(false);
  });
});

describe('AbsenceIndex', () => {
  it('hands over the subscriptions of every path the event may lack, once per path read', () => {
    const index = new AbsenceIndex();
    index.add(['data', 'coupon'], 0);
    index.add(['subject'], 1);
    index.add(['data', 'coupon'], 2);
    expect(index.size).toBe(2);
    expect(found(index, event({ subject: 's' }, { coupon: 'c' }))).toEqual([]);
    expect(found(index, event({ subject: 's' }, { coupon: {} }))).toEqual([0, 2]);
    expect(found(index, event({}, { coupon: 'c' }))).toEqual([1]);
    expect(found(index, event({}))).toEqual([0, 1, 2]);
  });
});
