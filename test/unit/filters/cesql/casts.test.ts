/** Type casting (cesql.md §3.7): the cast table and the implicit casts of each operator. */
import { describe, expect, it } from 'vitest';
import {
  castToBoolean,
  castToInteger,
  castToString,
  parseInteger,
} from '../../../../broker/filters/cesql/casts.js';
import type { CesqlError } from '../../../../broker/filters/cesql/index.js';
import { run, valueWithoutErrors } from './helpers.js';

function collecting(): { errors: CesqlError[]; report: (error: CesqlError) => void } {
  const errors: CesqlError[] = [];
  return { errors, report: (error) => errors.push(error) };
}

describe('the cast table', () => {
  it('casts Integer to String in base 10, with a leading - for negatives and no leading zeros', () => {
    expect(castToString(0)).toBe('0');
    expect(castToString(42)).toBe('42');
    expect(castToString(-2147483648)).toBe('-2147483648');
  });

  it('casts Boolean to String as "true" and "false"', () => {
    expect(castToString(true)).toBe('true');
    expect(castToString(false)).toBe('false');
  });

  it('casts Boolean to Integer as 1 and 0', () => {
    const sink = collecting();
    expect(castToInteger(true, sink)).toBe(1);
    expect(castToInteger(false, sink)).toBe(0);
    expect(sink.errors).toEqual([]);
  });

  it('casts Integer to Boolean: 0 is false, anything else true', () => {
    const sink = collecting();
    expect(castToBoolean(0, sink)).toBe(false);
    expect(castToBoolean(1, sink)).toBe(true);
    expect(castToBoolean(-7, sink)).toBe(true);
    expect(sink.errors).toEqual([]);
  });

  it.each([
    ['0', 0],
    ['123', 123],
    ['+123', 123],
    ['-123', -123],
    ['000123', 123],
    ['-0', 0],
    ['2147483647', 2147483647],
    ['-2147483648', -2147483648],
    ['-00000000002147483648', -2147483648],
  ])('casts the String %j to the Integer %d', (text, expected) => {
    const sink = collecting();
    expect(castToInteger(text, sink)).toBe(expected);
    expect(Object.is(castToInteger(text, sink), -0)).toBe(false);
    expect(sink.errors).toEqual([]);
  });

  it.each([
    '',
    ' 1',
    '1 ',
    '1.0',
    '1e3',
    '0x10',
    '+',
    '-',
    '--1',
    '+-1',
    'abc',
    '١٢',
    '2147483648',
    '-2147483649',
    '99999999999',
  ])('refuses to cast the String %j to Integer: 0 and a CastError', (text) => {
    const sink = collecting();
    expect(castToInteger(text, sink)).toBe(0);
    expect(sink.errors.map((error) => error.kind)).toEqual(['cast']);
    expect(parseInteger(text)).toBeUndefined();
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['tRuE', true],
    ['false', false],
    ['FALSE', false],
  ])('casts the String %j to the Boolean %s', (text, expected) => {
    const sink = collecting();
    expect(castToBoolean(text, sink)).toBe(expected);
    expect(sink.errors).toEqual([]);
  });

  it.each(['', 'yes', '1', ' true', 'true ', 't', 'falsey'])(
    'refuses to cast the String %j to Boolean: false and a CastError',
    (text) => {
      const sink = collecting();
      expect(castToBoolean(text, sink)).toBe(false);
      expect(sink.errors.map((error) => error.kind)).toEqual(['cast']);
    },
  );
});

