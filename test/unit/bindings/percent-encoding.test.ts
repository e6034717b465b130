import { describe, expect, it } from 'vitest';
import {
  decodeHeaderValue,
  HeaderValueError,
  percentEncodeHeaderValue,
} from '../../../broker/bindings/percent-encoding.js';

describe('percentEncodeHeaderValue (http-binding 3.1.3.2)', () => {
  it('encodes the spec example with upper-case hex', () => {
    expect(percentEncodeHeaderValue('Euro € 😀')).toBe('Euro%20%E2%82%AC%20%F0%9F%98%80');
  });

  it('encodes space, double quote and percent', () => {
    expect(percentEncodeHeaderValue('a b"c%d')).toBe('a%20b%22c%25d');
  });

  it('leaves the rest of printable ASCII alone', () => {
    const printable = Array.from({ length: 0x7e - 0x21 + 1 }, (_, index) => String.fromCharCode(0x21 + index))
      .filter((character) => character !== '"' && character !== '%')
      .join('');
    expect(percentEncodeHeaderValue(printable)).toBe(printable);
  });

  it('encodes control characters and DEL', () => {
    expect(percentEncodeHeaderValue('\t\n\u007f\u0085')).toBe('%09%0A%7F%C2%85');
  });

  it('refuses an unpaired surrogate', () => {
    expect(() => percentEncodeHeaderValue('a\ud800')).toThrow(HeaderValueError);
  });
});

describe('decodeHeaderValue', () => {
  it('decodes the spec example', () => {
    expect(decodeHeaderValue('Euro%20%E2%82%AC%20%F0%9F%98%80')).toBe('Euro € 😀');
  });

  it('accepts lower-case hex and unnecessarily encoded characters', () => {
    expect(decodeHeaderValue('%e2%82%ac%41%42')).toBe('€AB');
  });

  it('performs exactly one round of decoding', () => {
    expect(decodeHeaderValue('100%2525')).toBe('100%25');
  });

  it('accepts a literal space from older senders and trims surrounding whitespace', () => {
    expect(decodeHeaderValue('  hello world \t')).toBe('hello world');
  });

  it('unescapes double-quoted strings before percent-decoding', () => {
    expect(decodeHeaderValue('"hello world"')).toBe('hello world');
    expect(decodeHeaderValue('"say \\"hi\\""')).toBe('say "hi"');
    expect(decodeHeaderValue('"a\\\\b"')).toBe('a\\b');
    expect(decodeHeaderValue('pre"quoted %41"post')).toBe('prequoted Apost');
  });

  const invalid: Array<[string, string]> = [
    ['100%', 'a lone percent sign'],
    ['%4', 'a truncated escape'],
    ['%zz', 'non-hex digits'],
    ['%%41', 'a percent followed by a percent'],
    ['%C0%A0', 'an overlong encoding of space'],
    ['%E2%82', 'a truncated UTF-8 sequence'],
    ['%FF', 'a byte that never occurs in UTF-8'],
    ['%ED%A0%80', 'an encoded surrogate'],
    ['%F4%90%80%80', 'a code point above U+10FFFF'],
    ['"unterminated', 'an unterminated quoted-string'],
    ['caf\u00e9', 'a raw non-ASCII character'],
    ['a\u0001b', 'a raw control character'],
  ];
  for (const [raw, what] of invalid) {
    it(`rejects ${what}: ${JSON.stringify(raw)}`, () => {
      expect(() => decodeHeaderValue(raw)).toThrow(HeaderValueError);
    });
  }

  const roundTrips = [
    'plain-ascii_value.1',
    'with space',
    'with "double quotes"',
    '100% sure',
    '%41 is not A',
    'Grüße aus Köln',
    '日本語のテキスト',
    'emoji 😀 and 👍🏽',
    '\\back\\slash',
    'mixed "%" and €',
  ];
  for (const value of roundTrips) {
    it(`round-trips ${JSON.stringify(value)}`, () => {
      const encoded = percentEncodeHeaderValue(value);
      expect(encoded).toMatch(/^[\x21-\x7e]*$/);
      expect(encoded).not.toMatch(/[ "]/);
      expect(decodeHeaderValue(encoded)).toBe(value);
    });
  }
});
