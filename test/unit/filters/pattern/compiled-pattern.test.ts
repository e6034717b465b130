import { describe, expect, it } from 'vitest';
import { compilePattern } from '../../../../broker/filters/pattern/index.js';

/** Wraps a pattern so that every read of it, at any depth, is counted. */
function countingReads<T extends object>(target: T, counter: { reads: number }): T {
  return new Proxy(target, {
    get(object, key, receiver) {
      counter.reads++;
      const value: unknown = Reflect.get(object, key, receiver);
      return typeof value === 'object' && value !== null ? countingReads(value, counter) : value;
    },
    ownKeys(object) {
      counter.reads++;
      return Reflect.ownKeys(object);
    },
  });
}

describe('compiled pattern', () => {
  const pattern = () => ({
    type: ['com.example.order.created'],
    data: { amount: [{ numeric: ['>', 100] }], tags: [{ 'anything-but': ['test'] }] },
    $or: [{ subject: [{ prefix: 'order-' }] }, { priority: [{ exists: true }] }],
  });
  const event = {
    type: 'com.example.order.created',
    subject: 'order-1',
    data: { amount: 150, tags: ['eu'] },
  };

  it('never reads the pattern object again once compiled', () => {
    const counter = { reads: 0 };
    const compiled = compilePattern(countingReads(pattern(), counter));
    expect(counter.reads).toBeGreaterThan(0);
    counter.reads = 0;
    expect(compiled.matches(event)).toBe(true);
    expect(compiled.matches({ ...event, type: 'other' })).toBe(false);
    compiled.indexHints();
    expect(counter.reads).toBe(0);
  });

  it('is unaffected by later changes to the pattern object', () => {
    const source = pattern();
    const compiled = compilePattern(source);
    source.type.push('other');
    source.data.amount = [{ numeric: ['<', 0] }];
    expect(compiled.matches(event)).toBe(true);
    expect(compiled.matches({ ...event, type: 'other' })).toBe(false);
  });

  it('can be shared: matching one event leaves no state behind for the next', () => {
    const compiled = compilePattern(pattern());
    const results = [event, { type: 'x' }, event, {}, event].map((candidate) => compiled.matches(candidate));
    expect(results).toEqual([true, false, true, false, true]);
  });

  it('never throws on values that are not JSON', () => {
    const compiled = compilePattern({
      a: ['x', { prefix: 'x' }, { numeric: ['>', 0] }, { cidr: '10.0.0.0/8' }, { wildcard: '*' }],
      b: { c: [{ exists: false }] },
    });
    const strange = [
      { a: 10n, b: () => undefined },
      { a: Symbol('x'), b: new Date(0) },
      { a: [undefined, 10n, () => 1], b: [new Map(), null] },
      Object.create(null),
      Object.freeze({ a: 'x' }),
      { [Symbol('a')]: 'x' },
    ];
    for (const candidate of strange) expect(() => compiled.matches(candidate)).not.toThrow();
    expect(compiled.matches(Object.freeze({ a: 'x' }))).toBe(true);
    expect(compiled.matches({ a: 10n })).toBe(false);
  });

  it('matches a realistic CloudEvent in its JSON form', () => {
    const compiled = compilePattern({
      source: [{ prefix: '/github/' }],
      type: ['com.github.push', 'com.github.pull_request'],
      data: {
        repository: { full_name: [{ wildcard: 'acme/*' }] },
        sender: { login: [{ 'anything-but': { suffix: '[bot]' } }] },
        commits: { added: [{ suffix: '.ts' }] },
      },
    });
    const push = {
      specversion: '1.0',
      id: 'b7d1',
      source: '/github/acme',
      type: 'com.github.push',
      time: '2024-05-01T12:00:00Z',
      datacontenttype: 'application/json',
      data: {
        repository: { full_name: 'acme/broker' },
        sender: { login: 'octocat' },
        commits: [{ added: ['README.md'] }, { added: ['src/index.ts', 'src/util.ts'] }],
      },
    };
    expect(compiled.matches(push)).toBe(true);
    expect(compiled.matches({ ...push, data: { ...push.data, sender: { login: 'dependabot[bot]' } } })).toBe(
      false,
    );
    expect(compiled.matches({ ...push, data: { ...push.data, commits: [{ added: ['README.md'] }] } })).toBe(
      false,
    );
    expect(compiled.matches({ ...push, data: 'not json' })).toBe(false);
  });
});
