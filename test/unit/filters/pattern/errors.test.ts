import { describe, expect, it } from 'vitest';
import { compilePattern, formatPatternPath, PatternError } from '../../../../broker/filters/pattern/index.js';

/** Compiles a pattern that must be rejected and returns the error. */
function rejection(pattern: unknown): PatternError {
  try {
    compilePattern(pattern);
  } catch (error) {
    if (error instanceof PatternError) return error;
    throw error;
  }
  throw new Error(`pattern was accepted: ${JSON.stringify(pattern)}`);
}

type Case = readonly [description: string, pattern: unknown, path: (string | number)[], message: RegExp];

const structure: Case[] = [
  ['a pattern that is not an object', ['type'], [], /expected an object of fields, got an array/],
  ['a null pattern', null, [], /got null/],
  ['an empty pattern', {}, [], /empty object/],
  [
    'a leaf that is a bare string',
    { source: 'aws.ec2' },
    ['source'],
    /value list \(array\) or a nested pattern object, got a string/,
  ],
  ['a leaf that is a number', { data: { n: 5 } }, ['data', 'n'], /got a number/],
  ['a leaf that is null', { subject: null }, ['subject'], /got null/],
  ['a leaf that is a boolean', { subject: true }, ['subject'], /got a boolean/],
  ['an empty value list', { type: [] }, ['type'], /empty value list/],
  ['an empty nested object', { data: {} }, ['data'], /empty object/],
  ['an array inside a value list', { type: [['a']] }, ['type', 0], /cannot contain an array/],
  [
    'a non-finite number from a YAML loader',
    { n: [Number.POSITIVE_INFINITY] },
    ['n', 0],
    /not the non-finite number Infinity/,
  ],
  ['NaN', { n: [1, Number.NaN] }, ['n', 1], /non-finite number NaN/],
  ['a Date from a YAML loader', { time: [new Date(0)] }, ['time', 0], /instance of Date/],
  ['a Date as a nested object', { time: new Date(0) }, ['time'], /instance of Date/],
  ['a bigint', { n: [10n] }, ['n', 0], /bigint/],
  ['undefined', { n: [undefined] }, ['n', 0], /undefined/],
];

const operators: Case[] = [
  [
    'an unknown operator',
    { detail: { x: [{ bogus: 1 }] } },
    ['detail', 'x', 0, 'bogus'],
    /unknown operator "bogus"; expected one of "prefix"/,
  ],
  ['an empty operator object', { x: [{}] }, ['x', 0], /empty object is not an operator/],
  [
    'two operators in one object',
    { x: [{ prefix: 'a', suffix: 'b' }] },
    ['x', 0, 'suffix'],
    /exactly one operator/,
  ],
  ['$or used as an operator', { x: [{ $or: [] }] }, ['x', 0, '$or'], /unknown operator "\$or"/],
  [
    'prefix with a number',
    { x: [{ prefix: 5 }] },
    ['x', 0, 'prefix'],
    /"prefix" expects a string or \{"equals-ignore-case": string\}, got a number/,
  ],
  ['prefix with a list', { x: [{ prefix: ['a'] }] }, ['x', 0, 'prefix'], /got an array/],
  [
    'prefix with an unknown inner operator',
    { x: [{ prefix: { wildcard: 'a*' } }] },
    ['x', 0, 'prefix', 'wildcard'],
    /not "wildcard"/,
  ],
  [
    'prefix with an extra inner key',
    { x: [{ prefix: { 'equals-ignore-case': 'a', y: 1 } }] },
    ['x', 0, 'prefix', 'y'],
    /not "y"/,
  ],
  ['prefix with an empty inner object', { x: [{ prefix: {} }] }, ['x', 0, 'prefix'], /empty object/],
  [
    'suffix with a non-string ignore-case operand',
    { x: [{ suffix: { 'equals-ignore-case': 1 } }] },
    ['x', 0, 'suffix', 'equals-ignore-case'],
    /expects a string, got a number/,
  ],
  [
    'equals-ignore-case with a number',
    { x: [{ 'equals-ignore-case': 1 }] },
    ['x', 0, 'equals-ignore-case'],
    /expects a string/,
  ],
  ['wildcard with a number', { x: [{ wildcard: 1 }] }, ['x', 0, 'wildcard'], /expects a string/],
  [
    'wildcard with consecutive wildcards',
    { x: [{ wildcard: 'a**b' }] },
    ['x', 0, 'wildcard'],
    /consecutive wildcard characters at position 2/,
  ],
  [
    'wildcard with an escaped star followed by two wildcards',
    { x: [{ wildcard: String.raw`\***` }] },
    ['x', 0, 'wildcard'],
    /consecutive wildcard characters at position 3/,
  ],
  [
    'wildcard escaping an ordinary character',
    { x: [{ wildcard: String.raw`a\b` }] },
    ['x', 0, 'wildcard'],
    /invalid escape at position 1/,
  ],
  [
    'wildcard ending in a backslash',
    { x: [{ wildcard: 'a\\' }] },
    ['x', 0, 'wildcard'],
    /invalid escape at position 1/,
  ],
  [
    'exists with a string',
    { x: [{ exists: 'true' }] },
    ['x', 0, 'exists'],
    /"exists" expects true or false, got a string/,
  ],
  ['exists with null', { x: [{ exists: null }] }, ['x', 0, 'exists'], /got null/],
  ['cidr with a number', { ip: [{ cidr: 10 }] }, ['ip', 0, 'cidr'], /"cidr" expects a string/],
  ['cidr without a prefix length', { ip: [{ cidr: '10.0.0.1' }] }, ['ip', 0, 'cidr'], /not a CIDR block/],
  [
    'cidr with a bad address',
    { ip: [{ cidr: '10.0.0.256/8' }] },
    ['ip', 0, 'cidr'],
    /"10.0.0.256" is not an IPv4 or IPv6 address/,
  ],
  [
    'cidr with an IPv4 prefix that is too long',
    { ip: [{ cidr: '10.0.0.0/33' }] },
    ['ip', 0, 'cidr'],
    /IPv4: expected a whole number from 0 to 32/,
  ],
  [
    'cidr with an IPv6 prefix that is too long',
    { ip: [{ cidr: '2001:db8::/129' }] },
    ['ip', 0, 'cidr'],
    /IPv6: expected a whole number from 0 to 128/,
  ],
  [
    'cidr with an IPv6 zone',
    { ip: [{ cidr: 'fe80::1%eth0/64' }] },
    ['ip', 0, 'cidr'],
    /not an IPv4 or IPv6 address/,
  ],
];

