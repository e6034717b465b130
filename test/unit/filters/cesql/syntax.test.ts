/** Grammar (cesql.md §2): literals, identifiers, keywords, operators and their precedence (§3.6). */
import { describe, expect, it } from 'vitest';
import { compileCesql } from '../../../../broker/filters/cesql/index.js';
import { parseExpression } from '../../../../broker/filters/cesql/parser.js';
import { run, valueWithoutErrors } from './helpers.js';

describe('literals (§2.2)', () => {
  it.each([
    ['0', 0],
    ['42', 42],
    ['007', 7],
    ['+5', 5],
    ['-5', -5],
    ['2147483647', 2147483647],
    ['-2147483648', -2147483648],
    ['+0', 0],
    ['-0', 0],
  ])('integer %s is %d', (expression, expected) => {
    expect(valueWithoutErrors(expression)).toBe(expected);
  });

  it('never yields negative zero', () => {
    expect(Object.is(valueWithoutErrors('-0'), 0)).toBe(true);
    expect(Object.is(valueWithoutErrors('-(0)'), 0)).toBe(true);
  });

  it.each(['true', 'TRUE', 'True', 'tRuE'])('boolean %s is true, whatever its case', (expression) => {
    expect(valueWithoutErrors(expression)).toBe(true);
  });

  it.each(['false', 'FALSE', 'fAlSe'])('boolean %s is false', (expression) => {
    expect(valueWithoutErrors(expression)).toBe(false);
  });

  it.each([
    [`'abc'`, 'abc'],
    [`"abc"`, 'abc'],
    [`'aBc'`, 'aBc'],
    [`''`, ''],
    [`""`, ''],
    [`'it\\'s'`, "it's"],
    [`"say \\"hi\\""`, 'say "hi"'],
    [`'a"b'`, 'a"b'],
    [`"a'b"`, "a'b"],
    [`'a\\"b'`, 'a\\"b'],
    [`"a\\'b"`, "a\\'b"],
    [`'ab\\c'`, 'ab\\c'],
    [`'a\\\\b'`, 'a\\\\b'],
    [`'a\\\\'`, 'a\\\\'],
    [`'line\nbreak'`, 'line\nbreak'],
  ])('string %s is read as %j', (expression, expected) => {
    expect(valueWithoutErrors(expression)).toBe(expected);
  });

  it('keeps unicode characters of string literals as written', () => {
    expect(valueWithoutErrors(`'héllo wörld 😀'`)).toBe('héllo wörld 😀');
    expect(valueWithoutErrors(`"日本語"`)).toBe('日本語');
  });
});

describe('identifiers and keywords (§2, §2.2)', () => {
  it('reads an attribute by its name', () => {
    expect(valueWithoutErrors('myext', { myext: 'value' })).toBe('value');
  });

  it('allows digits anywhere in an attribute name', () => {
    expect(valueWithoutErrors('ext1 = 1abc', { ext1: 'x', '1abc': 'x' })).toBe(true);
  });

  it('matches attribute names case-insensitively, as the lower case CloudEvents name', () => {
    expect(valueWithoutErrors('ID')).toBe('event-1');
    expect(valueWithoutErrors('Source = source')).toBe(true);
    expect(valueWithoutErrors('EXISTS SPECVERSION')).toBe(true);
  });

  it('reads keywords in any case', () => {
    expect(valueWithoutErrors('true aNd NoT false oR false xOr false')).toBe(true);
    expect(valueWithoutErrors(`'abc' like 'a%' and 1 in (1) and exists id`)).toBe(true);
    expect(valueWithoutErrors(`'abc' NoT lIkE 'x%'`)).toBe(true);
  });

  it('reads function names in any case', () => {
    expect(valueWithoutErrors(`length('abc') = LENGTH('abc') AND Length('abc') = 3`)).toBe(true);
  });

  it('allows whitespace between a function name and its parenthesis', () => {
    expect(valueWithoutErrors(`UPPER ('a')`)).toBe('A');
  });

  it('accepts tabs and newlines as whitespace', () => {
    expect(valueWithoutErrors('1\t+\n2\r\n=\t3')).toBe(true);
  });
});

