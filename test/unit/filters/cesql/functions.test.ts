/** Built-in functions (cesql.md §3.5) with their casts and error results. */
import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_FUNCTIONS,
  type FunctionDefinition,
  findOverloadConflicts,
  resolveFunction,
} from '../../../../broker/filters/cesql/functions.js';
import { run, valueWithoutErrors } from './helpers.js';

describe('LENGTH', () => {
  it.each([
    [`LENGTH('abc')`, 3],
    [`LENGTH('')`, 0],
    [`LENGTH('2')`, 1],
    [`LENGTH(TRUE)`, 4],
    [`LENGTH(-123)`, 4],
    [`LENGTH('é')`, 1],
    [`LENGTH('e\u0301')`, 2],
    [`LENGTH('😀')`, 1],
    // 👍🏽 is two code points (thumbs up + skin tone modifier): characters, not grapheme clusters.
    [`LENGTH('a😀b👍🏽')`, 5],
    [`LENGTH('日本語')`, 3],
  ])('%s is %d (characters are Unicode code points)', (expression, expected) => {
    expect(valueWithoutErrors(expression)).toBe(expected);
  });

  it('counts the characters of an attribute value', () => {
    expect(valueWithoutErrors('LENGTH(subject)', { subject: 'Grüße 🌍' })).toBe(7);
  });
});

describe('CONCAT and CONCAT_WS', () => {
  it('concatenates any number of arguments, cast to String', () => {
    expect(valueWithoutErrors('CONCAT()')).toBe('');
    expect(valueWithoutErrors(`CONCAT('a')`)).toBe('a');
    expect(valueWithoutErrors(`CONCAT('a', 'b', 'c')`)).toBe('abc');
    expect(valueWithoutErrors(`CONCAT('n=', 1, ' ', TRUE)`)).toBe('n=1 true');
    expect(valueWithoutErrors(`CONCAT(id, '@', source)`)).toBe('event-1@https://example.com/source');
  });

  it('joins with the delimiter between the values only', () => {
    expect(valueWithoutErrors(`CONCAT_WS(',')`)).toBe('');
    expect(valueWithoutErrors(`CONCAT_WS(',', 'a')`)).toBe('a');
    expect(valueWithoutErrors(`CONCAT_WS(',', 'a', 'b', 'c')`)).toBe('a,b,c');
    expect(valueWithoutErrors(`CONCAT_WS(', ', 1, FALSE)`)).toBe('1, false');
    expect(valueWithoutErrors(`CONCAT_WS(0, 1, 2)`)).toBe('102');
  });

  it('has no CONCAT_WS without a delimiter: false and a MissingFunctionError', () => {
    expect(run('CONCAT_WS()')).toEqual({ value: false, errors: ['missingFunction'] });
  });
});

describe('LOWER, UPPER and TRIM', () => {
  it('changes case with the full Unicode mappings', () => {
    expect(valueWithoutErrors(`LOWER('AbC')`)).toBe('abc');
    expect(valueWithoutErrors(`UPPER('AbC')`)).toBe('ABC');
    expect(valueWithoutErrors(`LOWER('ÄÖÜ')`)).toBe('äöü');
    expect(valueWithoutErrors(`UPPER('straße')`)).toBe('STRASSE');
    expect(valueWithoutErrors(`UPPER(TRUE)`)).toBe('TRUE');
  });

  it('trims leading and trailing Unicode whitespace only', () => {
    expect(valueWithoutErrors(`TRIM('   a b c   ')`)).toBe('a b c');
    expect(valueWithoutErrors(`TRIM('a b c')`)).toBe('a b c');
    expect(valueWithoutErrors(`TRIM('')`)).toBe('');
    expect(valueWithoutErrors(`TRIM('   ')`)).toBe('');
    expect(valueWithoutErrors(`TRIM(x)`, { x: '\t\n\u00a0\u2003\u3000\u0085x y\u2028\r' })).toBe('x y');
  });

  it('does not trim characters that are not Unicode whitespace', () => {
    // U+FEFF (byte order mark) is not White_Space, although JavaScript's trim() removes it.
    expect(valueWithoutErrors('TRIM(x)', { x: '\ufeffx\ufeff' })).toBe('\ufeffx\ufeff');
    expect(valueWithoutErrors('TRIM(x)', { x: '\u0000x\u0007' })).toBe('\u0000x\u0007');
    expect(valueWithoutErrors('TRIM(x)', { x: '\u200bx' })).toBe('\u200bx');
  });
});

