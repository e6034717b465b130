import { describe, expect, it } from 'vitest';
import type { FilterSpec } from '../../../broker/config/types.js';
import { canonicalNumber } from '../../../broker/filters/pattern/index.js';
import {
  type IndexKey,
  necessaryConditions,
  sufficientCondition,
} from '../../../broker/router/index-plan.js';

const exact = (attribute: string, value: string): IndexKey => ({ kind: 'exact', attribute, value });
const prefix = (attribute: string, value: string): IndexKey => ({ kind: 'prefix', attribute, value });
const suffix = (attribute: string, value: string): IndexKey => ({ kind: 'suffix', attribute, value });

describe('necessaryConditions', () => {
  it('gives nothing for no filters', () => {
    expect(necessaryConditions(undefined)).toEqual([]);
    expect(necessaryConditions([])).toEqual([]);
  });

  it('takes each entry of a top-level exact, prefix or suffix as its own necessary condition', () => {
    expect(
      necessaryConditions([
        { exact: { type: 'com.a', subject: 'x' } },
        { prefix: { source: '/shop' } },
        { suffix: { type: '.created' } },
      ]),
    ).toEqual([
      [exact('type', 'com.a')],
      [exact('subject', 'x')],
      [prefix('source', '/shop')],
      [suffix('type', '.created')],
    ]);
  });

  it('takes every member of a top-level all, at any depth of all', () => {
    expect(
      necessaryConditions([
        { all: [{ exact: { type: 'a' } }, { all: [{ prefix: { source: 's' } }, { sql: 'true' }] }] },
      ]),
    ).toEqual([[exact('type', 'a')], [prefix('source', 's')]]);
  });

  it('turns an any of indexable alternatives into one union condition', () => {
    expect(
      necessaryConditions([
        { any: [{ exact: { type: 'a' } }, { prefix: { type: 'b.' } }, { exact: { source: 's' } }] },
      ]),
    ).toEqual([[exact('type', 'a'), prefix('type', 'b.'), exact('source', 's')]]);
  });

  it('picks the cheapest condition of each alternative for the union', () => {
    const conditions = necessaryConditions([
      { any: [{ all: [{ prefix: { type: 'c' } }, { exact: { subject: 'x' } }] }, { exact: { type: 'b' } }] },
    ]);
    expect(conditions).toEqual([[exact('subject', 'x'), exact('type', 'b')]]);
  });

  it('gives nothing for an any with one unindexable alternative: that branch could match anything', () => {
    expect(necessaryConditions([{ any: [{ exact: { type: 'a' } }, { sql: 'INT(priority) > 8' }] }])).toEqual(
      [],
    );
    expect(
      necessaryConditions([{ any: [{ exact: { type: 'a' } }, { not: { exact: { type: 'b' } } }] }]),
    ).toEqual([]);
    expect(necessaryConditions([{ any: [] }])).toEqual([]);
  });

  it('never takes a negated condition: not exact says what the event must NOT hold', () => {
    expect(necessaryConditions([{ not: { exact: { type: 'a' } } }])).toEqual([]);
    expect(necessaryConditions([{ not: { prefix: { type: 'a' } } }])).toEqual([]);
    expect(necessaryConditions([{ not: { pattern: { type: ['a'] } } }])).toEqual([]);
    expect(
      necessaryConditions([{ not: { all: [{ exact: { type: 'a' } }, { exact: { source: 'b' } }] } }]),
    ).toEqual([]);
  });

  it('applies De Morgan through not: not not x is x, not any of negations is all', () => {
    expect(necessaryConditions([{ not: { not: { exact: { type: 'a' } } } }])).toEqual([[exact('type', 'a')]]);
    // not(any[not a, not b]) = all[a, b]
    expect(
      necessaryConditions([
        { not: { any: [{ not: { exact: { type: 'a' } } }, { not: { exact: { source: 'b' } } }] } },
      ]),
    ).toEqual([[exact('type', 'a')], [exact('source', 'b')]]);
    // not(all[not a, not b]) = any[a, b]
    expect(
      necessaryConditions([
        { not: { all: [{ not: { exact: { type: 'a' } } }, { not: { exact: { source: 'b' } } }] } },
      ]),
    ).toEqual([[exact('type', 'a'), exact('source', 'b')]]);
  });

  it('takes a pattern condition per field, a value list giving the union of its entries', () => {
    expect(
      necessaryConditions([{ pattern: { data: { n: [5.0000001, true, 'x'], name: [{ prefix: 'x' }] } } }]),
    ).toEqual([
      [
        { kind: 'pattern', path: ['data', 'n'], value: canonicalNumber(5) },
        { kind: 'pattern', path: ['data', 'n'], value: true },
        { kind: 'pattern', path: ['data', 'n'], value: 'x' },
      ],
      [{ kind: 'pattern-prefix', path: ['data', 'name'], value: 'x' }],
    ]);
  });

  it('files string hints on an attribute as exact keys, and other attribute hints as pattern keys', () => {
    expect(necessaryConditions([{ pattern: { type: ['a', 'b'], count: [5, '6'], data: ['d'] } }])).toEqual([
      [exact('type', 'a'), exact('type', 'b')],
      [{ kind: 'pattern', path: ['count'], value: 5 }, exact('count', '6')],
      [{ kind: 'pattern', path: ['data'], value: 'd' }],
    ]);
  });

  it('reaches a pattern $or through each branch, and ignores invalid patterns', () => {
    expect(necessaryConditions([{ pattern: { $or: [{ type: ['a'] }, { source: ['b'] }] } }])).toEqual([
      [exact('type', 'a'), exact('source', 'b')],
    ]);
    expect(necessaryConditions([{ pattern: { type: [] } }])).toEqual([]);
    expect(necessaryConditions([{ pattern: 'not an object' } as unknown as FilterSpec])).toEqual([]);
  });

  it('reads the plain string comparisons a sql filter requires, on always-String attributes only', () => {
    const exact = (attribute: string, value: string) => ({ kind: 'exact', attribute, value });
    expect(necessaryConditions([{ sql: "type = 'a'" }])).toEqual([[exact('type', 'a')]]);
    expect(necessaryConditions([{ sql: "'a' = TYPE AND source LIKE '/t1/%'" }])).toEqual([
      [exact('type', 'a')],
      [{ kind: 'prefix', attribute: 'source', value: '/t1/' }],
    ]);
    expect(necessaryConditions([{ sql: "type = 'a' OR subject IN ('x', 'y')" }])).toEqual([
      [exact('type', 'a'), exact('subject', 'x'), exact('subject', 'y')],
    ]);
    expect(necessaryConditions([{ sql: "subject LIKE 'a\\%b'" }])).toEqual([[exact('subject', 'a%b')]]);
    // opaque: an extension (it may be an Integer, and casts apply), negations, an OR with an opaque side, functions
    for (const sql of [
      "region = 'eu'",
      "type NOT LIKE 'a%'",
      "NOT type = 'a'",
      "type = 'a' OR INT(priority) > 1",
      "LOWER(type) = 'a'",
      "type LIKE '%a'",
      'type = (',
    ]) {
      expect({ sql, conditions: necessaryConditions([{ sql }]) }).toEqual({ sql, conditions: [] });
    }
  });

  it('treats unknown dialects as opaque, and survives malformed bodies', () => {
    expect(necessaryConditions([{ regex: { type: 'a' } } as unknown as FilterSpec])).toEqual([]);
    expect(necessaryConditions([{ exact: { type: 5 } } as unknown as FilterSpec])).toEqual([]);
    expect(
      necessaryConditions([{ all: 'x' } as unknown as FilterSpec, null as unknown as FilterSpec]),
    ).toEqual([]);
  });
});

