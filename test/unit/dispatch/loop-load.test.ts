import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { LoopLoad } from '../../../broker/dispatch/loop-load.js';

describe('LoopLoad', () => {
  it('is saturated after the loop ran callbacks without a break, and not once it idles', async () => {
    const load = new LoopLoad();
    try {
      await sleep(250);
      expect(load.saturated).toBe(false);
      const until = performance.now() + 1500; // at least 1500 of any 100 ms-late sample window of 1600
      while (performance.now() < until); // a callback that holds the loop
      await sleep(0); // the sampling timer, overdue, runs now and sees the held loop
      await sleep(0);
      expect(load.saturated).toBe(true);
      await sleep(250);
      expect(load.saturated).toBe(false);
    } finally {
      load.stop();
    }
  });
});
