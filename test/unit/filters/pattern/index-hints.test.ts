import { describe, expect, it } from 'vitest';
import { canonicalNumber, compilePattern } from '../../../../broker/filters/pattern/index.js';

const hintsOf = (pattern: unknown) => compilePattern(pattern).indexHints();

/** What an index would look up: the leaves at `path`, descending through arrays at every step. */
function valuesAt(value: unknown, path: readonly string[]): unknown[] {
  if (Array.isArray(value)) return value.flatMap((element) => valuesAt(element, path));
  const [head, ...rest] = path;
  if (head === undefined) return [value];
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, head)) return [];
  return valuesAt((value as Record<string, unknown>)[head], rest);
}

describe('indexHints', () => {
  it('lists every top-level field constrained to exact values', () => {
    expect(hintsOf({ type: ['com.example.a', 'com.example.b'], source: ['/shop'] })).toEqual([
      { path: ['type'], values: ['com.example.a', 'com.example.b'] },
      { path: ['source'], values: ['/shop'] },
    ]);
  });

  it('gives nested fields their full path', () => {
    expect(hintsOf({ data: { customer: { tier: ['gold'] } } })).toEqual([
      { path: ['data', 'customer', 'tier'], values: ['gold'] },
    ]);
  });

  it('keeps every kind of exact value, deduplicated, with numbers in canonical form', () => {
    expect(hintsOf({ v: ['a', 1, 1.0, 2.0000001, true, false, null, '', 'a'] })).toEqual([
      { path: ['v'], values: ['a', 1, 2, true, false, null, ''] },
    ]);
  });

  it('skips fields whose list holds any operator, since the operator admits other values', () => {
    expect(
      hintsOf({
        a: ['x', { prefix: 'y' }],
        b: [{ exists: false }, 'z'],
        c: [{ 'anything-but': 'q' }],
        d: [{ numeric: ['=', 5] }],
        e: ['kept'],
      }),
    ).toEqual([{ path: ['e'], values: ['kept'] }]);
  });

  it('is empty when every constraint sits under $or', () => {
    expect(hintsOf({ $or: [{ type: ['a'] }, { type: ['b'] }] })).toEqual([]);
    expect(hintsOf({ data: { $or: [{ k: ['a'] }, { j: ['b'] }] } })).toEqual([]);
  });

  it('still lists the siblings of a $or, which every match must satisfy', () => {
    expect(hintsOf({ type: ['t'], $or: [{ a: ['1'] }, { b: ['2'] }] })).toEqual([
      { path: ['type'], values: ['t'] },
    ]);
  });

  it('is empty for a pattern made only of operators', () => {
    expect(hintsOf({ subject: [{ exists: true }], data: { amount: [{ numeric: ['>', 0] }] } })).toEqual([]);
  });

  it('is sound: every matching event has a hinted value at each hinted path', () => {
    const compiled = compilePattern({ type: ['a', 'b'], data: { kind: [3], size: [{ numeric: ['>', 1] }] } });
    const events = [
      { type: 'a', data: { kind: 3, size: 2 } },
      { type: ['z', 'b'], data: [{ kind: 2 }, { kind: 3.0000001, size: 9 }] },
      { type: 'a', data: { kind: [[7, 3]], size: 5 } },
      { type: 'c', data: { kind: 3, size: 2 } },
    ];
    const matching = events.filter((event) => compiled.matches(event));
    expect(matching).toHaveLength(3);
    for (const event of matching) {
      for (const hint of compiled.indexHints()) {
        const found = valuesAt(event, hint.path).map((value) =>
          typeof value === 'number' ? canonicalNumber(value) : value,
        );
        expect(found.some((value) => hint.values.includes(value as never))).toBe(true);
      }
    }
  });

  it('returns a fresh copy each time, so callers cannot corrupt the compiled pattern', () => {
    const compiled = compilePattern({ type: ['a'] });
    const first = compiled.indexHints();
    first[0]?.values.push('mutated');
    first[0]?.path.push('mutated');
    expect(compiled.indexHints()).toEqual([{ path: ['type'], values: ['a'] }]);
  });
});
