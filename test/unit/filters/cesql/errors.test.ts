/**
 * Evaluation errors (cesql.md §3.2, §3.3): evaluation never throws; it returns the zero value of
 * the failing subexpression's type with the list of errors, and the errors propagate upwards.
 */
import { describe, expect, it } from 'vitest';
import { compileCesql } from '../../../../broker/filters/cesql/index.js';
import { BASE_EVENT, run } from './helpers.js';

describe('missing attributes (§3.2)', () => {
  it.each([
    ['missing', false],
    ['missing = 2', false],
    ['missing != 2', false],
    ['missing <> 2', false],
    [`missing = ''`, false],
    ['missing <= 2', false],
    ['2 > missing', false],
    ['missing * 5', 0],
    ['missing + 1', 0],
    ['1 / missing', 0],
    ['missing / 0', 0],
    ['missing % 0', 0],
    ['-missing', 0],
    ['NOT missing', false],
    ['missing AND TRUE', false],
    ['TRUE AND missing', false],
    ['missing OR TRUE', false],
    ['FALSE OR missing', false],
    ['missing XOR TRUE', false],
    [`missing LIKE '%'`, false],
    [`missing NOT LIKE 'x'`, false],
    ['missing IN (1, 2)', false],
    ['missing NOT IN (1, 2)', false],
    ['1 IN (missing, 1)', false],
    ['LENGTH(missing)', 0],
    [`CONCAT('a', missing)`, ''],
    [`LEFT(missing, 1)`, ''],
    ['ABS(missing)', 0],
    ['INT(missing)', 0],
    ['BOOL(missing)', false],
    ['STRING(missing)', ''],
    ['IS_INT(missing)', false],
    [`true AND (missing = "")`, false],
  ])('%s is %j with only a MissingAttributeError', (expression, zero) => {
    expect(run(expression)).toEqual({ value: zero, errors: ['missingAttribute'] });
  });

  it('yields the zero value of the subexpression that reads the attribute, which propagates upwards', () => {
    expect(run('NOT (missing = 2)')).toEqual({ value: false, errors: ['missingAttribute'] });
    expect(run('(missing + 1) = 0')).toEqual({ value: false, errors: ['missingAttribute'] });
    expect(run('LENGTH(CONCAT(missing, "abc"))')).toEqual({ value: 0, errors: ['missingAttribute'] });
  });

  it('reports every missing attribute that was evaluated', () => {
    expect(run('a + b')).toEqual({ value: 0, errors: ['missingAttribute', 'missingAttribute'] });
    expect(
      compileCesql('a = b')
        .evaluate(BASE_EVENT)
        .errors.map((error) => error.message),
    ).toEqual(["attribute 'a' is not present on the event", "attribute 'b' is not present on the event"]);
  });

  it('is not an error for EXISTS', () => {
    expect(run('EXISTS missing')).toEqual({ value: false, errors: [] });
    expect(run('EXISTS subject', { subject: 'x' })).toEqual({ value: true, errors: [] });
  });

  it('finds the required attributes of a valid event', () => {
    expect(run('EXISTS id AND EXISTS source AND EXISTS specversion AND EXISTS type')).toEqual({
      value: true,
      errors: [],
    });
  });

  it('never reads inherited properties as attributes', () => {
    for (const name of ['constructor', 'tostring', 'valueof', 'hasownproperty']) {
      expect(run(`EXISTS ${name}`)).toEqual({ value: false, errors: [] });
      expect(run(name)).toEqual({ value: false, errors: ['missingAttribute'] });
    }
  });

  it('treats an attribute set to undefined as missing', () => {
    const attributes = { ...BASE_EVENT, subject: undefined } as unknown as Record<string, string>;
    expect(compileCesql('EXISTS subject').evaluate(attributes).value).toBe(false);
    expect(
      compileCesql('subject')
        .evaluate(attributes)
        .errors.map((error) => error.kind),
    ).toEqual(['missingAttribute']);
  });
});

describe('attribute values (§3.2)', () => {
  it('keeps strings, booleans and 32-bit integers as String, Boolean and Integer', () => {
    expect(run('x', { x: 'text' }).value).toBe('text');
    expect(run('x', { x: true }).value).toBe(true);
    expect(run('x', { x: -42 }).value).toBe(-42);
    expect(run('x + 1', { x: 2147483646 }).value).toBe(2147483647);
  });

  it('represents numbers that are not 32-bit integers as String', () => {
    expect(run('x', { x: 1.5 }).value).toBe('1.5');
    expect(run('x', { x: 4294967296 }).value).toBe('4294967296');
    expect(run(`x = '1.5'`, { x: 1.5 }).value).toBe(true);
    expect(run('x + 1', { x: 1.5 })).toEqual({ value: 1, errors: ['cast'] });
  });

  it('represents -0 as the Integer 0', () => {
    expect(Object.is(run('x', { x: -0 }).value, 0)).toBe(true);
  });

  it('treats timestamps and URIs as strings', () => {
    expect(run(`time LIKE '2018-%'`, { time: '2018-04-26T14:48:09+02:00' }).value).toBe(true);
    expect(run(`source = 'https://example.com/source'`).value).toBe(true);
  });
});

