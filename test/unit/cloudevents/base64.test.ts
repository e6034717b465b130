import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from '../../../broker/cloudevents/base64.js';

describe('decodeBase64 (strict RFC 4648)', () => {
  it('decodes canonical base64 with and without padding needs', () => {
    expect(decodeBase64('')).toEqual(new Uint8Array([]));
    expect(decodeBase64('Zg==')).toEqual(new Uint8Array([0x66]));
    expect(decodeBase64('Zm8=')).toEqual(new Uint8Array([0x66, 0x6f]));
    expect(decodeBase64('Zm9v')).toEqual(new Uint8Array([0x66, 0x6f, 0x6f]));
    expect(decodeBase64('AP8A/w==')).toEqual(new Uint8Array([0x00, 0xff, 0x00, 0xff]));
  });

  it('returns a plain Uint8Array', () => {
    expect(Object.getPrototypeOf(decodeBase64('Zm9v'))).toBe(Uint8Array.prototype);
  });

  const garbage: Array<[string, string]> = [
    ['Zg', 'missing padding'],
    ['Zg=', 'short padding'],
    ['Zg===', 'too much padding'],
    ['Z===', 'a lone character before padding'],
    ['Zg==Zg==', 'padding in the middle'],
    ['Zm9v\n', 'a line break'],
    ['Zm 9v', 'a space'],
    ['Zm9v!', 'a character outside the alphabet'],
    ['-_-_', 'the URL-safe alphabet'],
    ['Zh==', 'non-zero pad bits (one byte)'],
    ['Zm9=', 'non-zero pad bits (two bytes)'],
    ['=', 'only padding'],
  ];
  for (const [text, what] of garbage) {
    it(`rejects ${what}: ${JSON.stringify(text)}`, () => expect(decodeBase64(text)).toBeUndefined());
  }

  it('round-trips every byte value', () => {
    const allBytes = Uint8Array.from({ length: 256 }, (_, index) => index);
    expect(decodeBase64(encodeBase64(allBytes))).toEqual(allBytes);
  });

  it('encodes only the viewed part of a Uint8Array', () => {
    const backing = new Uint8Array([1, 2, 3, 4, 5]);
    expect(encodeBase64(backing.subarray(1, 3))).toBe(Buffer.from([2, 3]).toString('base64'));
  });
});
