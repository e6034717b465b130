import { describe, expect, it } from 'vitest';
import { canonicalNumber, compilePattern, NUMERIC_LIMIT } from '../../../../broker/filters/pattern/index.js';

const matches = (pattern: unknown, event: unknown): boolean => compilePattern(pattern).matches(event);
const numeric = (operand: unknown[], value: unknown): boolean =>
  matches({ n: [{ numeric: operand }] }, { n: value });

describe('numeric', () => {
  it('compares with each single operator', () => {
    expect(numeric(['<', 10], 9)).toBe(true);
    expect(numeric(['<', 10], 10)).toBe(false);
    expect(numeric(['<=', 10], 10)).toBe(true);
    expect(numeric(['<=', 10], 10.5)).toBe(false);
    expect(numeric(['>', 10], 10)).toBe(false);
    expect(numeric(['>', 10], 11)).toBe(true);
    expect(numeric(['>=', 10], 10)).toBe(true);
    expect(numeric(['>=', 10], 9.999)).toBe(false);
    expect(numeric(['=', 301.8], 301.8)).toBe(true);
    expect(numeric(['=', 3.018e2], 301.8)).toBe(true);
    expect(numeric(['=', 301.8], 301.9)).toBe(false);
  });

  it('matches within a range, honouring open and closed ends', () => {
    const range = ['>', 0, '<=', 5];
    expect(numeric(range, 0)).toBe(false);
    expect(numeric(range, 0.000001)).toBe(true);
    expect(numeric(range, 2.5)).toBe(true);
    expect(numeric(range, 5)).toBe(true);
    expect(numeric(range, 5.000001)).toBe(false);
    expect(numeric(['>=', -10, '<', -5], -10)).toBe(true);
    expect(numeric(['>=', -10, '<', -5], -5)).toBe(false);
    expect(numeric(['>=', -10, '<', -5], -7)).toBe(true);
  });

  it('only matches JSON numbers: never numeric strings, booleans or null', () => {
    expect(numeric(['=', 5], '5')).toBe(false);
    expect(numeric(['>', 0], '10')).toBe(false);
    expect(numeric(['>=', 0], true)).toBe(false);
    expect(numeric(['<=', 0], null)).toBe(false);
    expect(numeric(['>=', 0], '')).toBe(false);
  });

  it('does not match a missing field', () => {
    expect(matches({ n: [{ numeric: ['<', 10] }] }, {})).toBe(false);
  });

  it('matches when any number of an array is in range', () => {
    expect(numeric(['>', 100], [3, 150])).toBe(true);
    expect(numeric(['>', 100], [3, '150'])).toBe(false);
  });

  it('treats negative zero as zero', () => {
    expect(numeric(['=', 0], -0)).toBe(true);
    expect(numeric(['<', 0], -0)).toBe(false);
    expect(matches({ n: [0] }, { n: -0 })).toBe(true);
  });

  describe('precision: values are compared to six decimal places', () => {
    it('treats numbers that differ only after the sixth decimal as equal', () => {
      expect(numeric(['=', 1.0000001], 1)).toBe(true);
      expect(numeric(['=', 1], 1.0000004)).toBe(true);
      expect(matches({ n: [0.1] }, { n: 0.1000000001 })).toBe(true);
    });

    it('tells apart numbers that differ at the sixth decimal', () => {
      expect(numeric(['=', 1.000001], 1)).toBe(false);
      expect(numeric(['=', 1.000001], 1.000001)).toBe(true);
      expect(matches({ n: [0.000001] }, { n: 0.000002 })).toBe(false);
    });

    it('rounds to the nearest millionth before comparing, so tiny positives are not above zero', () => {
      expect(numeric(['>', 0], 0.0000004)).toBe(false);
      expect(numeric(['>', 0], 0.0000006)).toBe(true);
      expect(numeric(['<', 0], -0.0000004)).toBe(false);
    });

    it('absorbs binary floating point error that plain comparison would see', () => {
      expect(0.1 + 0.2 === 0.3).toBe(false);
      expect(numeric(['=', 0.3], 0.1 + 0.2)).toBe(true);
      expect(numeric(['<=', 0.3], 0.1 + 0.2)).toBe(true);
    });

    it('keeps full precision at the top of the range (15 significant digits)', () => {
      expect(numeric(['=', 4999999999.999999], 4999999999.999999)).toBe(true);
      expect(numeric(['<', 4999999999.999999], 4999999999.999998)).toBe(true);
      expect(numeric(['>', -4999999999.999999], -4999999999.999998)).toBe(true);
    });
  });

  describe('range limits: -5e9 to +5e9 inclusive', () => {
    it('compares values at the limits', () => {
      expect(NUMERIC_LIMIT).toBe(5e9);
      expect(numeric(['>=', 5e9], 5e9)).toBe(true);
      expect(numeric(['<=', -5e9], -5e9)).toBe(true);
      expect(numeric(['>', 0], 4999999999)).toBe(true);
    });

    it('never matches an event number outside the range with numeric', () => {
      expect(numeric(['>', 0], 5000000001)).toBe(false);
      expect(numeric(['>', 0], 1e300)).toBe(false);
      expect(numeric(['<', 0], -5000000001)).toBe(false);
      expect(numeric(['>=', -5e9, '<=', 5e9], Number.MAX_SAFE_INTEGER)).toBe(false);
    });

    it('still matches an exact value outside the range against the identical number', () => {
      expect(matches({ n: [1e12] }, { n: 1e12 })).toBe(true);
      expect(matches({ n: [1e12] }, { n: 1e12 + 1 })).toBe(false);
      expect(matches({ n: [Number.MAX_SAFE_INTEGER] }, { n: Number.MAX_SAFE_INTEGER })).toBe(true);
      expect(matches({ n: [{ 'anything-but': 1e12 }] }, { n: 1e12 })).toBe(false);
    });

    it('does not match non-finite event numbers handed in by a non-JSON caller', () => {
      expect(numeric(['>', 0], Number.POSITIVE_INFINITY)).toBe(false);
      expect(numeric(['<', 0], Number.NEGATIVE_INFINITY)).toBe(false);
      expect(numeric(['=', 0], Number.NaN)).toBe(false);
      expect(matches({ n: [0] }, { n: Number.NaN })).toBe(false);
    });
  });

  describe('canonicalNumber', () => {
    it('maps numbers that match each other to one value', () => {
      expect(canonicalNumber(5)).toBe(5);
      expect(canonicalNumber(5.0000001)).toBe(5);
      expect(canonicalNumber(0.1 + 0.2)).toBe(0.3);
      expect(Object.is(canonicalNumber(-0), 0)).toBe(true);
      expect(Object.is(canonicalNumber(-0.0000001), 0)).toBe(true);
      expect(canonicalNumber(-2.5000004)).toBe(-2.5);
    });

    it('leaves numbers outside the comparable range unchanged', () => {
      expect(canonicalNumber(1e12 + 0.5)).toBe(1e12 + 0.5);
      expect(canonicalNumber(-6e9)).toBe(-6e9);
    });
  });
});
