import { describe, expect, it } from 'vitest';
import { StorePause } from '../../../broker/dispatch/store-pause.js';

const options = { firstMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 };

describe('StorePause', () => {
  it('doubles the pause from one second to the cap with each failure after the last pause ended', () => {
    const pause = new StorePause(options);
    let now = 0;
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const until = pause.failed(now);
      waits.push(until - now);
      now = until; // the next failure comes as soon as the pause is over
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('does not lengthen the pause for failures during it (the other deliveries of the same round)', () => {
    const pause = new StorePause(options);
    expect(pause.failed(0)).toBe(1000);
    expect(pause.failed(10)).toBe(1000);
    expect(pause.failed(999)).toBe(1000);
    expect(pause.pausedUntil).toBe(1000);
    expect(pause.failed(1000)).toBe(3000);
  });

  it('starts over after a quiet minute, not at the first success', () => {
    const pause = new StorePause(options);
    pause.failed(0); // 1 s
    pause.failed(1000); // 2 s
    pause.failed(3000); // 4 s
    expect(pause.failed(3000 + 50_000) - 53_000).toBe(8000); // 50 s later: still the same trouble
    expect(pause.failed(53_000 + 70_000) - 123_000).toBe(1000); // after more than a minute: a new one
  });
});
