import { describe, expect, it } from 'vitest';
import type { FilterSpec } from '../../../broker/config/types.js';
import { conjunctionTerms, type Term } from '../../../broker/router/conjunction-plan.js';
import { withoutImpliedTerm } from '../../../broker/router/router.js';

const attribute = (
  kind: 'exact' | 'prefix' | 'suffix',
  name: string,
  value: string,
  negated = false,
): Term => ({
  kind,
  attribute: name,
  value,
  negated,
});

describe('conjunctionTerms', () => {
  it('takes every attribute of exact, prefix and suffix bodies, across the filter list', () => {
    expect(
      conjunctionTerms([
        { exact: { type: 'com.a', source: '/shop' } },
        { prefix: { subject: 'order-' } },
        { suffix: { type: '.created' } },
      ]),
    ).toEqual([
      attribute('exact', 'type', 'com.a'),
      attribute('exact', 'source', '/shop'),
      attribute('prefix', 'subject', 'order-'),
      attribute('suffix', 'type', '.created'),
    ]);
  });

  it('reads through all, at any depth', () => {
    expect(
      conjunctionTerms([{ all: [{ exact: { type: 'a' } }, { all: [{ prefix: { source: 's' } }] }] }]),
    ).toEqual([attribute('exact', 'type', 'a'), attribute('prefix', 'source', 's')]);
  });

  it('negates a not of one attribute test, and gives up on a not of two (that is an or)', () => {
    expect(conjunctionTerms([{ exact: { type: 'a' } }, { not: { exact: { subject: 'test' } } }])).toEqual([
      attribute('exact', 'type', 'a'),
      attribute('exact', 'subject', 'test', true),
    ]);
    expect(conjunctionTerms([{ not: { prefix: { subject: 'x', source: 'y' } } }])).toBeUndefined();
    expect(conjunctionTerms([{ not: { all: [{ exact: { type: 'a' } }] } }])).toBeUndefined();
    expect(conjunctionTerms([{ not: { pattern: { type: ['a'] } } }])).toBeUndefined();
  });

  it('takes a pattern of exact value lists and nested objects, one term per leaf field', () => {
    expect(
      conjunctionTerms([
        {
          pattern: {
            type: ['a', 'b', 'a'],
            data: { region: ['eu'], customer: { tier: [5.0000001, 5, null, true] } },
          },
        },
      ]),
    ).toEqual([
      { kind: 'pattern', path: ['type'], values: ['a', 'b'] },
      { kind: 'pattern', path: ['data', 'region'], values: ['eu'] },
      // Numbers in canonical form, deduplicated under the pattern's own equality.
      { kind: 'pattern', path: ['data', 'customer', 'tier'], values: [5, null, true] },
    ]);
  });

  it('gives up on anything whose meaning is more than a conjunction of terms', () => {
    const refused: FilterSpec[][] = [
      [{ sql: "type = 'a'" }],
      [{ any: [{ exact: { type: 'a' } }, { exact: { type: 'b' } }] }],
      [{ exact: { type: 'a' } }, { any: [{ exact: { source: 'a' } }] }],
      [{ pattern: { type: [{ prefix: 'com.' }] } }],
      [{ pattern: { type: ['a', { 'anything-but': 'b' }] } }],
      [{ pattern: { $or: [{ type: ['a'] }, { source: ['b'] }] } }],
      [{ pattern: { data: { x: ['a'], $or: [{ y: ['b'] }, { z: ['c'] }] } } }],
      [{ pattern: { type: [] } }], // invalid: its predicate never matches
      [{ pattern: { type: 'a' } as never }], // invalid
      [{ exact: {} }], // passes every event
      [{ exact: { count: 5 as never } }],
      [{ all: [] }],
      [{ exact: { type: 'a' }, prefix: { source: 'b' } } as never],
      [{ unknown: 'x' } as never],
    ];
    for (const filters of refused) expect(conjunctionTerms(filters), JSON.stringify(filters)).toBeUndefined();
    expect(conjunctionTerms(undefined)).toBeUndefined();
    expect(conjunctionTerms([])).toBeUndefined();
  });
});

describe('withoutImpliedTerm', () => {
  const terms = conjunctionTerms([
    { exact: { type: 'a', source: 's' } },
    { pattern: { data: { region: ['eu', 5], tier: ['gold'] }, subject: ['x'] } },
  ])!;

  it('drops the attribute term filed under its own key, or the pattern field filed under exactly its values', () => {
    expect(withoutImpliedTerm(terms, [{ kind: 'exact', attribute: 'source', value: 's' }])).toEqual(
      terms.filter((term) => term.kind !== 'exact' || term.attribute !== 'source'),
    );
    const region = [
      { kind: 'pattern', path: ['data', 'region'], value: 5 },
      { kind: 'pattern', path: ['data', 'region'], value: 'eu' },
    ] as const;
    expect(withoutImpliedTerm(terms, region)).toEqual(
      terms.filter((term) => term.kind !== 'pattern' || term.path[1] !== 'region'),
    );
  });

  it('keeps every term a key proves less than', () => {
    const keep = (condition: Parameters<typeof withoutImpliedTerm>[1]) =>
      expect(withoutImpliedTerm(terms, condition)).toEqual(terms);
    keep([{ kind: 'prefix', attribute: 'source', value: 's' }]); // another kind
    keep([{ kind: 'exact', attribute: 'subject', value: 'x' }]); // a pattern string: 5 is not "5"
    keep([{ kind: 'pattern', path: ['data', 'region'], value: 'eu' }]); // only some of the values
    keep([
      { kind: 'exact', attribute: 'type', value: 'a' },
      { kind: 'exact', attribute: 'type', value: 'b' },
    ]);
    const negated = conjunctionTerms([{ exact: { type: 'a' } }, { not: { exact: { subject: 'x' } } }])!;
    expect(withoutImpliedTerm(negated, [{ kind: 'exact', attribute: 'subject', value: 'x' }])).toEqual(
      negated,
    );
  });
});
