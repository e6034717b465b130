import { describe, expect, it } from 'vitest';
import { CandidateSet } from '../../../broker/router/candidate-set.js';

describe('CandidateSet', () => {
  it('keeps each id once, in the order first reached', () => {
    const set = new CandidateSet(10);
    set.clear();
    set.addAll([4, 1]);
    set.addAll([1, 7, 4]);
    set.addAll([7]);
    expect(set.ids).toEqual([4, 1, 7]);
  });

  it('takes ids one at a time and from a range of a packed array, deduplicated alike', () => {
    const set = new CandidateSet(10);
    set.clear();
    set.add(3);
    set.addRange(Int32Array.of(9, 3, 5, 8, 3), 1, 4);
    set.add(5);
    expect(set.ids).toEqual([3, 5, 8]);
  });

  it('forgets everything on clear, without revisiting old stamps', () => {
    const set = new CandidateSet(10);
    set.clear();
    set.addAll([1, 2]);
    set.clear();
    expect(set.ids).toEqual([]);
    set.addAll([2, 3, 2]);
    expect(set.ids).toEqual([2, 3]);
    for (let round = 0; round < 1000; round++) {
      set.clear();
      set.addAll([round % 10, (round + 1) % 10, round % 10]);
      expect(set.ids).toEqual([round % 10, (round + 1) % 10]);
    }
  });
});