const numeric: Case[] = [
  [
    'numeric that is not an array',
    { n: [{ numeric: '>5' }] },
    ['n', 0, 'numeric'],
    /"numeric" expects an array, got a string/,
  ],
  ['numeric with no elements', { n: [{ numeric: [] }] }, ['n', 0, 'numeric'], /has 0 elements/],
  ['numeric with three elements', { n: [{ numeric: ['>', 0, '<'] }] }, ['n', 0, 'numeric'], /has 3 elements/],
  [
    'numeric with five elements',
    { n: [{ numeric: ['>', 0, '<', 5, 6] }] },
    ['n', 0, 'numeric'],
    /has 5 elements/,
  ],
  [
    'an unknown numeric operator',
    { n: [{ numeric: ['!=', 5] }] },
    ['n', 0, 'numeric', 0],
    /"!=" is not a numeric operator/,
  ],
  [
    'a symbol that is not a string',
    { n: [{ numeric: [5, '>'] }] },
    ['n', 0, 'numeric', 0],
    /a number is not a numeric operator/,
  ],
  [
    'a unicode look-alike operator',
    { n: [{ numeric: ['≤', 5] }] },
    ['n', 0, 'numeric', 0],
    /"≤" is not a numeric operator/,
  ],
  [
    'a bound given as a string',
    { n: [{ numeric: ['>', '5'] }] },
    ['n', 0, 'numeric', 1],
    /finite number, got a string/,
  ],
  [
    'an infinite bound',
    { n: [{ numeric: ['<', Number.POSITIVE_INFINITY] }] },
    ['n', 0, 'numeric', 1],
    /finite number/,
  ],
  [
    'a bound above the supported range',
    { n: [{ numeric: ['<', 5000000001] }] },
    ['n', 0, 'numeric', 1],
    /outside the range numeric matching supports \(-5000000000 to 5000000000\)/,
  ],
  [
    'a bound below the supported range',
    { n: [{ numeric: ['>', -1e10, '<', 0] }] },
    ['n', 0, 'numeric', 1],
    /outside the range/,
  ],
  [
    'a range written upper bound first',
    { n: [{ numeric: ['<', 5, '>', 0] }] },
    ['n', 0, 'numeric', 0],
    /must start with ">" or ">="/,
  ],
  [
    'a range starting with =',
    { n: [{ numeric: ['=', 5, '<', 6] }] },
    ['n', 0, 'numeric', 0],
    /must start with ">" or ">=", not "="/,
  ],
  [
    'a range with two lower bounds',
    { n: [{ numeric: ['>', 0, '>=', 5] }] },
    ['n', 0, 'numeric', 2],
    /must end with "<" or "<="/,
  ],
  [
    'a range with a bad second operator',
    { n: [{ numeric: ['>', 0, 'lt', 5] }] },
    ['n', 0, 'numeric', 2],
    /"lt" is not a numeric operator/,
  ],
  [
    'a range whose bounds are reversed',
    { n: [{ numeric: ['>', 10, '<', 5] }] },
    ['n', 0, 'numeric', 3],
    /upper bound 5 must be greater than the lower bound 10/,
  ],
  [
    'a range whose bounds are equal',
    { n: [{ numeric: ['>=', 5, '<=', 5] }] },
    ['n', 0, 'numeric', 3],
    /must be greater/,
  ],
  [
    'a range whose bounds differ only past six decimals',
    { n: [{ numeric: ['>', 1.0000001, '<', 1.0000002] }] },
    ['n', 0, 'numeric', 3],
    /six decimal places/,
  ],
];