describe('error propagation (§3.3)', () => {
  it('yields the zero value of an operator whose operand raised an error', () => {
    expect(run('true and (1 != 1 / 0)')).toEqual({ value: false, errors: ['math'] });
    expect(run('false or (1 != 1 / 0)')).toEqual({ value: false, errors: ['math'] });
    expect(run('(1 / 0) + 5')).toEqual({ value: 0, errors: ['math'] });
    expect(run(`LENGTH(LEFT('abc', -1))`)).toEqual({ value: 0, errors: ['functionEvaluation'] });
    expect(run('NOT NOT 10')).toEqual({ value: false, errors: ['cast'] });
    expect(run(`ABS(-2147483648) = 2147483647`)).toEqual({ value: false, errors: ['math'] });
  });

  it('keeps the defined result of the operator or function that raised the error itself', () => {
    expect(run('ABS(-2147483648)')).toEqual({ value: 2147483647, errors: ['math'] });
    expect(run(`RIGHT('abc', -1)`)).toEqual({ value: 'abc', errors: ['functionEvaluation'] });
    expect(run(`INT('x')`)).toEqual({ value: 0, errors: ['cast'] });
  });

  it('short-circuits AND and OR: the right operand is not evaluated and raises nothing', () => {
    expect(run('FALSE AND (1 / 0 = 0)')).toEqual({ value: false, errors: [] });
    expect(run('FALSE AND missing')).toEqual({ value: false, errors: [] });
    expect(run('TRUE OR (1 / 0 = 0)')).toEqual({ value: true, errors: [] });
    expect(run('TRUE OR missing')).toEqual({ value: true, errors: [] });
    expect(run('EXISTS subject AND subject = "x"')).toEqual({ value: false, errors: [] });
  });

  it('evaluates both operands of XOR', () => {
    expect(run('TRUE XOR missing')).toEqual({ value: false, errors: ['missingAttribute'] });
  });

  it('reports errors of constant subexpressions on every evaluation', () => {
    const compiled = compileCesql('1 / 0');
    expect(compiled.evaluate(BASE_EVENT).errors).toHaveLength(1);
    expect(compiled.evaluate(BASE_EVENT).errors).toHaveLength(1);
  });

  it('gives every error a kind and a message', () => {
    for (const expression of ['1 / 0', `INT('x')`, 'missing', 'NOPE()', `LEFT('a', -1)`]) {
      for (const error of compileCesql(expression).evaluate(BASE_EVENT).errors) {
        expect(error.kind).toMatch(
          /^(math|cast|missingAttribute|missingFunction|functionEvaluation|generic)$/,
        );
        expect(error.message.length).toBeGreaterThan(0);
      }
    }
  });
});

describe('evaluate and matches', () => {
  const expressions = [
    'TRUE',
    'FALSE',
    '1',
    `'true'`,
    'subject',
    'missing',
    'NOT 10',
    `1 IN (1, 'x')`,
    `type LIKE 'com.%'`,
    'INT(sequence) > 2',
    'sequence + 1 = 4',
    '1 / 0 = 0',
    `NOPE(1) OR TRUE`,
    `TRUE OR NOPE(1)`,
    `LEFT(subject, -1) = subject`,
    `subject = 'hello' AND EXISTS sequence`,
  ];
  const events = [
    BASE_EVENT,
    { ...BASE_EVENT, subject: 'hello', sequence: '3' },
    { ...BASE_EVENT, sequence: 3 },
  ];

  it('matches only a Boolean true without errors (§1.2)', () => {
    for (const expression of expressions) {
      const compiled = compileCesql(expression);
      for (const event of events) {
        const { value, errors } = compiled.evaluate(event);
        expect(compiled.matches(event), `${expression} on ${JSON.stringify(event)}`).toBe(
          value === true && errors.length === 0,
        );
      }
    }
  });

  it('does not match a true value that came with errors', () => {
    expect(compileCesql('NOT 10').matches(BASE_EVENT)).toBe(false);
    expect(compileCesql(`1 IN (1, 'x')`).matches(BASE_EVENT)).toBe(false);
  });

  it('does not match non-Boolean results, even truthy ones', () => {
    expect(compileCesql('1').matches(BASE_EVENT)).toBe(false);
    expect(compileCesql(`'true'`).matches(BASE_EVENT)).toBe(false);
    expect(compileCesql('subject').matches({ ...BASE_EVENT, subject: 'true' })).toBe(false);
    expect(compileCesql('flag').matches({ ...BASE_EVENT, flag: true })).toBe(true);
  });

  it('never throws, whatever the attributes hold', () => {
    const odd = [
      {},
      { subject: '' },
      { subject: '\u0000' },
      { sequence: Number.NaN },
      { sequence: Number.POSITIVE_INFINITY },
      { sequence: '999999999999' },
      { subject: '\ud800' },
    ];
    for (const expression of [...expressions, 'sequence * 2', 'ABS(sequence)', `SUBSTRING(subject, 2, 3)`]) {
      const compiled = compileCesql(expression);
      for (const extra of odd) {
        const attributes = { ...BASE_EVENT, ...extra } as Record<string, string | number>;
        expect(() => compiled.evaluate(attributes)).not.toThrow();
        expect(() => compiled.matches(attributes)).not.toThrow();
      }
    }
  });

  it('keeps no state between evaluations', () => {
    const compiled = compileCesql('INT(sequence) > 2');
    const first = compiled.evaluate({ ...BASE_EVENT, sequence: 'x' });
    const second = compiled.evaluate({ ...BASE_EVENT, sequence: '3' });
    expect(first.errors).toHaveLength(1);
    expect(second).toEqual({ value: true, errors: [] });
    expect(first.errors).not.toBe(second.errors);
  });

  it('does not modify the attributes', () => {
    const attributes = Object.freeze({ ...BASE_EVENT, sequence: '5' });
    expect(compileCesql('INT(sequence) + 1 = 6 AND LOWER(id) = id').evaluate(attributes)).toEqual({
      value: true,
      errors: [],
    });
    expect(attributes).toEqual({ ...BASE_EVENT, sequence: '5' });
  });

  it('keeps the source expression on the compiled object', () => {
    expect(compileCesql('EXISTS id').expression).toBe('EXISTS id');
  });
});