describe('implicit casts of the equality operators (§3.7 rule 2.2)', () => {
  it('casts the left operand to the type of the right operand', () => {
    expect(valueWithoutErrors(`'TRUE' = true`)).toBe(true);
    expect(valueWithoutErrors(`true = 'TRUE'`)).toBe(false);
    expect(valueWithoutErrors(`true = 'true'`)).toBe(true);
    expect(valueWithoutErrors(`'5' = 5`)).toBe(true);
    expect(valueWithoutErrors(`5 = '5'`)).toBe(true);
    expect(valueWithoutErrors(`5 = '05'`)).toBe(false);
    expect(valueWithoutErrors(`'05' = 5`)).toBe(true);
    expect(valueWithoutErrors('1 = TRUE')).toBe(true);
    expect(valueWithoutErrors('2 = TRUE')).toBe(true);
    expect(valueWithoutErrors('TRUE = 1')).toBe(true);
    expect(valueWithoutErrors('TRUE = 2')).toBe(false);
  });

  it('documents the spec example: TRUE = "true" AND FALSE = "false" is true, upper case is not', () => {
    expect(valueWithoutErrors(`TRUE = "true" AND FALSE = "false"`)).toBe(true);
    expect(valueWithoutErrors(`TRUE = "TRUE" OR FALSE = "FALSE"`)).toBe(false);
  });

  it('compares strings case-sensitively', () => {
    expect(valueWithoutErrors(`'abc' = 'ABC'`)).toBe(false);
    expect(valueWithoutErrors(`'abc' != 'ABC'`)).toBe(true);
  });

  it('casts attribute values: an extension sent as text compares with an integer', () => {
    expect(valueWithoutErrors('sequence = 10', { sequence: '10' })).toBe(true);
    expect(valueWithoutErrors('sequence = 10', { sequence: 10 })).toBe(true);
    expect(valueWithoutErrors(`sequence = '10'`, { sequence: 10 })).toBe(true);
  });

  it('applies the same casts to != and <>', () => {
    expect(valueWithoutErrors(`'5' != 5`)).toBe(false);
    expect(valueWithoutErrors(`'5' <> 5`)).toBe(false);
    expect(valueWithoutErrors(`true <> 'TRUE'`)).toBe(true);
  });

  it('reports a failed cast of the left operand and compares its cast result', () => {
    expect(run(`'abc' = 5`)).toEqual({ value: false, errors: ['cast'] });
    expect(run(`'yes' = true`)).toEqual({ value: false, errors: ['cast'] });
  });
});

