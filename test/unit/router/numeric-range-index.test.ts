import { describe, expect, it } from 'vitest';
import { isInNumericRange, toMillionths } from '../../../broker/filters/pattern/numbers.js';
import type { NumericRange } from '../../../broker/router/index-keys.js';
import { NumericRangeIndex } from '../../../broker/router/numeric-range-index.js';
import { Random } from './generators.js';
import { IdList } from './helpers.js';

const M = 1_000_000;

function range(r: Partial<NumericRange>): NumericRange {
  return { low: -Infinity, lowInclusive: false, high: Infinity, highInclusive: false, ...r };
}

function found(index: NumericRangeIndex, value: number): number[] {
  const sink = new IdList();
  index.collect(value, sink);
  return [...sink.ids].sort((a, b) => a - b);
}

/** Whether `range` holds `value`, compared as pattern/numeric.ts compares. */
function contains(r: NumericRange, value: number): boolean {
  if (!isInNumericRange(value)) return false;
  const m = toMillionths(value);
  return (r.lowInclusive ? m >= r.low : m > r.low) && (r.highInclusive ? m <= r.high : m < r.high);
}

describe('NumericRangeIndex', () => {
  it('finds nothing when empty', () => {
    expect(found(new NumericRangeIndex(), 1)).toEqual([]);
  });

  it('tells open from closed bounds, at the bound and just beside it', () => {
    const index = new NumericRangeIndex();
    index.add(range({ low: 10 * M }), 0); // > 10
    index.add(range({ low: 10 * M, lowInclusive: true }), 1); // >= 10
    index.add(range({ high: 10 * M }), 2); // < 10
    index.add(range({ high: 10 * M, highInclusive: true }), 3); // <= 10
    index.add(range({ low: 10 * M, lowInclusive: true, high: 10 * M, highInclusive: true }), 4); // = 10
    expect(found(index, 10)).toEqual([1, 3, 4]);
    expect(found(index, 10.000001)).toEqual([0, 1]);
    expect(found(index, 9.999999)).toEqual([2, 3]);
    // Rounded to millionths first, as the pattern compares: 10.0000001 is 10.
    expect(found(index, 10.0000001)).toEqual([1, 3, 4]);
    expect(found(index, -1e9)).toEqual([2, 3]);
    expect(found(index, 1e9)).toEqual([0, 1]);
  });

  it('finds every range that holds a number, however they overlap', () => {
    const index = new NumericRangeIndex();
    index.add(range({ low: 0, lowInclusive: true, high: 100 * M }), 0);
    index.add(range({ low: 50 * M, high: 60 * M, highInclusive: true }), 1);
    index.add(range({ low: 55 * M, lowInclusive: true }), 2);
    index.add(range({ low: 0, lowInclusive: true, high: 100 * M }), 3); // the same range twice
    expect(found(index, 55)).toEqual([0, 1, 2, 3]);
    expect(found(index, 60)).toEqual([0, 1, 2, 3]);
    expect(found(index, 60.5)).toEqual([0, 2, 3]);
    expect(found(index, 100)).toEqual([2]);
    expect(found(index, -0)).toEqual([0, 3]);
    expect(found(index, -0.1)).toEqual([]);
  });

  it('never finds a number outside the range numeric matching supports', () => {
    const index = new NumericRangeIndex();
    index.add(range({}), 0);
    index.add(range({ low: 0 }), 1);
    expect(found(index, 5e9)).toEqual([0, 1]);
    expect(found(index, 5e9 + 1)).toEqual([]);
    expect(found(index, -6e9)).toEqual([]);
  });

  it('takes ranges added after a lookup into account', () => {
    const index = new NumericRangeIndex();
    index.add(range({ low: 0 }), 0);
    expect(found(index, 1)).toEqual([0]);
    index.add(range({ high: 2 * M }), 1);
    expect(found(index, 1)).toEqual([0, 1]);
    expect(index.size).toBe(2);
  });

  it('agrees with testing every range, on random ranges and numbers', () => {
    const random = new Random(20261203);
    const bound = () => toMillionths(random.int(41) - 20 + (random.chance(0.2) ? 0.5 : 0));
    for (let round = 0; round < 200; round++) {
      const index = new NumericRangeIndex();
      const ranges: NumericRange[] = [];
      for (let id = 0, count = 1 + random.int(30); id < count; id++) {
        const roll = random.next();
        const a = bound();
        let r: NumericRange;
        if (roll < 0.25) r = range({ low: a, lowInclusive: random.chance(0.5) });
        else if (roll < 0.5) r = range({ high: a, highInclusive: random.chance(0.5) });
        else if (roll < 0.65) r = range({ low: a, lowInclusive: true, high: a, highInclusive: true });
        else {
          const b = a + toMillionths(1 + random.int(10));
          r = range({ low: a, lowInclusive: random.chance(0.5), high: b, highInclusive: random.chance(0.5) });
        }
        ranges.push(r);
        index.add(r, id);
      }
      for (let probe = 0; probe < 40; probe++) {
        const value = (random.int(61) - 30) / 2 + (random.chance(0.1) ? 0.0000004 : 0);
        const expected = ranges.flatMap((r, id) => (contains(r, value) ? [id] : []));
        expect(found(index, value), `${value} in ${JSON.stringify(ranges)}`).toEqual(expected);
      }
    }
  });
});