describe('signs and unary minus (§2.2, §2.3)', () => {
  it('reads a sign written before digits as part of the literal', () => {
    expect(valueWithoutErrors('4 + -1')).toBe(3);
    expect(valueWithoutErrors('4 - +1')).toBe(3);
    expect(valueWithoutErrors('-4 - -1')).toBe(-3);
  });

  it('reads a minus after an operand as subtraction', () => {
    expect(valueWithoutErrors('4 -1')).toBe(3);
    expect(valueWithoutErrors('4-1')).toBe(3);
  });

  it('applies unary minus to any expression, repeatedly', () => {
    expect(valueWithoutErrors('--10')).toBe(10);
    expect(valueWithoutErrors('- -10')).toBe(10);
    expect(valueWithoutErrors('-(2 + 3)')).toBe(-5);
    expect(valueWithoutErrors(`-'10'`)).toBe(-10);
    expect(valueWithoutErrors('-TRUE')).toBe(-1);
    expect(valueWithoutErrors('-n', { n: 7 })).toBe(-7);
  });

  it('reads -2147483648 as one literal, so the minimum integer can be written', () => {
    expect(valueWithoutErrors('-2147483648 = -2147483647 - 1')).toBe(true);
  });
});

describe('precedence (§3.6)', () => {
  it('evaluates * / % before + -', () => {
    expect(valueWithoutErrors('4 * 2 + 4 / 2')).toBe(10);
    expect(valueWithoutErrors('2 + 3 * 4')).toBe(14);
    expect(valueWithoutErrors('10 - 7 % 4')).toBe(7);
  });

  it('evaluates arithmetic before comparisons', () => {
    expect(valueWithoutErrors('1 + 1 = 2')).toBe(true);
    expect(valueWithoutErrors('2 * 3 > 5')).toBe(true);
  });

  it('evaluates comparisons before AND, OR and XOR', () => {
    expect(valueWithoutErrors('1 = 1 AND 2 = 2')).toBe(true);
    expect(valueWithoutErrors('1 = 2 OR 2 = 2')).toBe(true);
  });

  it('gives AND, OR and XOR one precedence level, evaluated left to right', () => {
    // (TRUE OR TRUE) AND FALSE, not TRUE OR (TRUE AND FALSE) as in SQL.
    expect(valueWithoutErrors('TRUE OR TRUE AND FALSE')).toBe(false);
    // (FALSE AND FALSE) OR TRUE
    expect(valueWithoutErrors('FALSE AND FALSE OR TRUE')).toBe(true);
    // (TRUE XOR TRUE) OR TRUE, and (TRUE OR TRUE) XOR TRUE
    expect(valueWithoutErrors('TRUE XOR TRUE OR TRUE')).toBe(true);
    expect(valueWithoutErrors('TRUE OR TRUE XOR TRUE')).toBe(false);
  });

  it('evaluates operators of equal precedence left to right', () => {
    expect(valueWithoutErrors('10 - 4 - 3')).toBe(3);
    expect(valueWithoutErrors('100 / 10 / 5')).toBe(2);
    expect(valueWithoutErrors('7 % 4 * 3')).toBe(9);
    // (1 < 2) = TRUE
    expect(valueWithoutErrors('1 < 2 = TRUE')).toBe(true);
  });

  it('binds unary NOT tighter than LIKE', () => {
    // (NOT TRUE) LIKE '%' is 'false' LIKE '%', true; NOT (TRUE LIKE '%') would be false.
    expect(valueWithoutErrors(`NOT TRUE LIKE '%'`)).toBe(true);
  });

  it('binds unary NOT tighter than comparisons and IN', () => {
    // (NOT FALSE) < 2 is 1 < 2, true; NOT (FALSE < 2) would be false.
    expect(valueWithoutErrors('NOT FALSE < 2')).toBe(true);
    // (NOT FALSE) IN (TRUE, FALSE) is true; NOT (FALSE IN (TRUE, FALSE)) would be false.
    expect(valueWithoutErrors('NOT FALSE IN (TRUE, FALSE)')).toBe(true);
    expect(parseExpression('NOT a = b')).toMatchObject({
      kind: 'binary',
      operator: '=',
      left: { kind: 'not', operand: { kind: 'attribute', name: 'a' } },
    });
  });

  it('binds unary minus tighter than LIKE and binary operators', () => {
    // (-'5') LIKE '-%' is true; -('5' LIKE '-%') would be 0.
    expect(valueWithoutErrors(`-'5' LIKE '-%'`)).toBe(true);
    expect(valueWithoutErrors('-2 * 3')).toBe(-6);
    expect(valueWithoutErrors('-(2) + 5')).toBe(3);
  });

  it('binds function calls tightest', () => {
    expect(valueWithoutErrors(`-ABS(-3)`)).toBe(-3);
    expect(valueWithoutErrors(`NOT BOOL('false')`)).toBe(true);
  });

  it('binds LIKE tighter than IN, and IN tighter than binary operators', () => {
    // ('abc' LIKE 'a%') IN (TRUE)
    expect(valueWithoutErrors(`'abc' LIKE 'a%' IN (TRUE)`)).toBe(true);
    // 1 + (2 IN (2)) is 1 + TRUE
    expect(valueWithoutErrors('1 + 2 IN (2)')).toBe(2);
    expect(parseExpression(`a = b LIKE 'c'`)).toMatchObject({
      kind: 'binary',
      operator: '=',
      right: { kind: 'like', operand: { kind: 'attribute', name: 'b' } },
    });
  });

  it('applies EXISTS to its attribute name only', () => {
    expect(valueWithoutErrors('EXISTS id AND EXISTS source')).toBe(true);
    expect(valueWithoutErrors('EXISTS nothing = FALSE')).toBe(true);
    expect(valueWithoutErrors('NOT EXISTS nothing')).toBe(true);
  });

  it('lets parentheses override precedence', () => {
    expect(valueWithoutErrors('4 * (2 + 4) / 2')).toBe(12);
    expect(valueWithoutErrors('TRUE OR (TRUE AND FALSE)')).toBe(true);
    expect(valueWithoutErrors(`NOT (TRUE LIKE '%')`)).toBe(false);
    expect(valueWithoutErrors('((((1))))')).toBe(1);
  });

  it('builds a left-leaning tree for chains of one precedence', () => {
    expect(parseExpression('a AND b OR c')).toMatchObject({
      kind: 'binary',
      operator: 'OR',
      left: { kind: 'binary', operator: 'AND' },
      right: { kind: 'attribute', name: 'c' },
    });
  });
});

