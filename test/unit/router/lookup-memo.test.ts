import { describe, expect, it } from 'vitest';
import {
  CAPACITY,
  DIRECT,
  FIRST_REST,
  LookupMemo,
  MAX_IDS,
  MAX_LENGTH,
} from '../../../broker/router/lookup-memo.js';
import { IdList } from './helpers.js';

/** A memo over a lookup that finds, for value "v<n>", n % 3 ids (n, n + 1, ...), and counts its calls. */
function memoOverCountingLookup(): { memo: LookupMemo; lookups: () => number } {
  let lookups = 0;
  const memo = new LookupMemo((value, into) => {
    lookups++;
    const n = Number(value.slice(1));
    if (n % 3 === 1) into.add(n);
    if (n % 3 === 2) into.addRange(Int32Array.of(n, n + 1), 0, 2);
  });
  return { memo, lookups: () => lookups };
}

function collect(memo: LookupMemo, value: string): number[] {
  const into = new IdList();
  memo.collect(value, into);
  return into.ids;
}

describe('LookupMemo', () => {
  it('answers a value seen before without looking it up again, whatever it found', () => {
    const { memo, lookups } = memoOverCountingLookup();
    for (let round = 0; round < 3; round++) {
      expect(collect(memo, 'v3')).toEqual([]);
      expect(collect(memo, 'v4')).toEqual([4]);
      expect(collect(memo, 'v5')).toEqual([5, 6]);
    }
    expect(lookups()).toBe(3);
    expect(memo.state).toEqual({ remembered: 3, resting: 0 });
  });

  it('never remembers a value longer than MAX_LENGTH', () => {
    const { memo, lookups } = memoOverCountingLookup();
    const long = `v${'0'.repeat(MAX_LENGTH)}1`;
    expect(collect(memo, long)).toEqual([1]);
    expect(collect(memo, long)).toEqual([1]);
    expect(lookups()).toBe(2);
    expect(memo.state.remembered).toBe(0);
  });

  it('starts over when full, and keeps remembering values that repeat', () => {
    const { memo, lookups } = memoOverCountingLookup();
    // Every value twice: half the lookups hit, enough to keep remembering.
    for (let n = 0; n < CAPACITY; n++) {
      collect(memo, `v${n}`);
      collect(memo, `v${n}`);
    }
    expect(memo.state).toEqual({ remembered: CAPACITY, resting: 0 });
    expect(collect(memo, 'v-new')).toEqual([]);
    expect(memo.state).toEqual({ remembered: 1, resting: 0 });
    expect(lookups()).toBe(CAPACITY + 1);
    // Answers of several ids are kept in a pool that starting over reuses: new ones are right.
    for (let round = 0; round < 2; round++) {
      expect(collect(memo, 'v8')).toEqual([8, 9]);
      expect(collect(memo, 'v11')).toEqual([11, 12]);
    }
  });

  it('gives answers that can be handed over later, several memos at once', () => {
    const first = memoOverCountingLookup().memo;
    const second = memoOverCountingLookup().memo;
    for (let round = 0; round < 2; round++) {
      const answers = [first.answer('v5'), second.answer('v7'), first.answer('v3')];
      const into = new IdList();
      first.hand(answers[0]!, 'v5', into);
      second.hand(answers[1]!, 'v7', into);
      first.hand(answers[2]!, 'v3', into);
      expect(into.ids).toEqual([5, 6, 7]);
    }
  });

  it('does not remember answers of more than MAX_IDS ids, and keeps no room for them', () => {
    let lookups = 0;
    const memo = new LookupMemo((value, into) => {
      lookups++;
      const count = Number(value.slice(1));
      for (let id = 0; id < count; id++) into.add(id);
    });
    const ids = (count: number) => Array.from({ length: count }, (_, id) => id);
    for (let round = 0; round < 3; round++) {
      expect(collect(memo, `n${MAX_IDS}`)).toEqual(ids(MAX_IDS));
      expect(collect(memo, `n${MAX_IDS + 1}`)).toEqual(ids(MAX_IDS + 1));
      expect(collect(memo, 'n1000')).toEqual(ids(1000));
    }
    expect(memo.state.remembered).toBe(1);
    expect(memo.pooled).toBe(1 + MAX_IDS);
    expect(lookups).toBe(1 + 2 * 3);
  });

  it('answers DIRECT for what it does not remember, so that the caller looks it up', () => {
    const { memo, lookups } = memoOverCountingLookup();
    expect(memo.answer(`v${'0'.repeat(MAX_LENGTH)}1`)).toBe(DIRECT);
    expect(lookups()).toBe(0);
  });

  it('rests when values do not repeat, looking up directly, twice as long after each failed attempt', () => {
    const { memo, lookups } = memoOverCountingLookup();
    let n = 0;
    const fillWithDistinctValues = () => {
      for (let i = 0; i < CAPACITY; i++) collect(memo, `v${n++}`);
    };
    fillWithDistinctValues();
    expect(memo.state.remembered).toBe(CAPACITY);
    // The next new value finds the memo full after nothing but misses: it goes to rest, and the
    // value is still answered.
    const next = 3 * CAPACITY + 1;
    expect(collect(memo, `v${next}`)).toEqual([next]);
    expect(memo.state).toEqual({ remembered: 0, resting: FIRST_REST });
    const before = lookups();
    for (let i = 0; i < FIRST_REST; i++) collect(memo, 'v4');
    expect(lookups() - before).toBe(FIRST_REST); // each one looked up: nothing remembered
    expect(memo.state).toEqual({ remembered: 0, resting: 0 });
    fillWithDistinctValues();
    collect(memo, `v${n++}`);
    expect(memo.state.resting).toBe(2 * FIRST_REST);
    expect(memo.state.remembered).toBe(0);
  });
});