describe('sufficientCondition', () => {
  it('vouches for a single exact, prefix or suffix on one attribute', () => {
    expect(sufficientCondition([{ exact: { type: 'com.a' } }])).toEqual([exact('type', 'com.a')]);
    expect(sufficientCondition([{ prefix: { source: '/shop/' } }])).toEqual([prefix('source', '/shop/')]);
    expect(sufficientCondition([{ suffix: { type: '.created' } }])).toEqual([suffix('type', '.created')]);
  });

  it('vouches for an any of such filters, and a one-member all, at any depth', () => {
    expect(
      sufficientCondition([
        {
          any: [
            { exact: { type: 'a' } },
            { all: [{ any: [{ prefix: { source: 's' } }, { suffix: { id: 'z' } }] }] },
          ],
        },
      ]),
    ).toEqual([exact('type', 'a'), prefix('source', 's'), suffix('id', 'z')]);
  });

  it('gives nothing where the keys are necessary but not enough', () => {
    const notDecided: FilterSpec[][] = [
      [{ exact: { type: 'a', source: 's' } }], // two attributes: one key cannot vouch for both
      [{ exact: { type: 'a' } }, { prefix: { source: 's' } }], // two filters
      [{ all: [{ exact: { type: 'a' } }, { exact: { source: 's' } }] }],
      [{ any: [{ exact: { type: 'a' } }, { sql: "type = 'b'" }] }],
      [{ not: { exact: { type: 'a' } } }],
      [{ pattern: { type: ['a'] } }], // its exact key also finds the integer 5 for "5"
      [{ sql: "type = 'a'" }],
      [{ exact: {} }], // matches every event
      [{ any: [] }],
      [{ exact: { type: 5 as unknown as string } }],
      [{ exact: { type: 'a' }, prefix: { type: 'a' } } as FilterSpec],
    ];
    for (const filters of notDecided)
      expect(sufficientCondition(filters), JSON.stringify(filters)).toBeUndefined();
    expect(sufficientCondition(undefined)).toBeUndefined();
    expect(sufficientCondition([])).toBeUndefined();
  });
});