describe('LIKE, IN and function call syntax (§2.3, §2.4)', () => {
  it('accepts NOT LIKE and NOT IN', () => {
    expect(valueWithoutErrors(`'abc' NOT LIKE 'b%'`)).toBe(true);
    expect(valueWithoutErrors('3 NOT IN (1, 2)')).toBe(true);
  });

  it('accepts any expression inside an IN set', () => {
    expect(valueWithoutErrors('6 IN (1 + 2, 2 * 3)')).toBe(true);
    expect(valueWithoutErrors("id IN (CONCAT('event', '-1'))")).toBe(true);
  });

  it('accepts calls without arguments and nested calls', () => {
    expect(valueWithoutErrors('CONCAT()')).toBe('');
    expect(valueWithoutErrors(`UPPER(LOWER(CONCAT('A', 'b')))`)).toBe('AB');
  });

  it('reports the static result type of an expression', () => {
    expect(compileCesql('1 + 1').resultType).toBe('Integer');
    expect(compileCesql(`'a' LIKE 'a'`).resultType).toBe('Boolean');
    expect(compileCesql(`LOWER('A')`).resultType).toBe('String');
    expect(compileCesql('subject').resultType).toBeUndefined();
  });

  it('does not mistake an attribute named like a function for a call', () => {
    expect(run('length', { length: 'x' })).toEqual({ value: 'x', errors: [] });
  });
});
