import { describe, expect, it } from 'vitest';
import type { AttributeValue } from '../../../broker/cloudevents/event.js';
import type { FilterSpec } from '../../../broker/config/types.js';
import { compileFilters } from '../../../broker/filters/compile.js';
import { EXTRA_DIALECTS } from '../../../broker/filters/dialects.js';
import { filterInput } from '../../../broker/filters/input.js';

function matcher(filters: FilterSpec[] | undefined) {
  const problems: string[] = [];
  const predicate = compileFilters(
    filters,
    ['spec', 'filters'],
    (path, message) => problems.push(`${path.join('.')}: ${message}`),
    EXTRA_DIALECTS,
  );
  return {
    problems,
    test: (attributes: Record<string, AttributeValue>, data?: unknown) =>
      predicate(
        filterInput({
          attributes,
          data: data === undefined ? { kind: 'none' } : { kind: 'json', value: data },
        }),
      ),
  };
}

const base = { specversion: '1.0', id: '1', source: '/s', type: 'com.example.a' };

describe('the six required dialects (subscriptions-api.md 3.2.4.1.1)', () => {
  it('an absent or empty filter list matches everything', () => {
    expect(matcher(undefined).test(base)).toBe(true);
    expect(matcher([]).test(base)).toBe(true);
  });

  it('exact is case sensitive and needs every named attribute to equal its value', () => {
    const m = matcher([{ exact: { type: 'com.example.a', source: '/s' } }]);
    expect(m.test(base)).toBe(true);
    expect(m.test({ ...base, type: 'com.example.A' })).toBe(false);
    expect(m.test({ ...base, source: '/s2' })).toBe(false);
  });

  it('a missing attribute never matches exact, prefix or suffix', () => {
    expect(matcher([{ exact: { subject: 'x' } }]).test(base)).toBe(false);
    expect(matcher([{ prefix: { subject: 'x' } }]).test(base)).toBe(false);
    expect(matcher([{ suffix: { subject: 'x' } }]).test(base)).toBe(false);
  });

  it('compares integer and boolean extension values in their canonical string form', () => {
    expect(matcher([{ exact: { count: '42' } }]).test({ ...base, count: 42 })).toBe(true);
    expect(matcher([{ exact: { flag: 'true' } }]).test({ ...base, flag: true })).toBe(true);
    expect(matcher([{ prefix: { count: '-1' } }]).test({ ...base, count: -17 })).toBe(true);
  });

  it('prefix and suffix compare the start and end, including the whole value and unicode', () => {
    expect(matcher([{ prefix: { type: 'com.example.' } }]).test(base)).toBe(true);
    expect(matcher([{ prefix: { type: 'com.example.a' } }]).test(base)).toBe(true);
    expect(matcher([{ prefix: { type: 'com.example.ab' } }]).test(base)).toBe(false);
    expect(matcher([{ suffix: { source: '/größe' } }]).test({ ...base, source: '/x/größe' })).toBe(true);
    expect(matcher([{ suffix: { source: '/grösse' } }]).test({ ...base, source: '/x/größe' })).toBe(false);
  });

  it('all, any and not combine, nested', () => {
    const m = matcher([
      {
        all: [
          { prefix: { type: 'com.' } },
          { any: [{ exact: { source: '/a' } }, { exact: { source: '/b' } }] },
        ],
      },
      { not: { suffix: { type: '.skip' } } },
    ]);
    expect(m.test({ ...base, source: '/a' })).toBe(true);
    expect(m.test({ ...base, source: '/b' })).toBe(true);
    expect(m.test({ ...base, source: '/c' })).toBe(false);
    expect(m.test({ ...base, source: '/a', type: 'com.x.skip' })).toBe(false);
  });

  it('every filter in the list must match', () => {
    const m = matcher([{ exact: { type: 'com.example.a' } }, { exact: { source: '/other' } }]);
    expect(m.test(base)).toBe(false);
  });
});

describe('the pattern dialect inside the filter list', () => {
  it('matches attributes and data of the JSON form', () => {
    const m = matcher([
      { pattern: { type: ['com.example.a'], data: { amount: [{ numeric: ['>', 100] }] } } },
    ]);
    expect(m.problems).toEqual([]);
    expect(m.test(base, { amount: 150 })).toBe(true);
    expect(m.test(base, { amount: 50 })).toBe(false);
  });

  it('reports a malformed pattern at the path of the fault', () => {
    const m = matcher([{ pattern: { data: { x: [{ bogus: 1 }] } } }]);
    expect(m.problems).toHaveLength(1);
    expect(m.problems[0]).toMatch(/^spec\.filters\.0\.pattern\.data\.x\.0\.bogus: pattern: /);
    expect(m.test(base, { x: 1 })).toBe(false);
  });
});
