import { describe, expect, it } from 'vitest';
import { explainPattern, fieldName } from '../../../../broker/filters/pattern/explain.js';
import { compilePattern } from '../../../../broker/filters/pattern/index.js';

/** The reason, checked against the matcher's own answer on the event's JSON form. */
function why(pattern: unknown, event: Record<string, unknown>): string | undefined {
  const attributes = Object.fromEntries(Object.entries(event).filter(([k]) => k !== 'data'));
  const reason = explainPattern(pattern)({ attributes, data: () => event['data'] });
  expect(reason === undefined).toBe(compilePattern(pattern).matches(event));
  return reason;
}

describe('explainPattern', () => {
  it('names the first field that fails, attributes by name and data by path', () => {
    expect(why({ type: ['a'], source: ['/s'] }, { type: 'a', source: '/t' })).toBe(
      'attribute "source" is "/t", which matches none of ["/s"]',
    );
    expect(why({ data: { order: { id: [{ prefix: 'A-' }] } } }, { data: { order: { id: 'B-1' } } })).toBe(
      'data.order.id is "B-1", which matches none of [{"prefix":"A-"}]',
    );
  });

  it('says when a field is absent, and when it is present but must not be', () => {
    expect(why({ data: { n: [1] } }, { data: {} })).toBe('data.n is absent; the pattern wants [1]');
    expect(why({ data: { n: [{ exists: false }] } }, { data: { n: 2 } })).toBe(
      'data.n is 2, which matches none of [{"exists":false}]',
    );
    expect(why({ data: { n: [{ exists: false }] } }, { data: {} })).toBeUndefined();
  });

  it('explains a nested pattern over an array: no object matches as a whole', () => {
    const pattern = { data: { items: { kind: ['a'], n: [1] } } };
    expect(
      why(pattern, {
        data: {
          items: [
            { kind: 'a', n: 2 },
            { kind: 'b', n: 1 },
          ],
        },
      }),
    ).toBe(
      'no object in data.items matches as a whole (the first: data.items.n is 2, which matches none of [1])',
    );
    expect(why(pattern, { data: { items: [{ kind: 'b' }, { kind: 'a', n: 1 }] } })).toBeUndefined();
    expect(why(pattern, { data: { items: 'x' } })).toBe(
      'data.items is "x", not an object: data.items.kind is absent; the pattern wants ["a"]',
    );
  });

  it('explains $or by each branch', () => {
    const pattern = { $or: [{ type: ['a'] }, { data: { n: [{ numeric: ['>', 5] }] } }] };
    expect(why(pattern, { type: 'b', data: { n: 1 } })).toBe(
      'no "$or" branch matched (branch 0: attribute "type" is "b", which matches none of ["a"]; ' +
        'branch 1: data.n is 1, which matches none of [{"numeric":[">",5]}])',
    );
    expect(why(pattern, { type: 'b', data: { n: 9 } })).toBeUndefined();
  });

  it('never matches a pattern that does not compile, saying where it is wrong', () => {
    expect(explainPattern({ type: [] })({ attributes: { type: 'a' }, data: () => undefined })).toBe(
      'the pattern does not compile (/type: an empty value list can never match; give at least one value or operator)',
    );
  });

  it('renders field paths', () => {
    expect(fieldName(['type'])).toBe('attribute "type"');
    expect(fieldName(['data'])).toBe('data');
    expect(fieldName(['data', 'a', 'b'])).toBe('data.a.b');
  });
});
