import { describe, expect, it } from 'vitest';
import { PartitionProgress } from '../../../../connectors/kafka/partition-progress.js';

describe('PartitionProgress', () => {
  it('commits only through the contiguous done prefix, whatever order parts finish in', () => {
    const progress = new PartitionProgress(['10', '11', '13', '14', '20']);
    progress.markDone(2, 4);
    expect(progress.lastContiguousOffset()).toBeUndefined();
    progress.markDone(0, 1);
    expect(progress.lastContiguousOffset()).toBe('10');
    progress.markDone(1, 2);
    expect(progress.lastContiguousOffset()).toBe('14');
    expect(progress.complete).toBe(false);
    progress.markDone(4, 5);
    expect(progress.lastContiguousOffset()).toBe('20');
    expect(progress.complete).toBe(true);
  });
});
