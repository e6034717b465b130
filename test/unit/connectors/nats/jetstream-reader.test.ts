import { describe, expect, it } from 'vitest';
import { MAX_NAK_DELAY_MS, nakDelayMs } from '../../../../connectors/nats/jetstream-reader.js';

describe('nats Source: backoff rules', () => {
  it('naks with a delay that doubles per delivery, honours Retry-After, and is capped', () => {
    expect(nakDelayMs(1, undefined)).toBe(500);
    expect(nakDelayMs(2, undefined)).toBe(1_000);
    expect(nakDelayMs(4, undefined)).toBe(4_000);
    expect(nakDelayMs(1, 5_000)).toBe(5_000);
    expect(nakDelayMs(50, undefined)).toBe(MAX_NAK_DELAY_MS);
  });
});
