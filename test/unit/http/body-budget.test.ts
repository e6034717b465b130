import { describe, expect, it } from 'vitest';
import { BodyBudget } from '../../../broker/http/body-budget.js';

describe('BodyBudget', () => {
  it('refuses a take beyond the limit and takes nothing for it', () => {
    const budget = new BodyBudget(() => 100);
    const a = budget.lease();
    expect(a.take(60)).toBe(true);
    const b = budget.lease();
    expect(b.take(50)).toBe(false);
    expect(budget.held).toBe(60);
    expect(b.take(40)).toBe(true);
    expect(budget.held).toBe(100);
  });

  it('gives back everything a lease took, once', () => {
    const budget = new BodyBudget(() => 100);
    const a = budget.lease();
    a.take(30);
    a.take(20);
    const b = budget.lease();
    b.take(10);
    a.release();
    a.release();
    expect(budget.held).toBe(10);
    expect(a.take(1)).toBe(false);
  });

  it('reads the limit at each take, so a reload can change it', () => {
    let limit = 10;
    const budget = new BodyBudget(() => limit);
    expect(budget.lease().take(20)).toBe(false);
    limit = 20;
    expect(budget.lease().take(20)).toBe(true);
  });
});
