import { describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../../broker/cloudevents/event.js';
import type { FilterSpec } from '../../../broker/config/types.js';
import { filterInput } from '../../../broker/filters/input.js';
import {
  ConjunctionChecks,
  NO,
  UNDECIDED,
  type Verdict,
  YES,
} from '../../../broker/router/conjunction-checks.js';
import { conjunctionTerms } from '../../../broker/router/conjunction-plan.js';
import { event, routed } from './helpers.js';

/**
 * What the packed terms of `filters` say of `incoming`, checked against the compiled predicate of
 * the same filters whenever the terms decide: they must never disagree.
 */
function verdict(filters: FilterSpec[], incoming: CloudEvent): Verdict {
  const terms = conjunctionTerms(filters);
  if (terms === undefined) throw new Error(`not a conjunction: ${JSON.stringify(filters)}`);
  // Ids 0 and 2 without terms around id 1, to show ranges stay apart.
  const checks = new ConjunctionChecks([undefined, terms, undefined]);
  expect(checks.has(0)).toBe(false);
  expect(checks.has(1)).toBe(true);
  const input = filterInput(incoming);
  const said = checks.check(1, input);
  if (said !== UNDECIDED) {
    const [subscription] = routed([{ name: 's', filters }]);
    expect(said === YES, 'terms and predicate disagree').toBe(subscription!.predicate(filterInput(incoming)));
  }
  return said;
}

const bytes = (data: unknown): CloudEvent => ({
  attributes: { specversion: '1.0', id: '1', source: '/s', type: 't', datacontenttype: 'application/json' },
  data: { kind: 'bytes', bytes: new TextEncoder().encode(JSON.stringify(data)) },
});

describe('ConjunctionChecks', () => {
  it('holds when every attribute term does, by canonical string', () => {
    const filters: FilterSpec[] = [
      { exact: { type: 'com.a', source: '/shop' } },
      { prefix: { subject: 'order-' } },
    ];
    expect(verdict(filters, event({ type: 'com.a', source: '/shop', subject: 'order-1' }))).toBe(YES);
    expect(verdict(filters, event({ type: 'com.a', source: '/shop', subject: 'invoice-1' }))).toBe(NO);
    expect(verdict(filters, event({ type: 'com.a', source: '/shop/eu', subject: 'order-1' }))).toBe(NO);
    expect(verdict(filters, event({ type: 'com.a', source: '/shop' }))).toBe(NO); // subject absent
    expect(verdict([{ suffix: { count: '42' } }], event({ count: 142 as never }))).toBe(YES);
    expect(verdict([{ exact: { flag: 'true' } }], event({ flag: true as never }))).toBe(YES);
    expect(verdict([{ exact: { type: '' } }], event({ type: '' }))).toBe(YES);
  });

  it('compares code units: no normalisation, astral characters cut like startsWith', () => {
    expect(verdict([{ exact: { type: 'é' } }], event({ type: 'e\u0301' }))).toBe(NO);
    expect(verdict([{ prefix: { type: '\ud83d' } }], event({ type: '😀x' }))).toBe(YES);
    expect(verdict([{ suffix: { type: '\ude00' } }], event({ type: 'x😀' }))).toBe(YES);
  });

  it('holds a negated term when the attribute is absent or differs', () => {
    const filters: FilterSpec[] = [{ exact: { type: 'a' } }, { not: { exact: { subject: 'test' } } }];
    expect(verdict(filters, event({ type: 'a', subject: 'order' }))).toBe(YES);
    expect(verdict(filters, event({ type: 'a' }))).toBe(YES);
    expect(verdict(filters, event({ type: 'a', subject: 'test' }))).toBe(NO);
    expect(verdict([{ not: { prefix: { subject: 'te' } } }], event({ subject: 'test' }))).toBe(NO);
  });

  it('reads attributes as the compiled filters do, prototype names included', () => {
    // `exact` reads attributes[name], which finds Object.prototype.constructor on any event.
    expect(verdict([{ prefix: { constructor: 'function' } }], event({ type: 'a' }))).toBe(YES);
    // A pattern reads own properties only.
    expect(verdict([{ pattern: { constructor: ['function Object() { [native code] }'] } }], event({}))).toBe(
      NO,
    );
  });

  it('matches pattern leaves exactly: types never cross, numbers by canonical form', () => {
    const filters: FilterSpec[] = [{ pattern: { data: { n: [5, 'x', null, false] } } }];
    expect(verdict(filters, event({}, { n: 5.0000001 }))).toBe(YES);
    expect(verdict(filters, event({}, { n: 5.000001 }))).toBe(NO);
    expect(verdict(filters, event({}, { n: '5' }))).toBe(NO);
    expect(verdict(filters, event({}, { n: 'x' }))).toBe(YES);
    expect(verdict(filters, event({}, { n: null }))).toBe(YES);
    expect(verdict(filters, event({}, { n: false }))).toBe(YES);
    expect(verdict(filters, event({}, { n: 0 }))).toBe(NO);
    expect(verdict(filters, event({}, {}))).toBe(NO); // absent: not null
    expect(verdict(filters, event({}, { n: { x: 5 } }))).toBe(NO); // an object has no leaf
    expect(verdict([{ pattern: { count: ['5'] } }], event({ count: 5 as never }))).toBe(NO);
    expect(verdict([{ pattern: { count: ['5'] } }], event({ count: '5' }))).toBe(YES);
  });

  it('follows nested objects; a step that is not an object has no fields', () => {
    const filters: FilterSpec[] = [{ pattern: { type: ['t'], data: { customer: { tier: ['gold'] } } } }];
    expect(verdict(filters, event({ type: 't' }, { customer: { tier: 'gold' } }))).toBe(YES);
    expect(verdict(filters, event({ type: 't' }, { customer: { tier: 'silver' } }))).toBe(NO);
    expect(verdict(filters, event({ type: 't' }, { customer: 'gold' }))).toBe(NO);
    expect(verdict(filters, event({ type: 't' }, 'text'))).toBe(NO);
    expect(verdict(filters, event({ type: 't' }))).toBe(NO); // no data
    expect(verdict(filters, bytes({ customer: { tier: 'gold' } }))).toBe(YES); // parsed from bytes
    expect(verdict([{ pattern: { data: ['plain'] } }], event({}, 'plain'))).toBe(YES);
  });

  it('leaves arrays to the predicate, but still answers NO when another term fails', () => {
    const filters: FilterSpec[] = [
      { exact: { type: 'a' } },
      { pattern: { data: { items: { sku: ['x'] } } } },
    ];
    expect(verdict(filters, event({ type: 'a' }, { items: [{ sku: 'x' }] }))).toBe(UNDECIDED);
    expect(verdict(filters, event({ type: 'a' }, { items: { sku: ['y', 'x'] } }))).toBe(UNDECIDED);
    expect(verdict(filters, event({ type: 'b' }, { items: [{ sku: 'x' }] }))).toBe(NO);
    const both: FilterSpec[] = [{ pattern: { data: { tags: ['red'], n: [1] } } }];
    expect(verdict(both, event({}, { tags: ['red'], n: 2 }))).toBe(NO);
    expect(verdict(both, event({}, { tags: ['red'], n: 1 }))).toBe(UNDECIDED);
  });
});
