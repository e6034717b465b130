/** Integer arithmetic on signed 32-bit values (cesql.md §3.1, §3.4.2, §3.5.2). */
import { describe, expect, it } from 'vitest';
import { run, valueWithoutErrors } from './helpers.js';

describe('arithmetic operators', () => {
  it.each([
    ['4 + 1', 5],
    ['-4 + 1', -3],
    ['4 - 10', -6],
    ['6 * -7', -42],
    ['5 / 3', 1],
    ['-5 / 3', -1],
    ['5 / -3', -1],
    ['-5 / -3', 1],
    ['1 / 2', 0],
    ['5 % 3', 2],
    ['-5 % 3', -2],
    ['5 % -3', 2],
    ['-5 % -3', -2],
    ['0 % 5', 0],
  ])(
    '%s = %d (division truncates towards 0, the remainder has the sign of the dividend)',
    (expression, expected) => {
      expect(valueWithoutErrors(expression)).toBe(expected);
    },
  );

  it('never yields negative zero', () => {
    for (const expression of ['0 * -1', '-1 / 2', '-4 % 2', '-2147483648 % -1', '-0', '-(0)', '0 - 0']) {
      expect(Object.is(valueWithoutErrors(expression), -0), expression).toBe(false);
    }
  });

  it('returns 0 and a MathError for division and remainder by zero', () => {
    expect(run('5 / 0')).toEqual({ value: 0, errors: ['math'] });
    expect(run('5 % 0')).toEqual({ value: 0, errors: ['math'] });
    expect(run(`5 / '0'`)).toEqual({ value: 0, errors: ['math'] });
    expect(run('5 / FALSE')).toEqual({ value: 0, errors: ['math'] });
  });
});

describe('32-bit overflow: the result is clamped to the range and a MathError is reported', () => {
  it.each([
    ['2147483647 + 1', 2147483647],
    ['-2147483648 - 1', -2147483648],
    ['2147483647 * 2', 2147483647],
    ['-2147483648 * 2', -2147483648],
    ['65536 * 65536', 2147483647],
    ['-2147483648 * -1', 2147483647],
    ['-2147483648 / -1', 2147483647],
    ['-(-2147483648)', 2147483647],
    ['--2147483648', 2147483647],
    ['ABS(-2147483648)', 2147483647],
  ])('%s', (expression, expected) => {
    expect(run(expression)).toEqual({ value: expected, errors: ['math'] });
  });

  it('does not overflow at the edges of the range', () => {
    expect(valueWithoutErrors('2147483646 + 1')).toBe(2147483647);
    expect(valueWithoutErrors('-2147483647 - 1')).toBe(-2147483648);
    expect(valueWithoutErrors('-2147483648 % -1')).toBe(0);
    expect(valueWithoutErrors('-2147483647 * -1')).toBe(2147483647);
    expect(valueWithoutErrors('46340 * 46340')).toBe(2147395600);
  });

  it('reports overflow of values that come from attributes', () => {
    expect(run('n + 1', { n: 2147483647 })).toEqual({ value: 2147483647, errors: ['math'] });
    expect(run('n + 1', { n: '2147483647' })).toEqual({ value: 2147483647, errors: ['math'] });
  });
});

describe('comparison operators', () => {
  it.each([
    ['1 < 2', true],
    ['2 < 2', false],
    ['2 <= 2', true],
    ['3 <= 2', false],
    ['2 > 1', true],
    ['2 > 2', false],
    ['2 >= 2', true],
    ['2 >= 3', false],
    ['-2147483648 < 2147483647', true],
  ])('%s is %s', (expression, expected) => {
    expect(valueWithoutErrors(expression)).toBe(expected);
  });
});

describe('logical operators', () => {
  it.each([
    ['FALSE AND FALSE', false],
    ['FALSE AND TRUE', false],
    ['TRUE AND FALSE', false],
    ['TRUE AND TRUE', true],
    ['FALSE OR FALSE', false],
    ['FALSE OR TRUE', true],
    ['TRUE OR FALSE', true],
    ['TRUE OR TRUE', true],
    ['FALSE XOR FALSE', false],
    ['FALSE XOR TRUE', true],
    ['TRUE XOR FALSE', true],
    ['TRUE XOR TRUE', false],
    ['NOT TRUE', false],
    ['NOT FALSE', true],
    ['NOT NOT TRUE', true],
  ])('%s is %s', (expression, expected) => {
    expect(valueWithoutErrors(expression)).toBe(expected);
  });
});
