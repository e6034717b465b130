import { describe, expect, it } from 'vitest';
import { canonicalNumber } from '../../../broker/filters/pattern/index.js';
import type { IndexKey, NecessaryCondition, NumericRange } from '../../../broker/router/index-keys.js';
import { keyWeight } from '../../../broker/router/index-plan.js';
import { patternConditions } from '../../../broker/router/pattern-conditions.js';

/** The same choice index-plan.ts makes for a `$or` branch: the lowest sum of key weights. */
function cheapest(conditions: readonly NecessaryCondition[]): NecessaryCondition | undefined {
  let best: NecessaryCondition | undefined;
  let lowest = Number.POSITIVE_INFINITY;
  for (const condition of conditions) {
    const cost = condition.reduce((sum, key) => sum + keyWeight(key), 0);
    if (cost < lowest) {
      best = condition;
      lowest = cost;
    }
  }
  return best;
}

const of = (pattern: unknown) => patternConditions(pattern, cheapest);
const exact = (attribute: string, value: string): IndexKey => ({ kind: 'exact', attribute, value });
const value = (path: string[], v: string | number | boolean | null): IndexKey => ({
  kind: 'pattern',
  path,
  value: v,
});
const present = (...path: string[]): IndexKey => ({ kind: 'present', path });
const absent = (...path: string[]): IndexKey => ({ kind: 'absent', path });
const range = (path: string[], r: Partial<NumericRange>): IndexKey => ({
  kind: 'numeric',
  path,
  range: { low: -Infinity, lowInclusive: false, high: Infinity, highInclusive: false, ...r },
});

