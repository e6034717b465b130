import { describe, expect, it } from 'vitest';
import { exceedsJsonDepth, MAX_JSON_DEPTH, parseJsonOrText } from '../../../broker/cloudevents/json-depth.js';
import { expectBrokerError } from '../expect-broker-error.js';

/** `levels` arrays, one inside the other, around `inner`. */
const arrays = (levels: number, inner = '') => `${'['.repeat(levels)}${inner}${']'.repeat(levels)}`;
/** `levels` objects, one inside the other, around `inner`. */
const objects = (levels: number, inner = '1') => `${'{"a":'.repeat(levels)}${inner}${'}'.repeat(levels)}`;

describe('exceedsJsonDepth', () => {
  it('allows 1,000 levels', () => {
    expect(MAX_JSON_DEPTH).toBe(1000);
  });

  it('accepts exactly 1,000 levels and refuses 1,001, of arrays, of objects and of both', () => {
    expect(exceedsJsonDepth(arrays(1000))).toBe(false);
    expect(exceedsJsonDepth(arrays(1001))).toBe(true);
    expect(exceedsJsonDepth(objects(1000))).toBe(false);
    expect(exceedsJsonDepth(objects(1001))).toBe(true);
    const mixed = (pairs: number) => `${'[{"a":'.repeat(pairs)}1${'}]'.repeat(pairs)}`;
    expect(exceedsJsonDepth(mixed(500))).toBe(false);
    expect(exceedsJsonDepth(`[${mixed(500)}]`)).toBe(true);
  });

  it('counts levels, not brackets: many siblings at a shallow depth are fine', () => {
    expect(exceedsJsonDepth(`[${Array(5000).fill('{"a":[]}').join(',')}]`)).toBe(false);
  });

  it('does not count brackets inside strings, opening or closing', () => {
    expect(exceedsJsonDepth(`{"s":"${'['.repeat(2000)}${'{'.repeat(2000)}"}`)).toBe(false);
    // 600 levels, a string of 600 closing brackets, 401 levels more: 1,001 in all.
    expect(exceedsJsonDepth(arrays(600, `"${']'.repeat(600)}",${arrays(401)}`))).toBe(true);
  });

  it('an escaped quote does not end a string; an escaped backslash before a quote does not escape it', () => {
    expect(exceedsJsonDepth(`{"s":"\\"${'['.repeat(2000)}"}`)).toBe(false);
    // The string holds one backslash and ends at the quote after it: 1 + 1,000 levels follow.
    expect(exceedsJsonDepth(`["\\\\",${arrays(1000)}]`)).toBe(true);
    // Three backslashes: an escaped backslash, then an escaped quote; the string goes on.
    expect(exceedsJsonDepth(`["\\\\\\"${'['.repeat(2000)}"]`)).toBe(false);
  });
});

describe('parseJsonOrText (a raw payload as the `body` of ce templates)', () => {
  it('parses JSON and keeps text that is no JSON, however many brackets it opens', () => {
    expect(parseJsonOrText('{"a":[1]}', 'the payload')).toEqual({ a: [1] });
    expect(parseJsonOrText('[1', 'the payload')).toBe('[1');
    expect(parseJsonOrText('['.repeat(2000), 'the payload')).toBe('['.repeat(2000));
  });

  it('refuses JSON nested deeper than 1,000 levels as malformed_json', () => {
    expect(parseJsonOrText(arrays(1000), 'the payload')).toBeInstanceOf(Array);
    expectBrokerError(
      () => parseJsonOrText(arrays(1001), 'the payload'),
      'malformed_json',
      /^the payload is nested deeper than 1000 levels of arrays and objects$/,
    );
  });
});