const anythingBut: Case[] = [
  ['anything-but with null', { x: [{ 'anything-but': null }] }, ['x', 0, 'anything-but'], /got null/],
  [
    'anything-but with a boolean',
    { x: [{ 'anything-but': true }] },
    ['x', 0, 'anything-but'],
    /got a boolean/,
  ],
  [
    'anything-but with an empty list',
    { x: [{ 'anything-but': [] }] },
    ['x', 0, 'anything-but'],
    /at least one value/,
  ],
  [
    'anything-but mixing strings and numbers',
    { x: [{ 'anything-but': ['a', 1] }] },
    ['x', 0, 'anything-but', 1],
    /must not mix strings and numbers/,
  ],
  [
    'anything-but listing null',
    { x: [{ 'anything-but': ['a', null] }] },
    ['x', 0, 'anything-but', 1],
    /only strings or only numbers, not null/,
  ],
  [
    'anything-but listing a nested list',
    { x: [{ 'anything-but': [['a']] }] },
    ['x', 0, 'anything-but', 0],
    /not an array/,
  ],
  [
    'anything-but with an infinite number',
    { x: [{ 'anything-but': Number.NEGATIVE_INFINITY }] },
    ['x', 0, 'anything-but'],
    /finite number/,
  ],
  [
    'anything-but with an unsupported inner operator',
    { x: [{ 'anything-but': { numeric: ['>', 1] } }] },
    ['x', 0, 'anything-but', 'numeric'],
    /does not support "numeric"/,
  ],
  [
    'anything-but with exists inside',
    { x: [{ 'anything-but': { exists: false } }] },
    ['x', 0, 'anything-but', 'exists'],
    /does not support "exists"/,
  ],
  [
    'anything-but with cidr inside',
    { x: [{ 'anything-but': { cidr: '10.0.0.0/8' } }] },
    ['x', 0, 'anything-but', 'cidr'],
    /does not support "cidr"/,
  ],
  [
    'anything-but with two inner operators',
    { x: [{ 'anything-but': { prefix: 'a', suffix: 'b' } }] },
    ['x', 0, 'anything-but', 'suffix'],
    /exactly one inner operator/,
  ],
  [
    'anything-but with an empty inner object',
    { x: [{ 'anything-but': {} }] },
    ['x', 0, 'anything-but'],
    /empty object/,
  ],
  [
    'anything-but with an empty prefix',
    { x: [{ 'anything-but': { prefix: '' } }] },
    ['x', 0, 'anything-but', 'prefix'],
    /non-empty "prefix"/,
  ],
  [
    'anything-but with an empty suffix in a list',
    { x: [{ 'anything-but': { suffix: ['.png', ''] } }] },
    ['x', 0, 'anything-but', 'suffix', 1],
    /non-empty "suffix"/,
  ],
  [
    'anything-but with an empty inner list',
    { x: [{ 'anything-but': { wildcard: [] } }] },
    ['x', 0, 'anything-but', 'wildcard'],
    /at least one string/,
  ],
  [
    'anything-but with a number in an inner list',
    { x: [{ 'anything-but': { 'equals-ignore-case': ['a', 2] } }] },
    ['x', 0, 'anything-but', 'equals-ignore-case', 1],
    /expects a string, got a number/,
  ],
  [
    'anything-but with a bad inner wildcard',
    { x: [{ 'anything-but': { wildcard: 'a**' } }] },
    ['x', 0, 'anything-but', 'wildcard'],
    /consecutive wildcard/,
  ],
  [
    'anything-but with an ignore-case prefix',
    { x: [{ 'anything-but': { prefix: { 'equals-ignore-case': 'a' } } }] },
    ['x', 0, 'anything-but', 'prefix'],
    /expects a string, got an object/,
  ],
];

