/**
 * RFC 3986 syntax checks for the CloudEvents `URI-reference` and `URI` types. Only the syntax
 * is checked; nothing is resolved or normalised (the spec compares these values as strings).
 * Internationalised forms (IRIs) are not URIs: non-ASCII characters have to be percent-encoded.
 */

const UNRESERVED = 'A-Za-z0-9\\-._~';
const SUB_DELIMS = "!$&'()*+,;=";
const PCT_ENCODED = '%[0-9A-Fa-f]{2}';
const oneOf = (characters: string) => `(?:[${characters}]|${PCT_ENCODED})`;

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;
const USERINFO = new RegExp(`^${oneOf(`${UNRESERVED}${SUB_DELIMS}:`)}*$`);
const REG_NAME = new RegExp(`^${oneOf(`${UNRESERVED}${SUB_DELIMS}`)}*$`);
const PORT = /^[0-9]*$/;
const IPV_FUTURE = new RegExp(`^[vV][0-9A-Fa-f]+\\.[${UNRESERVED}${SUB_DELIMS}:]+$`);
const PCHAR = oneOf(`${UNRESERVED}${SUB_DELIMS}:@`);
/** Any sequence of segments: which path form applies is settled by the component split below. */
const PATH = new RegExp(`^(?:${PCHAR}|/)*$`);
const QUERY_OR_FRAGMENT = new RegExp(`^(?:${PCHAR}|[/?])*$`);
const H16 = /^[0-9A-Fa-f]{1,4}$/;
const DEC_OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const IPV4 = new RegExp(`^${DEC_OCTET}(?:\\.${DEC_OCTET}){3}$`);

/**
 * RFC 3986 Appendix B: splits any string into scheme, authority, path, query and fragment.
 * Each part is then checked against its own grammar rule.
 */
const COMPONENTS = /^(?:([^:/?#]+):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s;

interface UriComponents {
  readonly scheme: string | undefined;
  readonly authority: string | undefined;
  readonly path: string;
  readonly query: string | undefined;
  readonly fragment: string | undefined;
}

/** RFC 3986 4.1 `URI-reference` (an absolute URI or a relative reference). */
export function isUriReference(text: string): boolean {
  return parseUri(text) !== undefined;
}

/**
 * A URI with a scheme (RFC 3986 section 3 `URI`), the CloudEvents `URI` type used by
 * `dataschema`.
 *
 * Decision: a fragment is accepted. The spec's Type System points at RFC 3986 4.3
 * (`absolute-URI`, which has no fragment), but the spec's own JSON schema
 * (cloudevents.json, `"format": "uri"`) and the SDKs accept one, and schema identifiers such as
 * `https://example.com/schemas.json#/definitions/order` are common. What the rule is there for,
 * a value that does not depend on a base URI, holds with or without a fragment.
 */
export function isAbsoluteUri(text: string): boolean {
  const components = parseUri(text);
  return components !== undefined && components.scheme !== undefined;
}

function parseUri(text: string): UriComponents | undefined {
  const match = COMPONENTS.exec(text);
  if (match === null) return undefined;
  const [, scheme, authority, path = '', query, fragment] = match;
  // A colon before the first "/" makes Appendix B read a scheme. If it is not a valid scheme,
  // the string is not a relative reference either: path-noscheme forbids ":" in the first segment.
  if (scheme !== undefined && !SCHEME.test(scheme)) return undefined;
  if (authority !== undefined && !isAuthority(authority)) return undefined;
  if (!PATH.test(path)) return undefined;
  // With an authority the path must be empty or start with "/" (path-abempty). Without one,
  // Appendix B already consumed a leading "//" as an authority, so the other forms hold.
  if (authority !== undefined && path !== '' && !path.startsWith('/')) return undefined;
  if (query !== undefined && !QUERY_OR_FRAGMENT.test(query)) return undefined;
  if (fragment !== undefined && !QUERY_OR_FRAGMENT.test(fragment)) return undefined;
  return { scheme, authority, path, query, fragment };
}

/** authority = [ userinfo "@" ] host [ ":" port ] */
function isAuthority(authority: string): boolean {
  let rest = authority;
  const at = rest.lastIndexOf('@');
  if (at !== -1) {
    if (!USERINFO.test(rest.slice(0, at))) return false;
    rest = rest.slice(at + 1);
  }
  let host: string;
  let port = '';
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close === -1) return false;
    host = rest.slice(0, close + 1);
    const afterHost = rest.slice(close + 1);
    if (afterHost !== '') {
      if (!afterHost.startsWith(':')) return false;
      port = afterHost.slice(1);
    }
    if (!isIpLiteral(host)) return false;
  } else {
    const colon = rest.indexOf(':');
    host = colon === -1 ? rest : rest.slice(0, colon);
    port = colon === -1 ? '' : rest.slice(colon + 1);
    // reg-name also covers IPv4address, so one rule checks both.
    if (!REG_NAME.test(host)) return false;
  }
  return PORT.test(port);
}

/** IP-literal = "[" ( IPv6address / IPvFuture ) "]" */
function isIpLiteral(literal: string): boolean {
  const inner = literal.slice(1, -1);
  return IPV_FUTURE.test(inner) || isIpv6Address(inner);
}

/** RFC 3986 IPv6address: eight 16-bit pieces, "::" for one run of zeros, optional IPv4 tail. */
function isIpv6Address(text: string): boolean {
  let address = text;
  const lastColon = address.lastIndexOf(':');
  if (lastColon === -1) return false;
  const tail = address.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!IPV4.test(tail)) return false;
    // An IPv4 tail stands for the last two pieces.
    address = address.slice(0, lastColon + 1) + '0:0';
  }
  const halves = address.split('::');
  if (halves.length > 2) return false;
  const pieces = (half: string | undefined) => (half === undefined || half === '' ? [] : half.split(':'));
  const head = pieces(halves[0]);
  const rest = pieces(halves[1]);
  if (![...head, ...rest].every((piece) => H16.test(piece))) return false;
  const count = head.length + rest.length;
  return halves.length === 2 ? count <= 7 : count === 8;
}
