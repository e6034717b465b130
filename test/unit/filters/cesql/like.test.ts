/** The LIKE operator (cesql.md §3.4.3). */
import { describe, expect, it } from 'vitest';
import { compileLikePattern } from '../../../../broker/filters/cesql/like.js';
import { run, valueWithoutErrors } from './helpers.js';

describe('LIKE wildcards', () => {
  it.each([
    ['abc', 'abc', true],
    ['abc', 'ABC', false],
    ['abc', 'ab', false],
    ['', '', true],
    ['', '%', true],
    ['a', '', false],
    ['abc', 'a%b%c', true],
    ['azzzbzzzc', 'a%b%c', true],
    ['ac', 'a%b%c', false],
    ['abc', '%', true],
    ['abc', '%%', true],
    ['abc', '%c', true],
    ['abc', 'a%', true],
    ['abc', '%b%', true],
    ['abc', '%d%', false],
    ['aba', 'ab%ba', false],
    ['abba', 'ab%ba', true],
    ['abc', '___', true],
    ['abc', '__', false],
    ['abc', '____', false],
    ['abc', 'a_c', true],
    ['ac', 'a_c', false],
    ['abc', '_%', true],
    ['', '_%', false],
    ['xaaay', 'x%a_a%y', true],
    ['mississippi', '%iss%ppi', true],
    ['mississippi', '%iss%iss%iss%', false],
    ['line\nbreak', 'line_break', true],
    ['line\nbreak', 'line%break', true],
    ['.ab.cde.', '.%.%.', true],
    ['ab.cde', '.%.%.', false],
    ['a+b(c)*[d]$^', 'a+b(c)*[d]$^', true],
  ])('%j LIKE %j is %s', (text, pattern, expected) => {
    expect(compileLikePattern(pattern)(text)).toBe(expected);
  });

  it('matches the example of §3.4.3: _b% accepts ab, abc, abcd1 but not b, acd, aBc', () => {
    const matches = compileLikePattern('_b%');
    expect(['ab', 'abc', 'abcd1'].map(matches)).toEqual([true, true, true]);
    expect(['b', 'acd', 'aBc'].map(matches)).toEqual([false, false, false]);
  });

  it('lets _ match one Unicode character, not one UTF-16 unit', () => {
    expect(compileLikePattern('a_b')('a😀b')).toBe(true);
    expect(compileLikePattern('a__b')('a😀b')).toBe(false);
    expect(compileLikePattern('_')('é')).toBe(true);
    expect(compileLikePattern('%😀%')('x😀y')).toBe(true);
    expect(compileLikePattern('😀_')('😀😀')).toBe(true);
  });

  it('stays fast on patterns with many wildcards', () => {
    const text = 'a'.repeat(10_000);
    const started = performance.now();
    expect(compileLikePattern('%a%a%a%a%a%a%a%a%b')(text)).toBe(false);
    expect(compileLikePattern('%a_%a_%a_%a_%b')(text)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('LIKE escapes', () => {
  it('matches \\% and \\_ literally', () => {
    expect(compileLikePattern('abc\\%')('abc%')).toBe(true);
    expect(compileLikePattern('abc\\%')('abcd')).toBe(false);
    expect(compileLikePattern('a\\_b')('a_b')).toBe(true);
    expect(compileLikePattern('a\\_b')('axb')).toBe(false);
    expect(compileLikePattern('100\\%%')('100% sure')).toBe(true);
  });

  it('matches \\\\ as one backslash, so a literal backslash can precede a wildcard', () => {
    expect(compileLikePattern('a\\\\%')('a\\anything')).toBe(true);
    expect(compileLikePattern('a\\\\%')('a%')).toBe(false);
    expect(compileLikePattern('a\\\\\\%')('a\\%')).toBe(true);
  });

  it('keeps a backslash before any other character, or at the end, as a backslash', () => {
    expect(compileLikePattern('ab\\c')('ab\\c')).toBe(true);
    expect(compileLikePattern('ab\\c')('abc')).toBe(false);
    expect(compileLikePattern('ab\\')('ab\\')).toBe(true);
  });

  it('applies to patterns written in expressions, after the string literal is read', () => {
    expect(valueWithoutErrors(`'a_b_c' LIKE 'a\\_b\\_c'`)).toBe(true);
    expect(valueWithoutErrors(`'azbzc' LIKE 'a\\_b\\_c'`)).toBe(false);
    expect(valueWithoutErrors(`'a%b%c' LIKE 'a\\%b\\%c'`)).toBe(true);
    expect(valueWithoutErrors(`'abc' LIKE 'a\\%b\\%c'`)).toBe(false);
    expect(valueWithoutErrors(`'ab\\c' LIKE 'ab\\c'`)).toBe(true);
    expect(valueWithoutErrors(`'it\\'s' LIKE 'it\\'_'`)).toBe(true);
    expect(valueWithoutErrors(`"say \\"x\\"" LIKE '%"x"'`)).toBe(true);
  });
});

describe('LIKE in expressions', () => {
  it('supports NOT LIKE as the negation of LIKE', () => {
    expect(valueWithoutErrors(`'abc' NOT LIKE 'abc'`)).toBe(false);
    expect(valueWithoutErrors(`'abc' NOT LIKE 'x%'`)).toBe(true);
  });

  it('filters on attribute prefixes and suffixes, as the Subscriptions API filters do', () => {
    expect(valueWithoutErrors(`type LIKE 'com.example.%'`)).toBe(true);
    expect(valueWithoutErrors(`source LIKE 'https://%'`)).toBe(true);
    expect(valueWithoutErrors(`type LIKE '%.deleted'`)).toBe(false);
  });

  it('casts a non-string left operand to String', () => {
    expect(valueWithoutErrors(`2344 LIKE '23%'`)).toBe(true);
    expect(valueWithoutErrors(`FALSE LIKE 'fal%'`)).toBe(true);
    expect(valueWithoutErrors(`seq LIKE '1_'`, { seq: 12 })).toBe(true);
  });

  it('returns false and a MissingAttributeError when the attribute is missing', () => {
    expect(run(`missing LIKE '%'`)).toEqual({ value: false, errors: ['missingAttribute'] });
    expect(run(`missing NOT LIKE 'x'`)).toEqual({ value: false, errors: ['missingAttribute'] });
  });
});
