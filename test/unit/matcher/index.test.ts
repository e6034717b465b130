import { describe, expect, it } from 'vitest';
import { eventFromJson } from '../../../broker/cloudevents/json-format.js';
import type { FilterSpec } from '../../../broker/config/types.js';
import { compileFilters } from '../../../broker/filters/compile.js';
import { EXTRA_DIALECTS } from '../../../broker/filters/dialects.js';
import {
  compileMatcher,
  InvalidEventError,
  InvalidFiltersError,
  type MatcherSubscription,
} from '../../../broker/matcher/index.js';
import { NaiveRouter } from '../../../broker/router/router.js';

const order = {
  specversion: '1.0',
  id: 'e-1',
  source: '/shop/eu',
  type: 'com.shop.order.placed',
  subject: 'tenants/t1/orders/7',
  datacontenttype: 'application/json',
  data: { total: 250, tags: ['vip'], items: [{ sku: 'a', qty: 2 }] },
};

const subscriptions: MatcherSubscription[] = [
  { name: 'everything' },
  { name: 'no-filters', filters: [] },
  { name: 'orders', filters: [{ prefix: { type: 'com.shop.order.' } }] },
  { name: 'big', filters: [{ pattern: { data: { total: [{ numeric: ['>', 100] }] } } }] },
  { name: 'vip-eu', filters: [{ pattern: { source: [{ prefix: '/shop/eu' }], data: { tags: ['vip'] } } }] },
  { name: 'sql', filters: [{ sql: "subject LIKE 'tenants/t1/%'" }] },
  { name: 'not-orders', filters: [{ not: { exact: { type: 'com.shop.order.placed' } } }] },
  { name: 'sku-b', filters: [{ pattern: { data: { items: { sku: ['b'] } } } }] },
];

describe('compileMatcher', () => {
  it('answers the names of the matching subscriptions, in the order given', () => {
    expect(compileMatcher(subscriptions).match(order)).toEqual([
      'everything',
      'no-filters',
      'orders',
      'big',
      'vip-eu',
      'sql',
    ]);
  });

  it('gives the same answer for the JSON text and the parsed event', () => {
    const matcher = compileMatcher(subscriptions);
    const small = { ...order, type: 'com.shop.refund', data: { total: 5, items: [{ sku: 'b' }] } };
    for (const event of [order, small]) {
      expect(matcher.match(JSON.stringify(event))).toEqual(matcher.match(event));
    }
    expect(matcher.match(small)).toEqual(['everything', 'no-filters', 'sql', 'not-orders', 'sku-b']);
  });

  it('decides as a configuration does: the filters compiled with the build dialects, one at a time', () => {
    const naive = new NaiveRouter(
      subscriptions.map(({ name, filters }) => ({
        name,
        filters,
        predicate: compileFilters(filters, ['spec', 'filters'], () => {}, EXTRA_DIALECTS),
      })),
    );
    const matcher = compileMatcher(subscriptions);
    const variants = [
      order,
      { ...order, source: '/shop/us' },
      { ...order, subject: 'tenants/t2/orders/1', data: { total: 100 } },
      { ...order, data: { items: [{ sku: 'b', qty: 1 }], tags: [] } },
      { specversion: '1.0', id: 'x', source: '/other', type: 'other' },
    ];
    for (const event of variants) expect(matcher.match(event)).toEqual(naive.match(eventFromJson(event)));
  });

  it('sees data given as data_base64 with a JSON content type, as the broker does', () => {
    const { data: _data, ...attributes } = order;
    const base64 = Buffer.from(JSON.stringify({ total: 500 })).toString('base64');
    expect(compileMatcher(subscriptions).match({ ...attributes, data_base64: base64 })).toContain('big');
  });

  it('keeps its own copy of the filters', () => {
    const filters: FilterSpec[] = [{ exact: { type: 'a' } }];
    const matcher = compileMatcher([{ name: 'a', filters }]);
    (filters[0] as { exact: Record<string, string> }).exact['type'] = 'b';
    const event = { specversion: '1.0', id: '1', source: '/s', type: 'a' };
    expect(matcher.match(event)).toEqual(['a']);
  });
});