describe('implicit casts of the other operators', () => {
  it('casts both operands of arithmetic to Integer', () => {
    expect(valueWithoutErrors(`'5' + 3`)).toBe(8);
    expect(valueWithoutErrors(`5 + '3'`)).toBe(8);
    expect(valueWithoutErrors(`'5' * '3'`)).toBe(15);
    expect(valueWithoutErrors('5 + TRUE')).toBe(6);
    expect(valueWithoutErrors('FALSE - 1')).toBe(-1);
  });

  it('casts both operands of <, <=, >, >= to Integer, so numeric strings compare as numbers', () => {
    expect(valueWithoutErrors(`'5' < '10'`)).toBe(true);
    expect(valueWithoutErrors('hop < ttl', { hop: '5', ttl: '10' })).toBe(true);
    expect(valueWithoutErrors('TRUE > FALSE')).toBe(true);
    expect(valueWithoutErrors(`'-3' <= -3`)).toBe(true);
    expect(valueWithoutErrors(`'7' >= 8`)).toBe(false);
  });

  it('reports a CastError when an arithmetic or comparison operand is not numeric', () => {
    expect(run(`'abc' + 1`)).toEqual({ value: 1, errors: ['cast'] });
    expect(run(`'a' < 'b'`)).toEqual({ value: false, errors: ['cast', 'cast'] });
  });

  it('casts both operands of AND, OR and XOR to Boolean', () => {
    expect(valueWithoutErrors(`'true' AND 'TRUE'`)).toBe(true);
    expect(valueWithoutErrors(`'false' OR 'true'`)).toBe(true);
    expect(valueWithoutErrors(`'true' XOR FALSE`)).toBe(true);
    expect(valueWithoutErrors('1 AND 5')).toBe(true);
    expect(valueWithoutErrors('0 OR 0')).toBe(false);
  });

  it('reports a CastError when a logical operand is a non-boolean string', () => {
    expect(run(`'maybe' OR TRUE`)).toEqual({ value: true, errors: ['cast'] });
    expect(run(`TRUE AND 'maybe'`)).toEqual({ value: false, errors: ['cast'] });
  });

  it('casts the operand of unary minus to Integer', () => {
    expect(valueWithoutErrors(`-'10'`)).toBe(-10);
    expect(valueWithoutErrors('-FALSE')).toBe(0);
    expect(run(`-'ten'`)).toEqual({ value: 0, errors: ['cast'] });
  });

  it('casts the operand of NOT from String to Boolean', () => {
    expect(valueWithoutErrors(`NOT 'TRUE'`)).toBe(false);
    expect(valueWithoutErrors(`NOT 'false'`)).toBe(true);
    expect(run(`NOT 'nope'`)).toEqual({ value: true, errors: ['cast'] });
  });

  it('refuses an Integer operand of NOT: CastError, cast result false, so NOT yields true (conformance suite)', () => {
    expect(run('NOT 10')).toEqual({ value: true, errors: ['cast'] });
    expect(run('NOT 0')).toEqual({ value: true, errors: ['cast'] });
    expect(run('NOT n', { n: 3 })).toEqual({ value: true, errors: ['cast'] });
  });

  it('casts the left operand of LIKE to String', () => {
    expect(valueWithoutErrors(`234 LIKE '23_'`)).toBe(true);
    expect(valueWithoutErrors(`-5 LIKE '-_'`)).toBe(true);
    expect(valueWithoutErrors(`TRUE LIKE 'tr%'`)).toBe(true);
    expect(valueWithoutErrors(`FALSE LIKE 'FALSE'`)).toBe(false);
  });

  it('casts the set elements of IN to the type of the left operand (§3.4.5)', () => {
    expect(valueWithoutErrors(`1 IN ('1', '2')`)).toBe(true);
    expect(valueWithoutErrors(`'1' IN (1, 2)`)).toBe(true);
    expect(valueWithoutErrors(`'01' IN (1, 2)`)).toBe(false);
    expect(valueWithoutErrors(`'true' IN (TRUE, 'false')`)).toBe(true);
    expect(valueWithoutErrors(`'TRUE' IN (TRUE, 'false')`)).toBe(false);
    expect(valueWithoutErrors(`TRUE IN ('true', 'false')`)).toBe(true);
    expect(valueWithoutErrors(`TRUE IN (1)`)).toBe(true);
    expect(valueWithoutErrors(`FALSE IN (2, 3)`)).toBe(false);
  });

  it('casts every IN element, so an element that does not cast is reported even after a match', () => {
    expect(run(`1 IN (1, 'x')`)).toEqual({ value: true, errors: ['cast'] });
    expect(run(`1 IN ('x', 1)`)).toEqual({ value: true, errors: ['cast'] });
    expect(run(`n IN (2, 'x', 3)`, { n: 3 })).toEqual({ value: true, errors: ['cast'] });
    expect(run(`n IN (a, b)`, { n: 3, a: 'x', b: '3' })).toEqual({ value: true, errors: ['cast'] });
  });

  it('gives the same IN answers for constant sets and sets with attributes', () => {
    const extra = { one: '1', two: 2, yes: true };
    for (const needle of [`'1'`, '1', 'TRUE', `'true'`, `'x'`]) {
      expect(run(`${needle} IN ('1', 2, TRUE)`)).toEqual(run(`${needle} IN (one, two, yes)`, extra));
    }
  });

  it('casts attribute values the same way as literals', () => {
    expect(valueWithoutErrors('n + 1', { n: '41' })).toBe(42);
    expect(valueWithoutErrors('flag AND TRUE', { flag: 'true' })).toBe(true);
    expect(valueWithoutErrors('flag AND TRUE', { flag: true })).toBe(true);
  });
});
