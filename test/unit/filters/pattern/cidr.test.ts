import { describe, expect, it } from 'vitest';
import { parseCidr, parseIpAddress } from '../../../../broker/filters/pattern/cidr.js';
import { compilePattern } from '../../../../broker/filters/pattern/index.js';

const inBlock = (block: string, value: unknown): boolean =>
  compilePattern({ ip: [{ cidr: block }] }).matches({ ip: value });

describe('cidr', () => {
  it('matches IPv4 addresses inside the block', () => {
    expect(inBlock('10.0.0.0/24', '10.0.0.0')).toBe(true);
    expect(inBlock('10.0.0.0/24', '10.0.0.33')).toBe(true);
    expect(inBlock('10.0.0.0/24', '10.0.0.255')).toBe(true);
    expect(inBlock('10.0.0.0/24', '10.0.1.0')).toBe(false);
    expect(inBlock('10.0.0.0/24', '9.255.255.255')).toBe(false);
  });

  it('handles the shortest and longest prefixes', () => {
    expect(inBlock('0.0.0.0/0', '203.0.113.7')).toBe(true);
    expect(inBlock('192.168.1.1/32', '192.168.1.1')).toBe(true);
    expect(inBlock('192.168.1.1/32', '192.168.1.2')).toBe(false);
    expect(inBlock('172.16.0.0/12', '172.31.255.255')).toBe(true);
    expect(inBlock('172.16.0.0/12', '172.32.0.0')).toBe(false);
  });

  it('ignores host bits written in the block', () => {
    expect(inBlock('10.0.0.7/24', '10.0.0.200')).toBe(true);
    expect(inBlock('10.0.0.7/24', '10.0.1.7')).toBe(false);
  });

  it('matches IPv6 addresses, with or without :: compression and in any case', () => {
    expect(inBlock('2001:db8::/32', '2001:db8::1')).toBe(true);
    expect(inBlock('2001:db8::/32', '2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe(true);
    expect(inBlock('2001:db8::/32', '2001:db9::1')).toBe(false);
    expect(inBlock('::/0', '::1')).toBe(true);
    expect(inBlock('::1/128', '::1')).toBe(true);
    expect(inBlock('::1/128', '::2')).toBe(false);
    expect(inBlock('fe80::/10', 'febf:ffff::1')).toBe(true);
    expect(inBlock('fe80::/10', 'fec0::1')).toBe(false);
    expect(inBlock('2001:db8::/127', '2001:db8::1')).toBe(true);
  });

  it('reads a dotted IPv4 tail inside an IPv6 address', () => {
    expect(inBlock('::ffff:10.0.0.0/120', '::ffff:10.0.0.9')).toBe(true);
    expect(inBlock('::ffff:0:0/96', '::ffff:192.0.2.1')).toBe(true);
  });

  it('never matches across address families', () => {
    expect(inBlock('10.0.0.0/8', '::ffff:10.0.0.1')).toBe(false);
    expect(inBlock('::ffff:0:0/96', '10.0.0.1')).toBe(false);
    expect(inBlock('0.0.0.0/0', '::1')).toBe(false);
    expect(inBlock('::/0', '127.0.0.1')).toBe(false);
  });

  it('does not match values that are not exactly one address', () => {
    for (const value of [
      '10.0.0.256',
      '10.0.0',
      '10.0.0.0.1',
      '10.0.0.1/32',
      ' 10.0.0.1',
      '10.0.0.1:80',
      'fe80::1%eth0',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7',
      '12345::',
      '1.2.3.4::',
      '',
      'localhost',
    ]) {
      expect(inBlock('0.0.0.0/0', value) || inBlock('::/0', value)).toBe(false);
    }
  });

  it('only matches strings', () => {
    expect(inBlock('0.0.0.0/0', 167772161)).toBe(false);
    expect(inBlock('0.0.0.0/0', null)).toBe(false);
    expect(inBlock('0.0.0.0/0', true)).toBe(false);
  });

  it('matches an array of addresses when any of them is inside', () => {
    expect(inBlock('10.0.0.0/8', ['192.168.0.1', '10.1.2.3'])).toBe(true);
    expect(inBlock('10.0.0.0/8', ['192.168.0.1', '11.1.2.3'])).toBe(false);
  });

  it('reads IPv4 octets as decimal even with leading zeros', () => {
    expect(parseIpAddress('010.000.000.001')).toEqual({ family: 4, bits: 0x0a000001n });
    expect(inBlock('10.0.0.0/8', '010.0.0.1')).toBe(true);
  });

  it('explains why a block cannot be parsed', () => {
    const reasonOf = (text: string) => {
      const parsed = parseCidr(text);
      return parsed.ok ? 'ok' : parsed.reason;
    };
    expect(reasonOf('10.0.0.0')).toMatch(/one "\/"/);
    expect(reasonOf('10.0.0.0/8/8')).toMatch(/one "\/"/);
    expect(reasonOf('10.0.0/8')).toMatch(/not an IPv4 or IPv6 address/);
    expect(reasonOf('10.0.0.0/33')).toMatch(/0 to 32/);
    expect(reasonOf('::/129')).toMatch(/0 to 128/);
    expect(reasonOf('10.0.0.0/-1')).toMatch(/prefix length/);
    expect(reasonOf('10.0.0.0/')).toMatch(/prefix length/);
    expect(reasonOf('10.0.0.0/ 8')).toMatch(/prefix length/);
    expect(reasonOf('10.0.0.0/8')).toBe('ok');
  });
});