describe('invalid filters', () => {
  function problemsOf(list: unknown): string[] {
    try {
      compileMatcher(list as MatcherSubscription[]);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidFiltersError);
      const { problems, message } = error as InvalidFiltersError;
      expect(message.split('\n').slice(1)).toHaveLength(problems.length);
      return message.split('\n').slice(1);
    }
    throw new Error('compileMatcher accepted invalid filters');
  }

  it('throws one error listing every problem of every subscription, each with its name and path', () => {
    const lines = problemsOf([
      {
        name: 'a',
        filters: [{ exact: {} }, { pattern: { data: { total: [{ numeric: ['>>', 1] }] } } }],
      },
      { name: 'ok', filters: [{ exact: { type: 'x' } }] },
      { name: 'b', filters: [{ sql: 'type =' }, { exact: { type: 'x' }, prefix: { type: 'y' } }] },
      { name: 'c', filters: [{ pattern: { type: 'x' } }, { nope: 1 }] },
    ]);
    expect(lines).toEqual([
      'subscription "a" (#0), filters/0/exact: must NOT have fewer than 1 properties',
      'subscription "a" (#0), filters/1/pattern/data/total/0/numeric/0: pattern: ">>" is not a numeric operator; expected one of "=", "<", "<=", ">", ">="',
      'subscription "b" (#2), filters/0/sql: sql: expected an expression, found the end of the expression (at offset 6)',
      'subscription "b" (#2), filters/1: must have exactly one of: exact, prefix, suffix, all, any, not, sql, pattern',
      'subscription "c" (#3), filters/0/pattern/type: pattern: expected a value list (array) or a nested pattern object, got a string',
      'subscription "c" (#3), filters/1/nope: unknown field "nope" (allowed here: exact, prefix, suffix, all, any, not, sql, pattern)',
    ]);
  });

  it('keeps the problems as data: subscription, position and path within its filters', () => {
    try {
      compileMatcher([
        { name: 'n', filters: [{ any: [{ exact: { type: 'a' } }, { pattern: { $or: [] } }] }] },
      ]);
      expect.unreachable();
    } catch (error) {
      expect((error as InvalidFiltersError).problems).toEqual([
        {
          index: 0,
          subscription: 'n',
          path: [0, 'any', 1, 'pattern', '$or'],
          message: 'pattern: "$or" needs at least two branches, got 0',
        },
      ]);
    }
  });

  it('refuses names that are missing, empty or repeated, and filters that are not a list', () => {
    expect(
      problemsOf([
        { name: 'a' },
        { name: 'a' },
        { filters: [] },
        { name: '' },
        { name: 'd', filters: {} },
        7,
      ]),
    ).toEqual([
      'subscription "a" (#1): name is used by an earlier subscription',
      'subscription #2: name must be a non-empty string',
      'subscription #3: name must be a non-empty string',
      'subscription "d" (#4): filters must be a list of filters',
      'subscription #5: expected an object with a name and filters',
    ]);
  });
});

describe('invalid events', () => {
  const matcher = compileMatcher(subscriptions);

  function codeOf(event: string | object): string {
    try {
      matcher.match(event);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidEventError);
      return (error as InvalidEventError).code;
    }
    throw new Error('match accepted an invalid event');
  }

  it('refuses what is not one CloudEvent in the JSON format, with the intake code', () => {
    expect(codeOf('not json')).toBe('malformed_json');
    expect(codeOf('[]')).toBe('malformed_event');
    expect(codeOf([])).toBe('malformed_event');
    expect(codeOf({ specversion: '1.0', source: '/s', type: 't' })).toBe('missing_attribute');
    expect(codeOf({ ...order, specversion: '0.3' })).toBe('unsupported_specversion');
    expect(codeOf({ ...order, data: undefined, data_base64: 'not base64!' })).toBe('invalid_data');
  });

  it('refuses a member named twice in the text, which JSON.parse would hide', () => {
    const text = '{"specversion":"1.0","id":"1","source":"/s","type":"a","type":"com.shop.order.placed"}';
    expect(codeOf(text)).toBe('invalid_attribute');
  });

  it('refuses JSON nested too deep to handle safely', () => {
    const deep = `{"specversion":"1.0","id":"1","source":"/s","type":"a","data":${'['.repeat(1001)}${']'.repeat(1001)}}`;
    expect(codeOf(deep)).toBe('malformed_json');
  });
});
