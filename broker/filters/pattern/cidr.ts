/**
 * IP addresses and CIDR blocks for the `cidr` operator, IPv4 and IPv6 as EventBridge supports both.
 *
 * Addresses are held as bigints (32 or 128 bits) so that both families share one containment test.
 * Decisions where EventBridge's documentation is silent:
 * - An address only falls in a block of its own family: `::ffff:10.0.0.1` is not in `10.0.0.0/8`.
 * - Host bits set in a block (`10.0.0.7/24`) are ignored, so it means `10.0.0.0/24`, as EventBridge
 *   accepts it; prefix lengths run from 0 to 32 (IPv4) and 0 to 128 (IPv6).
 * - IPv4 octets are decimal even with leading zeros (`010` is ten, never octal).
 * - IPv6 accepts `::` compression and a dotted IPv4 tail (`::ffff:1.2.3.4`), but no zone (`%eth0`).
 */

export interface IpAddress {
  readonly family: 4 | 6;
  readonly bits: bigint;
}

const WIDTH = { 4: 32, 6: 128 } as const;
const DECIMAL = /^[0-9]{1,3}$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
const PREFIX_LENGTH = /^[0-9]{1,3}$/;

/** Parses a textual IPv4 or IPv6 address; undefined when the text is not exactly one address. */
export function parseIpAddress(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const bits = parseIpv6(text);
    return bits === undefined ? undefined : { family: 6, bits };
  }
  const bits = parseIpv4(text);
  return bits === undefined ? undefined : { family: 4, bits };
}

function parseIpv4(text: string): bigint | undefined {
  const octets = text.split('.');
  if (octets.length !== 4) return undefined;
  let bits = 0n;
  for (const octet of octets) {
    if (!DECIMAL.test(octet)) return undefined;
    const value = Number(octet);
    if (value > 255) return undefined;
    bits = (bits << 8n) | BigInt(value);
  }
  return bits;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const compressed = halves.length === 2;
  // A dotted IPv4 part may only end the address, so the head may hold one only when nothing follows.
  const head = parseIpv6Groups(halves[0] ?? '', !compressed);
  const tail = compressed ? parseIpv6Groups(halves[1] ?? '', true) : [];
  if (head === undefined || tail === undefined) return undefined;
  const explicit = head.length + tail.length;
  // Without `::` all eight groups must be written; with it, `::` stands for at least one zero group.
  if (compressed ? explicit > 7 : explicit !== 8) return undefined;
  const groups = [...head, ...Array<number>(8 - explicit).fill(0), ...tail];
  let bits = 0n;
  for (const group of groups) bits = (bits << 16n) | BigInt(group);
  return bits;
}

/** The 16-bit groups of one side of `::`; a dotted IPv4 tail counts as two groups. */
function parseIpv6Groups(text: string, mayEndWithIpv4: boolean): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: number[] = [];
  for (const [index, part] of parts.entries()) {
    if (mayEndWithIpv4 && index === parts.length - 1 && part.includes('.')) {
      const ipv4 = parseIpv4(part);
      if (ipv4 === undefined) return undefined;
      groups.push(Number(ipv4 >> 16n), Number(ipv4 & 0xffffn));
    } else if (HEX_GROUP.test(part)) {
      groups.push(Number.parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

export type CidrParseResult =
  | { readonly ok: true; readonly contains: (address: IpAddress) => boolean }
  | { readonly ok: false; readonly reason: string };

/** Parses `address/prefix-length` into a containment test, or explains why the text is not a block. */
export function parseCidr(text: string): CidrParseResult {
  const slash = text.indexOf('/');
  if (slash === -1 || slash !== text.lastIndexOf('/')) {
    return { ok: false, reason: `"${text}" is not a CIDR block: expected one "/" as in "10.0.0.0/24"` };
  }
  const address = parseIpAddress(text.slice(0, slash));
  if (address === undefined) {
    return { ok: false, reason: `"${text.slice(0, slash)}" is not an IPv4 or IPv6 address` };
  }
  const lengthText = text.slice(slash + 1);
  const width = WIDTH[address.family];
  const prefixLength = PREFIX_LENGTH.test(lengthText) ? Number(lengthText) : Number.NaN;
  if (!(prefixLength >= 0 && prefixLength <= width)) {
    return {
      ok: false,
      reason: `"${lengthText}" is not a prefix length for IPv${address.family}: expected a whole number from 0 to ${width}`,
    };
  }
  const shift = BigInt(width - prefixLength);
  const network = address.bits >> shift;
  const family = address.family;
  return {
    ok: true,
    contains: (candidate) => candidate.family === family && candidate.bits >> shift === network,
  };
}
