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

  it('unquotes a value only when it is one quoted-string as a whole', () => {
    expect(decodeHeaderValue('"hello world"')).toBe('hello world');
    expect(decodeHeaderValue('"say \\"hi\\""')).toBe('say "hi"');
    expect(decodeHeaderValue('"a\\\\b"')).toBe('a\\b');
    expect(decodeHeaderValue('"%41"')).toBe('A');
  });

  it('keeps a double quote anywhere else as data (what non-encoding SDKs send)', () => {
    expect(decodeHeaderValue('{"a": 5}')).toBe('{"a": 5}');
    expect(decodeHeaderValue('say "hi" now')).toBe('say "hi" now');
    expect(decodeHeaderValue('x"y')).toBe('x"y');
    expect(decodeHeaderValue('"unterminated')).toBe('"unterminated');
    expect(decodeHeaderValue('pre"quoted %41"post')).toBe('pre"quoted A"post');
  });

  const literalPercents: Array<[string, string, string]> = [
    ['100%', '100%', 'a lone percent sign'],
    ['%4', '%4', 'a truncated escape'],
    ['%zz', '%zz', 'non-hex digits'],
    ['%%41', '%A', 'a percent followed by an escape'],
    ['50% off', '50% off', 'a percent before a space'],
  ];
  for (const [raw, expected, what] of literalPercents) {
    it(`takes a % that starts no escape literally (${what}): ${JSON.stringify(raw)}`, () => {
      expect(decodeHeaderValue(raw)).toBe(expected);
    });
  }

  it('reads raw bytes outside ASCII as UTF-8 when they are valid UTF-8 (Go, Java, JavaScript SDKs)', () => {
    // Node hands header bytes over as ISO-8859-1 characters: "café" in UTF-8 arrives as "cafÃ©".
    expect(decodeHeaderValue(Buffer.from('café ☕', 'utf8').toString('latin1'))).toBe('café ☕');
  });

  it('reads them as ISO-8859-1 when they are not (the Python SDK)', () => {
    expect(decodeHeaderValue(Buffer.from('café', 'latin1').toString('latin1'))).toBe('café');
  });

  it('reads escapes that are not UTF-8 as ISO-8859-1 bytes instead of refusing them', () => {
    expect(decodeHeaderValue('%FF')).toBe('ÿ');
    expect(decodeHeaderValue('caf%E9')).toBe('café');
    expect(decodeHeaderValue('%C0%A0')).toBe('À\u00a0'); // an overlong form is not UTF-8
    expect(decodeHeaderValue('%ED%A0%80')).toBe('í\u00a0\u0080'); // nor is an encoded surrogate
  });

  it('takes text its transport already decoded (a NATS client) as that text', () => {
    expect(decodeHeaderValue('€ and é')).toBe('€ and é');
  });

  for (const control of ['a\u0001b', 'line\nbreak', 'nul\u0000', 'del\u007f']) {
    it(`refuses a raw control character: ${JSON.stringify(control)}`, () => {
      expect(() => decodeHeaderValue(control)).toThrow(HeaderValueError);
      expect(() => decodeHeaderValue(control)).toThrow(/control character U\+00/);
    });
  }

  it('keeps a tab inside the value', () => {
    expect(decodeHeaderValue('a\tb')).toBe('a\tb');
  });

  /**
   * A small reference decoder, written the way the rules read: first the escapes that are one,
   * then UTF-8 else ISO-8859-1. Random byte strings mixing escapes, stray percents, quotes and
   * bytes of every value must decode the same in both (or both refuse a control character).
   */
  function referenceDecode(rawLatin1: string): string {
    let value = rawLatin1.replace(/^[ \t]+|[ \t]+$/g, '');
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
      value = value.slice(1, -1).replace(/\\(.)/gs, '$1');
    if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) throw new Error('control');
    const bytes: number[] = [];
    for (let i = 0; i < value.length; i++) {
      const escaped = /^%([0-9a-fA-F]{2})/.exec(value.slice(i));
      if (escaped) {
        bytes.push(Number.parseInt(escaped[1]!, 16));
        i += 2;
      } else bytes.push(value.charCodeAt(i));
    }
    try {
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Uint8Array.from(bytes));
    } catch {
      return Buffer.from(bytes).toString('latin1');
    }
  }

  it('agrees with a reference decoder on 20,000 random values', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pieces = ['%', '%4', '%41', '%e2%82%ac', '%C3', '%A9', '%zz', '"', '\\', ' ', '\t', 'a', 'é'];
    for (let round = 0; round < 20_000; round++) {
      let raw = '';
      const length = random(12);
      for (let i = 0; i < length; i++)
        raw += random(3) === 0 ? String.fromCharCode(random(256)) : pieces[random(pieces.length)]!;
      let expected: string | Error;
      try {
        expected = referenceDecode(raw);
      } catch (err) {
        expected = err as Error;
      }
      if (expected instanceof Error)
        expect(() => decodeHeaderValue(raw), JSON.stringify(raw)).toThrow(HeaderValueError);
      else expect(decodeHeaderValue(raw), JSON.stringify(raw)).toBe(expected);
    }
  });

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
