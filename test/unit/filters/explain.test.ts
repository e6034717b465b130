import { describe, expect, it } from 'vitest';
import type { AttributeValue } from '../../../broker/cloudevents/event.js';
import type { FilterSpec } from '../../../broker/config/types.js';
import { explainFilters } from '../../../broker/filters/explain.js';
import { filterInput } from '../../../broker/filters/input.js';

const base = { specversion: '1.0', id: '1', source: '/orders', type: 'com.example.order' };

/** Why `filters` do not match the event; undefined when they do. */
function why(
  filters: FilterSpec[] | undefined,
  attributes: Record<string, AttributeValue> = {},
  data?: unknown,
) {
  return explainFilters(filters)(
    filterInput({
      attributes: { ...base, ...attributes },
      data: data === undefined ? { kind: 'none' } : { kind: 'json', value: data },
    }),
  );
}

describe('explainFilters', () => {
  it('matches every event without filters', () => {
    expect(why(undefined)).toBeUndefined();
    expect(why([])).toBeUndefined();
  });

  it('names the attribute that is absent or differs, for exact, prefix and suffix', () => {
    expect(why([{ exact: { subject: 'a' } }])).toBe('filters[0].exact: attribute "subject" is absent');
    expect(why([{ exact: { type: 'com.example.order', subject: 'a' } }], { subject: 'b' })).toBe(
      'filters[0].exact: attribute "subject" is "b", which is not "a"',
    );
    expect(why([{ prefix: { source: '/shop' } }])).toBe(
      'filters[0].prefix: attribute "source" is "/orders", which does not start with "/shop"',
    );
    expect(why([{ suffix: { type: '.created' } }])).toBe(
      'filters[0].suffix: attribute "type" is "com.example.order", which does not end with ".created"',
    );
    // Typed extensions are compared in their canonical string form.
    expect(why([{ exact: { count: '5' } }], { count: 5 })).toBeUndefined();
    expect(why([{ exact: { flag: 'true' } }], { flag: false })).toBe(
      'filters[0].exact: attribute "flag" is "false", which is not "true"',
    );
  });

  it('reports the first filter of the list that fails', () => {
    expect(why([{ exact: { type: 'com.example.order' } }, { exact: { source: '/x' } }])).toBe(
      'filters[1].exact: attribute "source" is "/orders", which is not "/x"',
    );
  });

  it('explains all, any and not by the path of the part that decided', () => {
    expect(why([{ all: [{ prefix: { type: 'com.' } }, { exact: { subject: 's' } }] }])).toBe(
      'filters[0].all[1].exact: attribute "subject" is absent',
    );
    expect(why([{ any: [{ exact: { subject: 's' } }, { prefix: { source: '/shop' } }] }])).toBe(
      'filters[0].any: no alternative matched (filters[0].any[0].exact: attribute "subject" is absent; ' +
        'filters[0].any[1].prefix: attribute "source" is "/orders", which does not start with "/shop")',
    );
    expect(why([{ any: [{ exact: { subject: 's' } }, { prefix: { source: '/or' } }] }])).toBeUndefined();
    expect(why([{ not: { prefix: { type: 'com.' } } }])).toBe(
      'filters[0].not: the filter it negates matches ({"prefix":{"type":"com."}})',
    );
    expect(why([{ not: { exact: { subject: 's' } } }])).toBeUndefined();
  });

  it('says whether CESQL evaluated to FALSE, to another value, or failed, with the message', () => {
    expect(why([{ sql: "type = 'com.example.order'" }])).toBeUndefined();
    expect(why([{ sql: "type = 'x'" }])).toBe('filters[0].sql: the expression evaluated to FALSE');
    expect(why([{ sql: 'source' }])).toBe(
      "filters[0].sql: the expression evaluated to '/orders' (a String), not TRUE",
    );
    expect(why([{ sql: 'INT(subject) > 3' }], { subject: 'abc' })).toBe(
      "filters[0].sql: the expression failed: cannot cast the string 'abc' to Integer (cast)",
    );
    expect(why([{ sql: 'count > 3' }])).toBe(
      "filters[0].sql: the expression failed: attribute 'count' is not present on the event (missingAttribute)",
    );
  });

  it('names the pattern field that failed, with its value and what the pattern wants', () => {
    const pattern = { type: ['com.example.order'], data: { amount: [{ numeric: ['>', 100] }] } };
    expect(why([{ pattern }], {}, { amount: 500 })).toBeUndefined();
    expect(why([{ pattern }], {}, { amount: 50 })).toBe(
      'filters[0].pattern: data.amount is 50, which matches none of [{"numeric":[">",100]}]',
    );
    expect(why([{ pattern }], {}, { total: 50 })).toBe(
      'filters[0].pattern: data.amount is absent; the pattern wants [{"numeric":[">",100]}]',
    );
    expect(why([{ pattern: { subject: ['a', 'b'] } }])).toBe(
      'filters[0].pattern: attribute "subject" is absent; the pattern wants ["a","b"]',
    );
  });

  it('never matches a filter that does not compile, and says so', () => {
    expect(why([{ sql: 'type = ' }])).toBe('filters[0].sql: the expression does not compile');
    expect(why([{ pattern: { type: 'not a list' } }])).toMatch(
      /^filters\[0\]\.pattern: the pattern does not compile/,
    );
    expect(why([{ bogus: {} } as unknown as FilterSpec])).toBe(
      'filters[0]: filter dialect "bogus" is not supported',
    );
  });
});
