import { describe, expect, it } from 'vitest';
import { compilePattern } from '../../../../broker/filters/pattern/index.js';

const matches = (pattern: unknown, event: unknown): boolean => compilePattern(pattern).matches(event);
const exists = { subject: [{ exists: true }] };
const doesNotExist = { subject: [{ exists: false }] };

describe('exists', () => {
  it('exists:true matches a field holding any leaf value, falsy ones included', () => {
    for (const value of ['order-42', '', 0, false, true, -1.5]) {
      expect(matches(exists, { subject: value })).toBe(true);
      expect(matches(doesNotExist, { subject: value })).toBe(false);
    }
  });

  it('counts null as present: the field exists, its value is null', () => {
    expect(matches(exists, { subject: null })).toBe(true);
    expect(matches(doesNotExist, { subject: null })).toBe(false);
  });

  it('exists:false matches a missing field and exists:true does not', () => {
    expect(matches(exists, { type: 'x' })).toBe(false);
    expect(matches(doesNotExist, { type: 'x' })).toBe(true);
    expect(matches(doesNotExist, {})).toBe(true);
  });

  it('only sees leaves: a field holding an object counts as absent', () => {
    expect(matches(exists, { subject: { id: 1 } })).toBe(false);
    expect(matches(doesNotExist, { subject: { id: 1 } })).toBe(true);
    expect(matches(doesNotExist, { subject: {} })).toBe(true);
  });

  it('sees an array through its elements: present if it holds any leaf', () => {
    expect(matches(exists, { subject: ['a'] })).toBe(true);
    expect(matches(exists, { subject: [null] })).toBe(true);
    expect(matches(exists, { subject: [] })).toBe(false);
    expect(matches(exists, { subject: [[], [[]]] })).toBe(false);
    expect(matches(doesNotExist, { subject: [] })).toBe(true);
    expect(matches(exists, { subject: [{ id: 1 }] })).toBe(false);
  });

  it('works on nested fields, including when a parent is missing or not an object', () => {
    const nested = { data: { refund: [{ exists: false }] } };
    expect(matches(nested, { data: { amount: 1 } })).toBe(true);
    expect(matches(nested, { data: { refund: 3 } })).toBe(false);
    expect(matches(nested, {})).toBe(true);
    expect(matches(nested, { data: 'plain text payload' })).toBe(true);
    expect(matches({ data: { refund: [{ exists: true }] } }, {})).toBe(false);
    expect(matches({ data: { refund: [{ exists: true }] } }, { data: { refund: 0 } })).toBe(true);
  });

  it('combines with other entries in the same list as alternatives', () => {
    const missingOrDraft = { status: [{ exists: false }, 'draft'] };
    expect(matches(missingOrDraft, {})).toBe(true);
    expect(matches(missingOrDraft, { status: 'draft' })).toBe(true);
    expect(matches(missingOrDraft, { status: 'final' })).toBe(false);

    const presentOrAbsent = { status: [{ exists: true }, { exists: false }] };
    expect(matches(presentOrAbsent, {})).toBe(true);
    expect(matches(presentOrAbsent, { status: 'x' })).toBe(true);

    const presentOrPrefixed = { status: [{ exists: true }, { prefix: 'x' }] };
    expect(matches(presentOrPrefixed, { status: 5 })).toBe(true);
    expect(matches(presentOrPrefixed, {})).toBe(false);
  });

  it('combines with other fields by AND', () => {
    const pattern = { type: ['order.created'], traceparent: [{ exists: false }] };
    expect(matches(pattern, { type: 'order.created' })).toBe(true);
    expect(matches(pattern, { type: 'order.created', traceparent: '00-1' })).toBe(false);
    expect(matches(pattern, { type: 'order.paid' })).toBe(false);
  });
});
