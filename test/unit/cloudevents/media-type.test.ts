import { describe, expect, it } from 'vitest';
import {
  isJsonMediaType,
  isTextMediaType,
  parseMediaType,
  textCharsetOf,
} from '../../../broker/cloudevents/media-type.js';

function parsed(text: string) {
  const mediaType = parseMediaType(text);
  if (mediaType === undefined) throw new Error(`expected ${text} to parse`);
  return mediaType;
}

describe('parseMediaType', () => {
  it('lower-cases type, subtype and parameter names but not parameter values', () => {
    const mediaType = parsed('TEXT/Plain; CharSet=UTF-8; Format=Flowed');
    expect(mediaType.type).toBe('text');
    expect(mediaType.subtype).toBe('plain');
    expect([...mediaType.parameters]).toEqual([
      ['charset', 'UTF-8'],
      ['format', 'Flowed'],
    ]);
  });

  it('unquotes quoted-string values, including backslash escapes', () => {
    expect(parsed('multipart/mixed; boundary="a b;c=\\"d\\""').parameters.get('boundary')).toBe('a b;c="d"');
  });

  it('allows whitespace around ";" and around the value', () => {
    expect(parsed('  application/json ;charset=utf-8  ').parameters.get('charset')).toBe('utf-8');
  });

  it('accepts RFC 2045 token characters such as "+", "." and "{"', () => {
    expect(parsed('application/vnd.apache.thrift.binary').subtype).toBe('vnd.apache.thrift.binary');
    expect(parsed('application/x{y}').subtype).toBe('x{y}');
  });

  const invalid = [
    '',
    'json',
    'application/',
    '/json',
    'application /json',
    'application/ json',
    'application/json;',
    'application/json; charset',
    'application/json; charset =utf-8',
    'application/json; charset= utf-8',
    'application/json; charset="unterminated',
    'application/json; a=1; A=2',
    'application/json extra',
    'appli(cation)/json',
    'application/jsön',
    'application/json\n',
  ];
  for (const text of invalid) {
    it(`rejects ${JSON.stringify(text)}`, () => expect(parseMediaType(text)).toBeUndefined());
  }
});

describe('media type classes', () => {
  it('recognizes JSON by a "json" subtype or a "+json" suffix', () => {
    for (const text of [
      'application/json',
      'text/json',
      'application/ld+json',
      'APPLICATION/JSON; charset=utf-8',
    ]) {
      expect(isJsonMediaType(parsed(text)), text).toBe(true);
    }
    for (const text of ['application/jsonx', 'application/json-seq', 'text/plain', 'application/xml']) {
      expect(isJsonMediaType(parsed(text)), text).toBe(false);
    }
  });

  it('recognizes text by a text/* type or a charset parameter', () => {
    expect(isTextMediaType(parsed('text/xml'))).toBe(true);
    expect(isTextMediaType(parsed('application/xml; charset=utf-8'))).toBe(true);
    expect(isTextMediaType(parsed('application/xml'))).toBe(false);
  });

  it('reads the charset case-insensitively, defaulting to UTF-8', () => {
    expect(textCharsetOf(parsed('text/plain'))).toBe('utf-8');
    expect(textCharsetOf(parsed('text/plain; charset=UTF-8'))).toBe('utf-8');
    expect(textCharsetOf(parsed('text/plain; charset="US-ASCII"'))).toBe('us-ascii');
    expect(textCharsetOf(parsed('text/plain; charset=iso-8859-1'))).toBe('unsupported');
  });
});
