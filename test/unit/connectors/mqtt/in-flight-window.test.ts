import { describe, expect, it } from 'vitest';
import { InFlightWindow } from '../../../../connectors/mqtt/in-flight-window.js';

describe('InFlightWindow: how many messages a connection has taken and not finished with', () => {
  it('lets the reader go on while there is room, holds it at the maximum, and lets it go when a place is given back', () => {
    const window = new InFlightWindow(3);
    const reads: number[] = [];
    window.take(() => reads.push(1));
    window.take(() => reads.push(2));
    expect(reads).toEqual([1, 2]);
    // The third message fills the window: the next one is not read.
    window.take(() => reads.push(3));
    expect(reads).toEqual([1, 2]);
    expect(window.size).toBe(3);
    window.release();
    expect(reads).toEqual([1, 2, 3]);
    expect(window.size).toBe(2);
  });

  it('never has more than the maximum taken when the reader only goes on when told', () => {
    const window = new InFlightWindow(4);
    let peak = 0;
    let arrived = 0;
    // A reader that takes the next message only when let go, as mqtt.js does.
    const arrive = () => {
      arrived += 1;
      window.take(() => {
        if (arrived < 100) queue.push(arrive);
      });
      peak = Math.max(peak, window.size);
    };
    const queue: (() => void)[] = [arrive];
    while (arrived < 100) {
      while (queue.length > 0) queue.shift()!();
      window.release();
    }
    expect(peak).toBe(4);
  });

  it('with a maximum of 1, one message at a time', () => {
    const window = new InFlightWindow(1);
    let read = false;
    window.take(() => {
      read = true;
    });
    expect(read).toBe(false);
    window.release();
    expect(read).toBe(true);
    expect(() => new InFlightWindow(0)).toThrow(RangeError);
  });
});
