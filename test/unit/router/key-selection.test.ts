import { describe, expect, it } from 'vitest';
import type { IndexKey, NecessaryCondition } from '../../../broker/router/index-plan.js';
import { chooseIndexedConditions, keyId } from '../../../broker/router/key-selection.js';

const exact = (attribute: string, value: string): IndexKey => ({ kind: 'exact', attribute, value });
const prefix = (attribute: string, value: string): IndexKey => ({ kind: 'prefix', attribute, value });
const range = (low: number, high: number): IndexKey => ({
  kind: 'numeric',
  path: ['data', 'n'],
  range: { low, lowInclusive: true, high, highInclusive: true },
});

describe('chooseIndexedConditions', () => {
  it('leaves a subscription with no condition to be always evaluated', () => {
    expect(chooseIndexedConditions([[]])).toEqual([undefined]);
  });

  it('prefers a key few subscriptions share over a popular one', () => {
    const popular: NecessaryCondition = [exact('type', 'com.example.a')];
    const plans = [
      [popular, [exact('subject', 'mine')]],
      [popular],
      [popular],
      [popular, [exact('subject', 'theirs')]],
    ];
    expect(chooseIndexedConditions(plans)).toEqual([
      [exact('subject', 'mine')],
      popular,
      popular,
      [exact('subject', 'theirs')],
    ]);
  });

  it('prefers an exact value to a short prefix, and a long prefix to a short one', () => {
    expect(chooseIndexedConditions([[[prefix('type', 'c')], [exact('source', '/s')]]])).toEqual([
      [exact('source', '/s')],
    ]);
    expect(chooseIndexedConditions([[[prefix('type', 'c')], [prefix('source', '/shop/eu/')]]])).toEqual([
      [prefix('source', '/shop/eu/')],
    ]);
  });

  it('prefers a single key to a union of several', () => {
    const union: NecessaryCondition = [exact('type', 'a'), exact('type', 'b')];
    expect(chooseIndexedConditions([[union, [exact('source', 's')]]])).toEqual([[exact('source', 's')]]);
  });

  it('orders the pattern kinds by how many events they let through', () => {
    // From narrowest to broadest; each is chosen over every one after it.
    const kinds: IndexKey[] = [
      exact('type', 'a'),
      range(5, 5),
      range(0, 10),
      range(0, Infinity),
      { kind: 'present', path: ['data', 'x'] },
      { kind: 'absent', path: ['data', 'y'] },
    ];
    kinds.forEach((narrow, i) => {
      for (const broad of kinds.slice(i + 1))
        expect(chooseIndexedConditions([[[broad], [narrow]]])).toEqual([[narrow]]);
    });
  });

  it('counts popularity for the new kinds too: a shared presence loses to a rare range', () => {
    const shared: NecessaryCondition = [{ kind: 'present', path: ['data', 's'] }];
    const plans = [[shared, [range(0, Infinity)]], [shared], [shared]];
    expect(chooseIndexedConditions(plans)[0]).toEqual([range(0, Infinity)]);
  });
});

describe('keyId', () => {
  it('tells kinds, attributes, paths and value types apart', () => {
    const ids = [
      keyId(exact('type', 'a')),
      keyId(prefix('type', 'a')),
      keyId(exact('source', 'a')),
      keyId({ kind: 'pattern', path: ['type'], value: 'a' }),
      keyId({ kind: 'pattern', path: ['data', 'n'], value: 5 }),
      keyId({ kind: 'pattern', path: ['data', 'n'], value: '5' }),
      keyId({ kind: 'pattern', path: ['data', 'n'], value: null }),
      keyId({ kind: 'pattern', path: ['data', 'n'], value: 'null' }),
      keyId({ kind: 'pattern', path: ['data.n'], value: 5 }),
      keyId({ kind: 'pattern-prefix', path: ['data', 'n'], value: '5' }),
      keyId({ kind: 'pattern-suffix', path: ['data', 'n'], value: '5' }),
      keyId({ kind: 'present', path: ['data', 'n'] }),
      keyId({ kind: 'absent', path: ['data', 'n'] }),
      keyId(range(-Infinity, 5)),
      keyId(range(5, Infinity)),
      keyId({
        kind: 'numeric',
        path: ['data', 'n'],
        range: { low: 5, lowInclusive: false, high: Infinity, highInclusive: true },
      }),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });
});
