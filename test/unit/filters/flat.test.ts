import { describe, expect, it } from 'vitest';
import { flatString, flatStrings } from '../../../broker/filters/flat.js';

describe('flat copies of filter strings', () => {
  it('keep every string as it was, code unit for code unit', () => {
    const sliced = 'xx com.example.orders.created.v1 yy'.slice(3, -3);
    let rope = '';
    for (const char of 'a rope built one character at a time, 😀 and a lone \ud800') rope += char;
    for (const text of [sliced, rope, '', '42', '__proto__', 'constructor', '\u0000']) {
      expect(flatString(text)).toBe(text);
    }
  });

  it('copy arrays and plain objects deeply, keeping __proto__ an own key, and leave other values alone', () => {
    const date = new Date(0);
    const spec = JSON.parse('{"pattern": {"__proto__": ["x"], "n": [1.5, null, true], "when": 0}}');
    spec.pattern.when = date;
    const copy = flatStrings([spec, { sql: "type = 'a'" }]);
    expect(copy).toEqual([spec, { sql: "type = 'a'" }]);
    expect(Object.hasOwn(copy[0].pattern, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(copy[0].pattern)).toBe(Object.prototype);
    expect(copy[0].pattern.when).toBe(date);
    expect(copy[0]).not.toBe(spec);
  });
});
