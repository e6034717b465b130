import { describe, expect, it } from 'vitest';
import { reconnectWaitMs } from '../../../../connectors/nats/connection.js';

describe('nats Source: backoff rules', () => {
  it('waits longer between connection attempts, within ±20% of 250 ms doubling, at most 10 s', () => {
    expect(reconnectWaitMs(1, () => 0.5)).toBe(250);
    expect(reconnectWaitMs(3, () => 0.5)).toBe(1_000);
    expect(reconnectWaitMs(3, () => 0)).toBe(800);
    expect(reconnectWaitMs(30, () => 1)).toBe(10_000);
  });
});