describe('LEFT and RIGHT', () => {
  it.each([
    [`LEFT('abc', 2)`, 'ab'],
    [`LEFT('abc', 0)`, ''],
    [`LEFT('abc', 3)`, 'abc'],
    [`LEFT('abc', 10)`, 'abc'],
    [`LEFT('', 0)`, ''],
    [`LEFT('😀a😀', 2)`, '😀a'],
    [`LEFT(12345, '2')`, '12'],
    [`RIGHT('abc', 2)`, 'bc'],
    [`RIGHT('abc', 0)`, ''],
    [`RIGHT('abc', 3)`, 'abc'],
    [`RIGHT('abc', 10)`, 'abc'],
    [`RIGHT('', 0)`, ''],
    [`RIGHT('😀a😀', 2)`, 'a😀'],
  ])('%s is %j', (expression, expected) => {
    expect(valueWithoutErrors(expression)).toBe(expected);
  });

  it('returns x itself and a FunctionEvaluationError for a negative count', () => {
    expect(run(`LEFT('abc', -2)`)).toEqual({ value: 'abc', errors: ['functionEvaluation'] });
    expect(run(`RIGHT('abc', -1)`)).toEqual({ value: 'abc', errors: ['functionEvaluation'] });
  });

  it('reports a CastError for a count that is not an integer, and uses 0', () => {
    expect(run(`LEFT('abc', 'two')`)).toEqual({ value: '', errors: ['cast'] });
  });
});

describe('SUBSTRING', () => {
  it.each([
    [`SUBSTRING('abcdef', 1)`, 'abcdef'],
    [`SUBSTRING('abcdef', 2)`, 'bcdef'],
    [`SUBSTRING('abcdef', 6)`, 'f'],
    [`SUBSTRING('Quadratically', 5)`, 'ratically'],
    [`SUBSTRING('Sakila', -3)`, 'ila'],
    [`SUBSTRING('Sakila', -6)`, 'Sakila'],
    [`SUBSTRING('abcdef', 0)`, ''],
    [`SUBSTRING('', 0)`, ''],
    [`SUBSTRING('abcdef', 1, 6)`, 'abcdef'],
    [`SUBSTRING('abcdef', 2, 4)`, 'bcde'],
    [`SUBSTRING('abcdef', 2, 0)`, ''],
    [`SUBSTRING('abcdef', 5, 100)`, 'ef'],
    [`SUBSTRING('Sakila', -5, 3)`, 'aki'],
    [`SUBSTRING('Sakila', -2, 10)`, 'la'],
    [`SUBSTRING('abcdef', 0, 1)`, ''],
    [`SUBSTRING('a😀bc', 2, 2)`, '😀b'],
    [`SUBSTRING('a😀bc', -3)`, '😀bc'],
    [`SUBSTRING(123456, '2', '3')`, '234'],
  ])('%s is %j', (expression, expected) => {
    expect(valueWithoutErrors(expression)).toBe(expected);
  });

  it.each([
    `SUBSTRING('abcdef', 7)`,
    `SUBSTRING('abcdef', 10)`,
    `SUBSTRING('abcdef', -7)`,
    `SUBSTRING('abcdef', -10)`,
    `SUBSTRING('abcdef', 10, 10)`,
    `SUBSTRING('abcdef', -10, 10)`,
    `SUBSTRING('', 1)`,
    `SUBSTRING('abcdef', 2, -1)`,
    `SUBSTRING('abcdef', 0, -1)`,
    `SUBSTRING('a😀', 3)`,
  ])('%s is the empty string with a FunctionEvaluationError', (expression) => {
    expect(run(expression)).toEqual({ value: '', errors: ['functionEvaluation'] });
  });
});

describe('ABS', () => {
  it.each([
    ['ABS(10)', 10],
    ['ABS(-10)', 10],
    ['ABS(0)', 0],
    ['ABS(2147483647)', 2147483647],
    ['ABS(-2147483647)', 2147483647],
    [`ABS('-5')`, 5],
    ['ABS(TRUE)', 1],
  ])('%s is %d', (expression, expected) => {
    expect(valueWithoutErrors(expression)).toBe(expected);
  });

  it('returns 2147483647 and a MathError for the minimum integer', () => {
    expect(run('ABS(-2147483648)')).toEqual({ value: 2147483647, errors: ['math'] });
    expect(run('ABS(n)', { n: -2147483648 })).toEqual({ value: 2147483647, errors: ['math'] });
  });

  it('reports a CastError for a non-numeric argument and uses 0', () => {
    expect(run(`ABS('x')`)).toEqual({ value: 0, errors: ['cast'] });
  });
});

