import { describe, expect, it } from 'vitest';
import { durationProblem, NOT_A_DURATION, parseDuration } from '../../../broker/config/duration.js';

describe('parseDuration', () => {
  it.each([
    ['PT0.5S', 500],
    ['PT10S', 10_000],
    ['PT1M', 60_000],
    ['PT1H30M', 5_400_000],
    ['P1D', 86_400_000],
    ['P1W', 604_800_000],
    ['P1DT1S', 86_401_000],
    ['PT0.001S', 1],
    ['PT0S', 0],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ms });
  });

  it.each(['P', 'PT', '1S', 'PT1', 'pt1s', 'PT-1S', 'PT1.S', 'P1DT', 'PT1S1M'])('refuses %s', (text) => {
    expect(parseDuration(text)).toHaveProperty('error');
  });

  it('refuses years and months, whose length depends on the calendar', () => {
    expect(parseDuration('P1M')).toEqual({
      error: 'bad duration "P1M": years and months have no fixed length; use weeks (W), days (D) or smaller',
    });
    expect(parseDuration('P1Y')).toHaveProperty('error');
  });

  it('names the value in one message style for every bad duration', () => {
    expect(parseDuration('10s')).toEqual({
      error: 'bad duration "10s": not an ISO-8601 duration such as PT0.5S, PT10S, PT1M or P1D',
    });
    expect(durationProblem(10, NOT_A_DURATION)).toBe(
      'bad duration 10: not an ISO-8601 duration such as PT0.5S, PT10S, PT1M or P1D',
    );
    expect(durationProblem('PT0S', 'must be longer than zero')).toBe(
      'bad duration "PT0S": must be longer than zero',
    );
    expect(durationProblem(`P${'1'.repeat(100)}D`, 'x')).toMatch(/^bad duration "P1{55}\.\.\.: x$/);
  });
});
