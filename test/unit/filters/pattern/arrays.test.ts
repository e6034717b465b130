import { describe, expect, it } from 'vitest';
import { compilePattern } from '../../../../broker/filters/pattern/index.js';

const matches = (pattern: unknown, event: unknown): boolean => compilePattern(pattern).matches(event);

describe('arrays in the event', () => {
  it('matches a field holding an array when any element matches any listed value', () => {
    const event = { data: { tags: ['blue', 'green'] } };
    expect(matches({ data: { tags: ['green'] } }, event)).toBe(true);
    expect(matches({ data: { tags: ['red', 'blue'] } }, event)).toBe(true);
    expect(matches({ data: { tags: ['red'] } }, event)).toBe(false);
  });

  it('applies operators element by element', () => {
    const event = { data: { sizes: [1, 12, 40] } };
    expect(matches({ data: { sizes: [{ numeric: ['>', 30] }] } }, event)).toBe(true);
    expect(matches({ data: { sizes: [{ numeric: ['>', 40] }] } }, event)).toBe(false);
    expect(matches({ data: { files: [{ suffix: '.png' }] } }, { data: { files: ['a.txt', 'b.png'] } })).toBe(
      true,
    );
  });

  it('flattens arrays nested in arrays, to any depth', () => {
    const event = {
      data: {
        matrix: [
          [1, 2],
          [3, [4, [5]]],
        ],
      },
    };
    expect(matches({ data: { matrix: [5] } }, event)).toBe(true);
    expect(matches({ data: { matrix: [2] } }, event)).toBe(true);
    expect(matches({ data: { matrix: [6] } }, event)).toBe(false);
  });

  it('copes with nesting far deeper than the call stack', () => {
    let deep: unknown = ['needle'];
    for (let level = 0; level < 200_000; level++) deep = [deep];
    expect(matches({ data: ['needle'] }, { data: deep })).toBe(true);
    expect(matches({ data: ['other'] }, { data: deep })).toBe(false);
  });

  it('gives an empty array no values: only exists:false matches it', () => {
    const event = { data: { tags: [] } };
    expect(matches({ data: { tags: [''] } }, event)).toBe(false);
    expect(matches({ data: { tags: [null] } }, event)).toBe(false);
    expect(matches({ data: { tags: [{ 'anything-but': 'x' }] } }, event)).toBe(false);
    expect(matches({ data: { tags: [{ exists: true }] } }, event)).toBe(false);
    expect(matches({ data: { tags: [{ exists: false }] } }, event)).toBe(true);
  });

  it('ignores objects inside an array when matching leaf values', () => {
    const event = { data: { mixed: [{ value: 'x' }, 'x'] } };
    expect(matches({ data: { mixed: ['x'] } }, event)).toBe(true);
    expect(matches({ data: { mixed: ['y'] } }, { data: { mixed: [{ y: 1 }] } })).toBe(false);
  });

  it('matches mixed-type arrays by type: the string "1" does not equal the number 1', () => {
    const event = { data: { ids: ['1', true, null] } };
    expect(matches({ data: { ids: [1] } }, event)).toBe(false);
    expect(matches({ data: { ids: ['1'] } }, event)).toBe(true);
    expect(matches({ data: { ids: [null] } }, event)).toBe(true);
    expect(matches({ data: { ids: [true] } }, event)).toBe(true);
  });

  describe('arrays of objects', () => {
    const event = {
      data: {
        items: [
          { sku: 'A-1', qty: 1 },
          { sku: 'B-2', qty: 5 },
        ],
      },
    };

    it('matches a nested pattern against each object element', () => {
      expect(matches({ data: { items: { sku: ['B-2'] } } }, event)).toBe(true);
      expect(matches({ data: { items: { sku: ['C-3'] } } }, event)).toBe(false);
    });

    it('requires all conditions of a nested pattern to hold within the same element', () => {
      expect(matches({ data: { items: { sku: ['B-2'], qty: [5] } } }, event)).toBe(true);
      expect(matches({ data: { items: { sku: ['A-1'], qty: [5] } } }, event)).toBe(false);
    });

    it('descends through arrays at several levels of the path', () => {
      const orders = {
        data: {
          orders: [{ lines: [{ sku: 'A-1' }] }, [{ lines: [[{ sku: 'Z-9' }]] }]],
        },
      };
      expect(matches({ data: { orders: { lines: { sku: ['Z-9'] } } } }, orders)).toBe(true);
      expect(matches({ data: { orders: { lines: { sku: ['Q-0'] } } } }, orders)).toBe(false);
    });

    it('lets exists:false hold in an element that lacks the field', () => {
      expect(matches({ data: { items: { discount: [{ exists: false }] } } }, event)).toBe(true);
      const allDiscounted = { data: { items: [{ discount: 1 }, { discount: 2 }] } };
      expect(matches({ data: { items: { discount: [{ exists: false }] } } }, allDiscounted)).toBe(false);
    });
  });
});
