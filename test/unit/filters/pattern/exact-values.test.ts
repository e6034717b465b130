import { describe, expect, it } from 'vitest';
import { compilePattern } from '../../../../broker/filters/pattern/index.js';

const matches = (pattern: unknown, event: unknown): boolean => compilePattern(pattern).matches(event);

const orderCreated = {
  specversion: '1.0',
  id: 'evt-1',
  source: '/shop/orders',
  type: 'com.example.order.created',
  subject: 'order-42',
  priority: 3,
  express: true,
  coupon: null,
  note: '',
  data: { amount: 120.5, currency: 'EUR', customer: { tier: 'gold', country: 'DE' } },
};

describe('exact values', () => {
  it('matches a string attribute against any value in the list', () => {
    expect(matches({ type: ['com.example.order.created'] }, orderCreated)).toBe(true);
    expect(matches({ type: ['com.example.order.paid', 'com.example.order.created'] }, orderCreated)).toBe(
      true,
    );
    expect(matches({ type: ['com.example.order.paid'] }, orderCreated)).toBe(false);
  });

  it('requires every field of the pattern to match and ignores fields the pattern does not name', () => {
    expect(matches({ type: ['com.example.order.created'], subject: ['order-42'] }, orderCreated)).toBe(true);
    expect(matches({ type: ['com.example.order.created'], subject: ['order-7'] }, orderCreated)).toBe(false);
  });

  it('compares strings exactly: case, surrounding space and a longer value all differ', () => {
    expect(matches({ subject: ['Order-42'] }, orderCreated)).toBe(false);
    expect(matches({ subject: ['order-42 '] }, orderCreated)).toBe(false);
    expect(matches({ subject: ['order-4'] }, orderCreated)).toBe(false);
  });

  it('compares numbers numerically, so 3 and 3.0 are one value', () => {
    expect(matches({ priority: [3] }, orderCreated)).toBe(true);
    expect(matches({ priority: [3.0] }, { priority: 3 })).toBe(true);
    expect(matches({ priority: [3] }, JSON.parse('{"priority": 3.0}'))).toBe(true);
    expect(matches({ priority: [3] }, JSON.parse('{"priority": 3e0}'))).toBe(true);
    expect(matches({ priority: [30e-1] }, { priority: 3 })).toBe(true);
    expect(matches({ priority: [4] }, orderCreated)).toBe(false);
  });

  it('never lets a string equal a number, in either direction', () => {
    expect(matches({ priority: ['3'] }, orderCreated)).toBe(false);
    expect(matches({ code: [5] }, { code: '5' })).toBe(false);
    expect(matches({ code: ['5'] }, { code: '5' })).toBe(true);
  });

  it('matches booleans only against the same boolean', () => {
    expect(matches({ express: [true] }, orderCreated)).toBe(true);
    expect(matches({ express: [false] }, orderCreated)).toBe(false);
    expect(matches({ express: ['true'] }, orderCreated)).toBe(false);
    expect(matches({ express: [1] }, orderCreated)).toBe(false);
    expect(matches({ flag: [false] }, { flag: 0 })).toBe(false);
  });

  it('matches null only against null, and the empty string only against the empty string', () => {
    expect(matches({ coupon: [null] }, orderCreated)).toBe(true);
    expect(matches({ coupon: [''] }, orderCreated)).toBe(false);
    expect(matches({ note: [''] }, orderCreated)).toBe(true);
    expect(matches({ note: [null] }, orderCreated)).toBe(false);
    expect(matches({ coupon: [false] }, orderCreated)).toBe(false);
    expect(matches({ coupon: [0] }, orderCreated)).toBe(false);
  });

  it('does not treat a missing field as null or as the empty string', () => {
    expect(matches({ dataschema: [null] }, orderCreated)).toBe(false);
    expect(matches({ dataschema: [''] }, orderCreated)).toBe(false);
  });

  it('does not match when a pattern field is absent from the event', () => {
    expect(matches({ traceparent: ['00-abc'] }, orderCreated)).toBe(false);
    expect(matches({ data: { refund: [true] } }, orderCreated)).toBe(false);
  });

  it('treats a property explicitly set to undefined as absent', () => {
    expect(matches({ subject: ['x'] }, { subject: undefined })).toBe(false);
  });

  it('matches nested objects field by field, at any depth', () => {
    expect(matches({ data: { currency: ['EUR'] } }, orderCreated)).toBe(true);
    expect(matches({ data: { customer: { tier: ['gold'], country: ['DE', 'AT'] } } }, orderCreated)).toBe(
      true,
    );
    expect(matches({ data: { customer: { tier: ['silver'] } } }, orderCreated)).toBe(false);
    expect(matches({ data: { amount: [120.5] }, source: ['/shop/orders'] }, orderCreated)).toBe(true);
  });

  it('needs the same nesting in the event: a nested pattern does not see a scalar, a leaf does not see an object', () => {
    expect(matches({ data: { currency: ['EUR'] } }, { data: 'currency=EUR' })).toBe(false);
    expect(matches({ data: ['EUR'] }, { data: { currency: 'EUR' } })).toBe(false);
    expect(matches({ data: { customer: ['gold'] } }, orderCreated)).toBe(false);
  });

  it('reads a dotted key as one field name, not as a path', () => {
    expect(matches({ 'data.currency': ['EUR'] }, orderCreated)).toBe(false);
    expect(matches({ 'data.currency': ['EUR'] }, { 'data.currency': 'EUR' })).toBe(true);
  });

  it('only reads properties the event really has, never inherited ones', () => {
    expect(matches({ constructor: [{ exists: true }] }, {})).toBe(false);
    expect(matches({ toString: [{ exists: false }] }, {})).toBe(true);
    expect(matches(JSON.parse('{"__proto__": ["x"]}'), JSON.parse('{"__proto__": "x"}'))).toBe(true);
    expect(matches(JSON.parse('{"__proto__": ["x"]}'), {})).toBe(false);
  });

  it('treats an event that is not an object as having no fields', () => {
    for (const event of [null, undefined, 'text', 42, true, ['a']]) {
      expect(matches({ type: ['a'] }, event)).toBe(false);
      expect(matches({ type: [{ exists: false }] }, event)).toBe(true);
    }
  });

  it('matches data that is a plain string (non-JSON payload) like any other string field', () => {
    expect(matches({ data: ['hello'] }, { data: 'hello' })).toBe(true);
    expect(matches({ data: [{ prefix: 'hel' }] }, { data: 'hello' })).toBe(true);
  });

  describe('unicode', () => {
    it('matches non-ASCII text exactly, including astral characters', () => {
      expect(matches({ subject: ['Zürich 🚆'] }, { subject: 'Zürich 🚆' })).toBe(true);
      expect(matches({ subject: ['東京'] }, { subject: '東京' })).toBe(true);
      expect(matches({ subject: ['Zürich 🚆'] }, { subject: 'Zürich 🚄' })).toBe(false);
    });

    it('does not normalise: a precomposed é and e + combining accent are different values', () => {
      const composed = 'caf\u00e9';
      const decomposed = 'cafe\u0301';
      expect(matches({ name: [composed] }, { name: decomposed })).toBe(false);
      expect(matches({ name: [decomposed] }, { name: decomposed })).toBe(true);
    });

    it('matches non-ASCII field names', () => {
      expect(matches({ данные: { ключ: ['значение'] } }, { данные: { ключ: 'значение' } })).toBe(true);
    });
  });
});
