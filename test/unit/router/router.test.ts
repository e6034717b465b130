import { describe, expect, it } from 'vitest';
import type { FilterSpec } from '../../../broker/config/types.js';
import { NaiveRouter, type RoutedSubscription, Router } from '../../../broker/router/router.js';
import { event, routed } from './helpers.js';

/** Subscriptions whose predicates count their calls, to see what the router evaluates. */
function counted(subscriptions: RoutedSubscription[]): {
  subscriptions: RoutedSubscription[];
  calls: () => number;
} {
  let calls = 0;
  return {
    subscriptions: subscriptions.map((s) => ({
      ...s,
      predicate: (input) => {
        calls++;
        return s.predicate(input);
      },
    })),
    calls: () => calls,
  };
}

const manyTypes = (count: number): { name: string; filters: FilterSpec[] }[] =>
  Array.from({ length: count }, (_, i) => ({
    name: `t${i}`,
    filters: [{ exact: { type: `com.example.t${i}` } }],
  }));

/**
 * A condition neither the index nor the packed terms decide (a pattern operator), added to a filter
 * list so that its predicate stays in play and counting its calls shows what the index narrowed.
 */
const opaque: FilterSpec = { pattern: { subject: [{ prefix: 'order-' }] } };

/** Like manyTypes, with a second condition only the predicate decides, so each match is evaluated. */
const manyTypesAndSubjects = (count: number): { name: string; filters: FilterSpec[] }[] =>
  Array.from({ length: count }, (_, i) => ({
    name: `t${i}`,
    filters: [{ exact: { type: `com.example.t${i}` } }, opaque],
  }));