describe('patternConditions', () => {
  it('gives a condition per field, and the fields of nested objects with their whole paths', () => {
    expect(of({ type: ['a'], data: { customer: { tier: ['gold', 'silver'] }, n: [1] } })).toEqual([
      [exact('type', 'a')],
      [value(['data', 'customer', 'tier'], 'gold'), value(['data', 'customer', 'tier'], 'silver')],
      [value(['data', 'n'], 1)],
    ]);
  });

  it('turns prefix and suffix into attribute keys on attributes, and path keys elsewhere', () => {
    expect(
      of({
        subject: [{ prefix: 'tenants/t1/' }],
        source: [{ suffix: '/eu' }],
        data: { id: [{ prefix: 'c1' }], name: [{ suffix: 'son' }] },
      }),
    ).toEqual([
      [{ kind: 'prefix', attribute: 'subject', value: 'tenants/t1/' }],
      [{ kind: 'suffix', attribute: 'source', value: '/eu' }],
      [{ kind: 'pattern-prefix', path: ['data', 'id'], value: 'c1' }],
      [{ kind: 'pattern-suffix', path: ['data', 'name'], value: 'son' }],
    ]);
    // Case-folded affixes have no exact text to look up: the field only has to have a leaf.
    expect(of({ data: { id: [{ prefix: { 'equals-ignore-case': 'ab' } }] } })).toEqual([
      [present('data', 'id')],
    ]);
  });

  it('reads the literal ends of a wildcard: the whole text, its longer end, or nothing', () => {
    expect(of({ type: [{ wildcard: 'a\\*b' }] })).toEqual([[exact('type', 'a*b')]]);
    expect(of({ type: [{ wildcard: 'com.acme.*.x' }] })).toEqual([
      [{ kind: 'prefix', attribute: 'type', value: 'com.acme.' }],
    ]);
    expect(of({ data: { x: [{ wildcard: 'a*b*.created' }] } })).toEqual([
      [{ kind: 'pattern-suffix', path: ['data', 'x'], value: '.created' }],
    ]);
    expect(of({ data: { x: [{ wildcard: '*' }] } })).toEqual([[present('data', 'x')]]);
  });

  it('turns numeric comparisons into ranges of millionths', () => {
    expect(
      of({
        data: {
          a: [{ numeric: ['>', 1.5] }],
          b: [{ numeric: ['>=', 0, '<', 10] }],
          c: [{ numeric: ['<=', -2] }],
          d: [{ numeric: ['=', 5.0000001] }],
        },
      }),
    ).toEqual([
      [range(['data', 'a'], { low: 1_500_000 })],
      [range(['data', 'b'], { low: 0, lowInclusive: true, high: 10_000_000 })],
      [range(['data', 'c'], { high: -2_000_000, highInclusive: true })],
      [range(['data', 'd'], { low: 5_000_000, lowInclusive: true, high: 5_000_000, highInclusive: true })],
    ]);
  });

  it('needs only presence for operators it cannot look up, and absence for exists false', () => {
    expect(
      of({
        data: {
          a: [{ 'anything-but': 'x' }],
          b: [{ 'anything-but': { prefix: 'x' } }],
          c: [{ exists: true }],
          d: [{ 'equals-ignore-case': 'x' }],
          e: [{ cidr: '10.0.0.0/8' }],
          f: [{ exists: false }],
        },
      }),
    ).toEqual([
      [present('data', 'a')],
      [present('data', 'b')],
      [present('data', 'c')],
      [present('data', 'd')],
      [present('data', 'e')],
      [absent('data', 'f')],
    ]);
  });

  it('unites the entries of a value list, presence covering every key that needs a leaf', () => {
    expect(of({ data: { a: ['x', { prefix: 'y' }, 5, 'x', 5.0000001] } })).toEqual([
      [
        value(['data', 'a'], 'x'),
        { kind: 'pattern-prefix', path: ['data', 'a'], value: 'y' },
        value(['data', 'a'], canonicalNumber(5)),
      ],
    ]);
    expect(of({ data: { a: ['x', { 'anything-but': 'y' }] } })).toEqual([[present('data', 'a')]]);
    expect(of({ data: { a: ['x', { exists: false }] } })).toEqual([
      [value(['data', 'a'], 'x'), absent('data', 'a')],
    ]);
    // A leaf or none: every event passes this field, so it gives no condition.
    expect(of({ data: { a: [{ exists: true }, { exists: false }] }, type: ['t'] })).toEqual([
      [exact('type', 't')],
    ]);
    expect(of({ data: { a: [{ 'anything-but': 'x' }, { exists: false }] } })).toEqual([]);
  });

  it('reaches a $or through each branch: top level, beside other fields, nested in data', () => {
    expect(of({ $or: [{ type: ['a'] }, { source: ['b'] }] })).toEqual([
      [exact('type', 'a'), exact('source', 'b')],
    ]);
    expect(
      of({ source: ['s'], $or: [{ data: { status: ['paid'] } }, { data: { n: [{ numeric: ['>', 5] }] } }] }),
    ).toEqual([
      [exact('source', 's')],
      [value(['data', 'status'], 'paid'), range(['data', 'n'], { low: 5_000_000 })],
    ]);
    expect(of({ data: { $or: [{ tags: ['vip'] }, { customer: { id: ['c1'] } }] } })).toEqual([
      [value(['data', 'tags'], 'vip'), value(['data', 'customer', 'id'], 'c1')],
    ]);
  });

  it('takes the cheapest condition of each $or branch, and dedupes keys shared by branches', () => {
    expect(
      of({
        $or: [
          { data: { a: [{ exists: true }], b: ['x'] } },
          { type: ['t'], source: [{ prefix: 's' }] },
          { type: ['t'] },
        ],
      }),
    ).toEqual([[value(['data', 'b'], 'x'), exact('type', 't')]]);
  });

  it('gives nothing for a $or with a branch that accepts every event, and nests $or in $or', () => {
    expect(of({ $or: [{ type: ['a'] }, { data: { x: [{ exists: true }, { exists: false }] } }] })).toEqual(
      [],
    );
    expect(of({ $or: [{ $or: [{ type: ['a'] }, { type: ['b'] }] }, { source: ['c'] }] })).toEqual([
      [exact('type', 'a'), exact('type', 'b'), exact('source', 'c')],
    ]);
  });

  it('gives nothing for an invalid pattern', () => {
    expect(of({ type: [] })).toEqual([]);
    expect(of({ $or: [{ type: ['a'] }] })).toEqual([]);
    expect(of({ data: { n: [{ numeric: ['>', 'x'] }] } })).toEqual([]);
    expect(of('not an object')).toEqual([]);
  });
});