describe('casting functions INT, BOOL and STRING (§3.7 semantics)', () => {
  it.each([
    [`INT('1')`, 1],
    [`INT('-1')`, -1],
    [`INT('+42')`, 42],
    ['INT(7)', 7],
    ['INT(TRUE)', 1],
    ['INT(FALSE)', 0],
    [`BOOL('TRUE')`, true],
    [`BOOL("false")`, false],
    ['BOOL(TRUE)', true],
    ['BOOL(1)', true],
    ['BOOL(0)', false],
    ['BOOL(-50)', true],
    ['STRING(TRUE)', 'true'],
    ['STRING(FALSE)', 'false'],
    ['STRING(-1)', '-1'],
    [`STRING('abc')`, 'abc'],
  ])('%s is %j', (expression, expected) => {
    expect(valueWithoutErrors(expression)).toBe(expected);
  });

  it('reports a CastError with the zero value for a string that does not cast', () => {
    expect(run(`INT('ABC')`)).toEqual({ value: 0, errors: ['cast'] });
    expect(run(`INT('2147483648')`)).toEqual({ value: 0, errors: ['cast'] });
    expect(run(`INT('1.5')`)).toEqual({ value: 0, errors: ['cast'] });
    expect(run(`BOOL('ABC')`)).toEqual({ value: false, errors: ['cast'] });
  });

  it('works on attributes, as in the spec example int(hop) < int(ttl)', () => {
    expect(valueWithoutErrors('int(hop) < int(ttl) and int(hop) < 1000', { hop: '5', ttl: '10' })).toBe(true);
  });
});

describe('type checks IS_BOOL and IS_INT', () => {
  it.each([
    ['IS_BOOL(TRUE)', true],
    [`IS_BOOL('false')`, true],
    [`IS_BOOL('True')`, true],
    [`IS_BOOL('yes')`, false],
    ['IS_BOOL(1)', false],
    ['IS_INT(1)', true],
    [`IS_INT('-12')`, true],
    [`IS_INT('12a')`, false],
    [`IS_INT('2147483648')`, false],
    ['IS_INT(TRUE)', false],
  ])('%s is %s, without errors', (expression, expected) => {
    expect(valueWithoutErrors(expression)).toBe(expected);
  });

  it('checks attribute values', () => {
    expect(valueWithoutErrors('IS_INT(sequence) AND INT(sequence) > 3', { sequence: '4' })).toBe(true);
  });
});

describe('dispatch', () => {
  it('returns false and a MissingFunctionError for an unknown function', () => {
    expect(run('NO_SUCH(1)')).toEqual({ value: false, errors: ['missingFunction'] });
  });

  it('returns false and a MissingFunctionError for a known name with the wrong arity', () => {
    expect(run('LENGTH()')).toEqual({ value: false, errors: ['missingFunction'] });
    expect(run(`LENGTH('a', 'b')`)).toEqual({ value: false, errors: ['missingFunction'] });
    expect(run(`SUBSTRING('a')`)).toEqual({ value: false, errors: ['missingFunction'] });
    expect(run(`SUBSTRING('a', 1, 1, 1)`)).toEqual({ value: false, errors: ['missingFunction'] });
    expect(run('ABS(1, 2)')).toEqual({ value: false, errors: ['missingFunction'] });
  });

  it('selects an overload by arity', () => {
    expect(resolveFunction('SUBSTRING', 2)?.parameters).toHaveLength(2);
    expect(resolveFunction('SUBSTRING', 3)?.parameters).toHaveLength(3);
    expect(resolveFunction('CONCAT', 0)?.name).toBe('CONCAT');
    expect(resolveFunction('CONCAT', 9)?.name).toBe('CONCAT');
    expect(resolveFunction('CONCAT_WS', 0)).toBeUndefined();
  });

  it('has a built-in table that obeys the overloading rules of §3.5', () => {
    expect(findOverloadConflicts(BUILT_IN_FUNCTIONS)).toEqual([]);
  });

  it('detects overload sets the spec says an engine must reject', () => {
    const stub = (parameters: number, variadic: boolean): FunctionDefinition => ({
      name: 'ABC',
      parameters: Array.from({ length: parameters }, () => 'String' as const),
      ...(variadic ? { variadic: 'String' as const } : {}),
      returns: 'Integer',
      call: () => 0,
    });
    expect(findOverloadConflicts([stub(1, false), stub(2, false), stub(3, true)])).toEqual([]);
    expect(findOverloadConflicts([stub(0, true), stub(3, false)])).toHaveLength(1);
    expect(findOverloadConflicts([stub(2, false), stub(2, false)])).toHaveLength(1);
    expect(findOverloadConflicts([stub(3, true), stub(4, true)])).not.toEqual([]);
  });
});
