import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  type ActivityCounts,
  ActivityHistory,
  ActivitySampler,
  deliveryTotals,
} from '../../broker/activity.js';
import { createMetrics } from '../../broker/metrics.js';

const counts = (delivered: number, failed = 0, deadLettered = 0): ActivityCounts => ({
  delivered,
  failed,
  deadLettered,
});

describe('ActivityHistory', () => {
  it('turns cumulative totals into per-interval points, the interval under way last', () => {
    const history = new ActivityHistory(3);
    history.record(0, new Map([['a', counts(5)]]), new Map([['a', 1]]), ['a']);
    // The first sample is the baseline: nothing before it is counted.
    expect(history.series('a', 4_000, new Map([['a', counts(7)]]), 2)).toEqual([
      { at: 4_000, seconds: 4, delivered: 2, failed: 0, deadLettered: 0, depth: 2 },
    ]);
    history.record(10_000, new Map([['a', counts(15, 2, 1)]]), new Map([['a', 4]]), ['a']);
    history.record(20_000, new Map([['a', counts(15, 2, 1)]]), undefined, ['a']);
    expect(history.series('a', 25_000, new Map([['a', counts(16, 2, 1)]]), 0)).toEqual([
      { at: 10_000, seconds: 10, delivered: 10, failed: 2, deadLettered: 1, depth: 4 },
      { at: 20_000, seconds: 10, delivered: 0, failed: 0, deadLettered: 0, depth: null },
      { at: 25_000, seconds: 5, delivered: 1, failed: 0, deadLettered: 0, depth: 0 },
    ]);
  });

  it('keeps `capacity` points, counts a subscription added between samples from zero, drops a removed one', () => {
    const history = new ActivityHistory(2);
    history.record(0, new Map([['a', counts(0)]]), new Map(), ['a']);
    history.record(10_000, new Map([['a', counts(1)]]), new Map(), ['a']);
    history.record(20_000, new Map([['a', counts(3)]]), new Map(), ['a']);
    history.record(
      30_000,
      new Map([
        ['a', counts(6)],
        ['b', counts(4)],
      ]),
      new Map(),
      ['a', 'b'],
    );
    const a = history.series('a', 30_000, new Map([['a', counts(6)]]), 0);
    expect(a.map((p) => p.delivered)).toEqual([2, 3, 0]);
    expect(history.series('b', 30_000, new Map([['b', counts(4)]]), 0).map((p) => p.delivered)).toEqual([
      4, 0,
    ]);
    history.record(
      40_000,
      new Map([
        ['a', counts(6)],
        ['b', counts(4)],
      ]),
      new Map(),
      ['b'],
    );
    expect(history.series('a', 40_000, new Map(), 0).map((p) => p.at)).toEqual([40_000]);
  });
});

describe('ActivitySampler', () => {
  it('samples on its timer only while enabled, and forgets when turned off', async () => {
    let now = 0;
    let reads = 0;
    let total = 0;
    const sampler = new ActivitySampler(
      {
        totals: async () => {
          reads += 1;
          return new Map([['a', counts(total)]]);
        },
        depths: () => {
          throw new Error('store closed');
        },
        names: () => ['a'],
      },
      20,
      () => now,
    );
    await sleep(60);
    expect(reads).toBe(0); // off: no timer, no reads
    sampler.setEnabled(true);
    await sleep(0);
    total = 3;
    now = 1_000;
    await sleep(50);
    const [a] = await sampler.subscriptions();
    expect(a!.depth).toBeNull();
    expect(a!.totals).toEqual(counts(3));
    expect(a!.history.length).toBeGreaterThanOrEqual(2);
    expect(a!.history.reduce((sum, p) => sum + p.delivered, 0)).toBe(3);
    sampler.setEnabled(false);
    const before = reads;
    await sleep(60);
    expect(reads).toBe(before);
    const [off] = await sampler.subscriptions();
    expect(off!.history).toEqual([]);
  });
});

describe('deliveryTotals', () => {
  it('reads delivered, failed attempts and dead letters from the deliveries counter', async () => {
    const metrics = createMetrics(
      () => new Map(),
      () => [],
    );
    metrics.deliveries.inc({ subscription: 'a', outcome: 'ok' }, 4);
    metrics.deliveries.inc({ subscription: 'a', outcome: 'retryable' }, 2);
    metrics.deliveries.inc({ subscription: 'a', outcome: 'permanent' });
    metrics.deliveries.inc({ subscription: 'a', outcome: 'deadlettered' });
    metrics.deliveries.inc({ subscription: 'a', outcome: 'deadletter_ok' });
    metrics.deliveries.inc({ subscription: 'b', outcome: 'ok' });
    expect(await deliveryTotals(metrics)).toEqual(
      new Map([
        ['a', counts(4, 3, 1)],
        ['b', counts(1)],
      ]),
    );
  });
});
