import { describe, expect, it } from 'vitest';
import { isAbsoluteUri, isUriReference } from '../../../broker/cloudevents/uri.js';

describe('isUriReference (RFC 3986 4.1)', () => {
  const valid = [
    'https://github.com/cloudevents',
    'https://user:pw@example.com:8080/a/b?q=1&r=%20#frag',
    'mailto:cncf-wg-serverless@lists.cncf.io',
    'urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66',
    '/cloudevents/spec/pull/123',
    '/sensors/tn-1234567/alerts',
    '1-555-123-4567',
    'relative/path:with-colon-later',
    '//authority.only',
    '?query-only',
    '#fragment-only',
    '.',
    'http://[::1]:80/',
    'http://[2001:db8::7]/c=GB?objectClass?one',
    'http://[::ffff:192.0.2.1]/',
    'http://[1:2:3:4:5:6:7:8]/',
    'http://[v7.future]/',
    'http://192.0.2.16:80/',
    'http://example.com:/empty-port',
    "x-scheme+a.b-c:!$&'()*+,;=@",
  ];
  for (const text of valid) {
    it(`accepts ${text}`, () => expect(isUriReference(text)).toBe(true));
  }

  const invalid: Array<[string, string]> = [
    ['has space', 'a space'],
    ['/a"b', 'a double quote'],
    ['/a<b>', 'angle brackets'],
    ['/ünicode', 'a raw non-ASCII character (an IRI, not a URI)'],
    ['/p%zz', 'a bad percent-encoding'],
    ['/p%4', 'a truncated percent-encoding'],
    ['1:2', 'a colon in the first segment of a relative reference'],
    ['b@d:x', 'an invalid scheme'],
    ['http://exa mple.com/', 'a space in the host'],
    ['http://[::1/', 'an unclosed IP literal'],
    ['http://[1:2:3:4:5:6:7:8:9]/', 'nine IPv6 pieces'],
    ['http://[1::2::3]/', 'two "::" in IPv6'],
    ['http://[12345::]/', 'an IPv6 piece of five digits'],
    ['http://[::1.2.3.256]/', 'an IPv4 tail octet above 255'],
    ['http://[fe80::1%eth0]/', 'an IPv6 zone id'],
    ['http://host:8a/', 'a non-numeric port'],
    ['http://host/a#b#c', 'a second "#"'],
    ['/a\nb', 'a newline'],
    ['/a\\b', 'a backslash'],
  ];
  for (const [text, what] of invalid) {
    it(`rejects ${what}: ${JSON.stringify(text)}`, () => expect(isUriReference(text)).toBe(false));
  }
});

describe('isAbsoluteUri (the CloudEvents URI type)', () => {
  it('accepts URIs with a scheme, with or without a fragment', () => {
    expect(isAbsoluteUri('https://example.com/schema.json')).toBe(true);
    expect(isAbsoluteUri('urn:example:schema:v1')).toBe(true);
    expect(isAbsoluteUri('https://example.com/schema.json#/definitions/order')).toBe(true);
  });

  it('rejects relative references', () => {
    for (const text of ['/schemas/order.json', 'order.json', '//example.com/x', '#', '?q']) {
      expect(isAbsoluteUri(text), text).toBe(false);
    }
  });
});
