import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../broker/config/duration.js';

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
    const result = parseDuration('P1M');
    expect(result).toHaveProperty('error');
    expect((result as { error: string }).error).toContain('years or months');
    expect(parseDuration('P1Y')).toHaveProperty('error');
  });
});