const or: Case[] = [
  [
    '$or that is an object',
    { $or: { a: ['1'] } },
    ['$or'],
    /"\$or" expects an array of pattern objects, got an object/,
  ],
  ['$or that is a string', { $or: 'a' }, ['$or'], /got a string/],
  ['$or with no branches', { $or: [] }, ['$or'], /at least two branches, got 0/],
  ['$or with one branch', { $or: [{ a: ['1'] }] }, ['$or'], /at least two branches, got 1/],
  [
    '$or with a branch that is a value',
    { $or: [{ a: ['1'] }, 'b'] },
    ['$or', 1],
    /must be a pattern object, not a string/,
  ],
  ['$or with a branch that is a list', { $or: [{ a: ['1'] }, [{ b: ['2'] }]] }, ['$or', 1], /not an array/],
  ['$or with an empty branch', { $or: [{ a: ['1'] }, {}] }, ['$or', 1], /empty object/],
  [
    '$or using an operator as a field name',
    { $or: [{ prefix: ['a'] }, { b: ['2'] }] },
    ['$or', 0, 'prefix'],
    /"prefix" is an operator, not a field name/,
  ],
  [
    'an error deep inside a nested $or',
    { data: { $or: [{ a: ['1'] }, { b: { c: [{ numeric: ['>', 'x'] }] } }] } },
    ['data', '$or', 1, 'b', 'c', 0, 'numeric', 1],
    /finite number/,
  ],
];

describe('PatternError', () => {
  describe.each([
    ['structure', structure],
    ['operators', operators],
    ['numeric', numeric],
    ['anything-but', anythingBut],
    ['$or', or],
  ] as const)('%s', (_group, cases) => {
    it.each(cases)('rejects %s', (_description, pattern, path, message) => {
      const error = rejection(pattern);
      expect(error.path).toEqual(path);
      expect(error.reason).toMatch(message);
      expect(error.message).toBe(`${formatPatternPath(path)}: ${error.reason}`);
    });
  });

  it('is an Error with its own name, so callers can tell it from other failures', () => {
    const error = rejection({ a: 'b' });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('PatternError');
  });

  it('formats the path as a JSON Pointer, escaping "~" and "/" in keys', () => {
    expect(rejection({ 'a/b': { '~c': 1 } }).message).toBe(
      '/a~1b/~0c: expected a value list (array) or a nested pattern object, got a number',
    );
    expect(rejection({ x: [{ bogus: 1 }] }).message).toMatch(/^\/x\/0\/bogus: unknown operator/);
    expect(rejection(5).message).toMatch(/^pattern root: /);
  });

  it('hands out a path the caller may keep or change without affecting later errors', () => {
    const first = rejection({ a: 'b' });
    first.path.push('changed');
    expect(rejection({ a: 'b' }).path).toEqual(['a']);
  });

  it('accepts every documented form that the error cases above are variations of', () => {
    expect(() =>
      compilePattern({
        source: ['aws.ec2', null, true, 5, ''],
        time: [{ prefix: '2017-10-02' }, { prefix: '' }, { prefix: { 'equals-ignore-case': 'x' } }],
        file: [{ suffix: '.png' }, { suffix: { 'equals-ignore-case': '.PNG' } }],
        name: [{ 'equals-ignore-case': 'alice' }, { wildcard: String.raw`*\**\\` }],
        state: [
          { 'anything-but': 'initializing' },
          { 'anything-but': 5 },
          { 'anything-but': ['a', 'b'] },
          { 'anything-but': [1, 2] },
          { 'anything-but': { prefix: 'init' } },
          { 'anything-but': { suffix: ['.a', '.b'] } },
          { 'anything-but': { 'equals-ignore-case': '' } },
          { 'anything-but': { wildcard: ['*/lib/*'] } },
        ],
        count: [
          { numeric: ['>', 0, '<=', 5] },
          { numeric: ['=', 3.018e2] },
          { numeric: ['>=', -5e9, '<', 5e9] },
        ],
        ip: [{ cidr: '10.0.0.0/24' }, { cidr: '2001:db8::/32' }, { cidr: '0.0.0.0/0' }, { cidr: '::1/128' }],
        gone: [{ exists: false }, { exists: true }],
        $or: [{ a: ['1'] }, { b: { c: ['2'] } }],
        data: { nested: { deeper: ['x'] }, $or: [{ d: ['1'] }, { e: ['2'] }] },
      }),
    ).not.toThrow();
  });
});