describe('Router', () => {
  it('answers in configuration order, whichever index found each subscription', () => {
    const router = new Router(
      routed([
        { name: 'by-pattern', filters: [{ pattern: { data: { kind: ['x'] } } }] },
        { name: 'by-suffix', filters: [{ suffix: { type: '.a' } }] },
        { name: 'everything', filters: undefined },
        { name: 'by-sql', filters: [{ sql: 'x' }] },
        { name: 'by-prefix', filters: [{ prefix: { type: 'com.' } }] },
        { name: 'by-exact', filters: [{ exact: { type: 'com.example.a' } }] },
      ]),
    );
    const names = router.match(event({ type: 'com.example.a' }, { kind: 'x' }));
    const sqlMatched = names.includes('by-sql');
    expect(names).toEqual([
      'by-pattern',
      'by-suffix',
      'everything',
      ...(sqlMatched ? ['by-sql'] : []),
      'by-prefix',
      'by-exact',
    ]);
  });

  it('evaluates only the candidates an event reaches, not every subscription', () => {
    const { subscriptions, calls } = counted(routed(manyTypesAndSubjects(1000)));
    const router = new Router(subscriptions);
    expect(router.stats).toEqual({
      subscriptions: 1000,
      indexed: 1000,
      alwaysEvaluated: 0,
      decidedByIndex: 0,
      decidedByTerms: 0,
      filedUnder: { exact: 1000 },
    });
    expect(router.match(event({ type: 'com.example.t500', subject: 'order-1' }))).toEqual(['t500']);
    expect(calls()).toBe(1);
    expect(router.match(event({ type: 'com.example.t500', subject: 'invoice-1' }))).toEqual([]);
    expect(calls()).toBe(2);
    expect(router.match(event({ type: 'com.example.none', subject: 'order-1' }))).toEqual([]);
    expect(calls()).toBe(2);
  });

  it('takes an index hit as the answer where the keys decide the filter, and runs no predicate', () => {
    const { subscriptions, calls } = counted(
      routed([
        ...manyTypes(1000),
        { name: 'prefix', filters: [{ prefix: { source: '/shop/' } }] },
        { name: 'suffix', filters: [{ suffix: { type: '.t7' } }] },
        { name: 'either', filters: [{ any: [{ exact: { subject: 'a' } }, { prefix: { subject: 'b' } }] }] },
        { name: 'typed', filters: [{ exact: { count: '5' } }] },
      ]),
    );
    const router = new Router(subscriptions);
    expect(router.stats.decidedByIndex).toBe(1004);
    expect(
      router.match(event({ type: 'com.example.t7', source: '/shop/eu', subject: 'bx', count: 5 as never })),
    ).toEqual(['t7', 'prefix', 'suffix', 'either', 'typed']);
    expect(router.match(event({ type: 'com.example.t8', source: '/shop', subject: 'c' }))).toEqual(['t8']);
    expect(calls()).toBe(0);
  });

  it('tells 5 from "5" for a pattern whose string hint shares the exact table', () => {
    const { subscriptions, calls } = counted(
      routed([
        { name: 'pattern', filters: [{ pattern: { count: ['5'] } }] },
        { name: 'exact', filters: [{ exact: { count: '5' } }] },
      ]),
    );
    const router = new Router(subscriptions);
    expect(router.match(event({ type: 't', count: 5 as never }))).toEqual(['exact']);
    expect(router.match(event({ type: 't', count: '5' }))).toEqual(['pattern', 'exact']);
    // The pattern's terms decide it (conjunction-checks.ts), with the pattern's typed comparison.
    expect(calls()).toBe(0);
  });

  it('files a subscription under its rarest key: a shared type does not drag it in', () => {
    const shared = Array.from({ length: 50 }, (_, i) => ({
      name: `s${i}`,
      filters: [
        { exact: { type: 'com.example.order', subject: `customer-${i}` } },
        { pattern: { type: [{ prefix: 'com.' }] } }, // keeps the predicate in play
      ] as FilterSpec[],
    }));
    const { subscriptions, calls } = counted(routed(shared));
    const router = new Router(subscriptions);
    expect(router.match(event({ type: 'com.example.order', subject: 'customer-7' }))).toEqual(['s7']);
    expect(calls()).toBe(1);
  });

  it('takes a hit on every value of a single pattern field as the answer, arrays included', () => {
    const { subscriptions, calls } = counted(
      routed([
        { name: 'tags', filters: [{ pattern: { data: { tags: ['red', 'blue'] } } }] },
        { name: 'sku', filters: [{ pattern: { data: { items: { sku: ['x'] } } } }] },
      ]),
    );
    const router = new Router(subscriptions);
    expect(router.match(event({}, { tags: ['green', 'blue'], items: [{ sku: 'y' }, { sku: 'x' }] }))).toEqual(
      ['tags', 'sku'],
    );
    expect(router.match(event({}, { tags: 'red', items: { sku: 'y' } }))).toEqual(['tags']);
    expect(router.match(event({}, { tags: ['green'] }))).toEqual([]);
    expect(calls()).toBe(0);
  });

  it('walks prefixes over the value instead of testing each subscription', () => {
    const prefixes = Array.from({ length: 200 }, (_, i) => ({
      name: `p${i}`,
      // The pattern operator keeps the predicate in play: only p42's is run.
      filters: [{ prefix: { source: `/tenants/${i}/` } }, opaque] as FilterSpec[],
    }));
    const { subscriptions, calls } = counted(routed(prefixes));
    const router = new Router(subscriptions);
    expect(
      router.match(event({ type: 'com.example.a', source: '/tenants/42/orders', subject: 'order-1' })),
    ).toEqual(['p42']);
    expect(calls()).toBe(1);
  });

  it('evaluates a subscription reached through several keys once', () => {
    const { subscriptions, calls } = counted(
      routed([
        {
          // Two ways in, neither deciding the filter alone (the second alternative has two attributes).
          name: 'either',
          filters: [
            { any: [{ exact: { type: 'com.example.a' } }, { exact: { source: '/shop', subject: 'x' } }] },
          ],
        },
        // The exists operator keeps the predicate in play.
        { name: 'tags', filters: [{ pattern: { data: { tags: ['red', 'blue'], n: [{ exists: false }] } } }] },
      ]),
    );
    const router = new Router(subscriptions);
    expect(
      router.match(
        event({ type: 'com.example.a', source: '/shop', subject: 'x' }, { tags: ['red', 'blue', 'red'] }),
      ),
    ).toEqual(['either', 'tags']);
    expect(calls()).toBe(2);
  });

  it('reaches a pattern $or through each branch, evaluating it once, in configuration order', () => {
    const { subscriptions, calls } = counted(
      routed([
        {
          name: 'or-top',
          filters: [{ pattern: { $or: [{ type: ['com.example.a'] }, { source: ['/shop'] }] } }],
        },
        ...manyTypes(100),
        {
          name: 'or-data',
          filters: [
            {
              pattern: {
                source: ['/shop'],
                data: { $or: [{ tags: ['red'] }, { n: [{ numeric: ['>', 5] }] }] },
              },
            },
          ],
        },
      ]),
    );
    const router = new Router(subscriptions);
    expect(router.stats.alwaysEvaluated).toBe(0);
    // or-top is reached through both of its branches' keys, and evaluated once.
    expect(router.match(event({ type: 'com.example.a', source: '/shop' }, { tags: ['red'], n: 6 }))).toEqual([
      'or-top',
      'or-data',
    ]);
    expect(calls()).toBe(2);
    expect(router.match(event({ type: 'com.example.t1', source: '/elsewhere' }, { n: 6 }))).toEqual(['t1']);
    expect(calls()).toBe(2);
  });

  it('reaches rules of content operators only through their fields, not for every event', () => {
    const { subscriptions, calls } = counted(
      routed([
        { name: 'range', filters: [{ pattern: { data: { amount: [{ numeric: ['>=', 100, '<', 200] }] } } }] },
        { name: 'but', filters: [{ pattern: { data: { status: [{ 'anything-but': 'paid' }] } } }] },
        { name: 'no-coupon', filters: [{ pattern: { data: { coupon: [{ exists: false }] } } }] },
        { name: 'tenant', filters: [{ pattern: { subject: [{ prefix: 'tenants/t1/' }] } }] },
      ]),
    );
    const router = new Router(subscriptions);
    expect(router.stats).toMatchObject({
      alwaysEvaluated: 0,
      filedUnder: { numeric: 1, present: 1, absent: 1, prefix: 1 },
    });
    expect(router.match(event({ subject: 'tenants/t2/x' }, { amount: 50, coupon: 'c' }))).toEqual([]);
    expect(calls()).toBe(0);
    expect(router.match(event({ subject: 'tenants/t1/x' }, { amount: 150, status: 'new' }))).toEqual([
      'range',
      'but',
      'no-coupon',
      'tenant',
    ]);
    expect(calls()).toBe(4);
  });

  it('always evaluates subscriptions with no indexable necessary condition', () => {
    const router = new Router(
      routed([
        { name: 'none', filters: undefined },
        { name: 'negated', filters: [{ not: { exact: { type: 'com.example.a' } } }] },
        { name: 'open-any', filters: [{ any: [{ exact: { type: 'x' } }, { sql: 'y' }] }] },
        { name: 'indexed', filters: [{ exact: { type: 'x' } }] },
      ]),
    );
    expect(router.stats).toEqual({
      subscriptions: 4,
      indexed: 1,
      alwaysEvaluated: 3,
      decidedByIndex: 1,
      decidedByTerms: 1, // the negation: checked from its term, still for every event
      filedUnder: { exact: 1 },
    });
    expect(router.match(event({ type: 'com.example.b' }))).toEqual(['none', 'negated']);
  });

  it('lets the predicate decide: the index only narrows', () => {
    const router = new Router(
      routed([
        { name: 'both', filters: [{ exact: { type: 'com.example.a' } }, { exact: { subject: 'x' } }] },
      ]),
    );
    expect(router.match(event({ type: 'com.example.a', subject: 'x' }))).toEqual(['both']);
    expect(router.match(event({ type: 'com.example.a', subject: 'y' }))).toEqual([]);
    expect(router.match(event({ type: 'com.example.a' }))).toEqual([]);
  });

  it('matches typed extension values by their canonical string', () => {
    const router = new Router(
      routed([
        { name: 'count', filters: [{ exact: { count: '42' } }] },
        { name: 'flag', filters: [{ prefix: { flag: 'tr' } }] },
      ]),
    );
    expect(router.match(event({ count: 42 as unknown as string, flag: true as unknown as string }))).toEqual([
      'count',
      'flag',
    ]);
  });

  it('copes with an empty subscription set', () => {
    expect(new Router([]).match(event({ type: 'a' }))).toEqual([]);
  });
});

describe('NaiveRouter', () => {
  it('evaluates every subscription, in configuration order', () => {
    const { subscriptions, calls } = counted(routed(manyTypes(10)));
    expect(new NaiveRouter(subscriptions).match(event({ type: 'com.example.t3' }))).toEqual(['t3']);
    expect(calls()).toBe(10);
  });
});
