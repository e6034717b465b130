import { describe, expect, it } from 'vitest';
import { canUpdateFilterSubject } from '../../../../connectors/nats/jetstream-consumer.js';

describe('nats Source: backoff rules', () => {
  it('changes a filter subject only on servers that apply the change (2.10 and later)', () => {
    expect(canUpdateFilterSubject('2.9.10')).toBe(false);
    expect(canUpdateFilterSubject('2.10.0')).toBe(true);
    expect(canUpdateFilterSubject('v2.11.3')).toBe(true);
    expect(canUpdateFilterSubject('3.0.0')).toBe(true);
    expect(canUpdateFilterSubject(undefined)).toBe(false);
  });
});
