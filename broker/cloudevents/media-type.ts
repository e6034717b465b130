/**
 * Media type syntax (RFC 2045 section 5.1, which RFC 2046 builds on), for `datacontenttype`
 * and the HTTP Content-Type header:
 *
 *   content := type "/" subtype *(";" parameter)
 *   parameter := attribute "=" value ; value := token / quoted-string
 *   token := 1*<any US-ASCII CHAR except SPACE, CTLs, or tspecials>
 *
 * Whitespace is allowed around ";" (and around the whole value), as RFC 7231 3.1.1.1 allows in
 * HTTP, but not around "/" or "=". Type, subtype and parameter names are case-insensitive
 * (cloudevents-spec.md "datacontenttype"), so they are lower-cased; parameter values keep
 * their case. A parameter given twice is an error (RFC 6838 4.3).
 */
export interface MediaType {
  /** Lower-cased, e.g. "application". */
  readonly type: string;
  /** Lower-cased, e.g. "cloudevents+json". */
  readonly subtype: string;
  /** Lower-cased names; values with quoting removed. */
  readonly parameters: ReadonlyMap<string, string>;
}

const TOKEN = "[!#$%&'*+\\-.0-9A-Z^_`a-z{|}~]+";
const QUOTED_STRING = '"(?:[\\t\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\t\\x20-\\x7e])*"';
const TYPE_AND_SUBTYPE = new RegExp(`[ \\t]*(${TOKEN})/(${TOKEN})`, 'y');
const PARAMETER = new RegExp(`[ \\t]*;[ \\t]*(${TOKEN})=(${TOKEN}|${QUOTED_STRING})`, 'y');
const TRAILING_WHITESPACE = /[ \t]*$/y;

/** Parses a media type, or returns undefined when the text does not follow the grammar. */
export function parseMediaType(text: string): MediaType | undefined {
  TYPE_AND_SUBTYPE.lastIndex = 0;
  const head = TYPE_AND_SUBTYPE.exec(text);
  if (head === null) return undefined;
  const parameters = new Map<string, string>();
  let position = TYPE_AND_SUBTYPE.lastIndex;
  while (position < text.length) {
    PARAMETER.lastIndex = position;
    const parameter = PARAMETER.exec(text);
    if (parameter === null) break;
    const name = parameter[1]!.toLowerCase();
    if (parameters.has(name)) return undefined;
    parameters.set(name, unquote(parameter[2]!));
    position = PARAMETER.lastIndex;
  }
  TRAILING_WHITESPACE.lastIndex = position;
  TRAILING_WHITESPACE.exec(text);
  if (TRAILING_WHITESPACE.lastIndex !== text.length) return undefined;
  return { type: head[1]!.toLowerCase(), subtype: head[2]!.toLowerCase(), parameters };
}

/**
 * JSON-formatted content per json-format.md 3.1.1: a subtype of `json` or one ending in the
 * `+json` suffix (e.g. application/json, text/json, application/ld+json), whatever the parameters.
 */
export function isJsonMediaType(mediaType: MediaType): boolean {
  return mediaType.subtype === 'json' || mediaType.subtype.endsWith('+json');
}

/** Text content: any `text/*` type, or any type that declares a charset. */
export function isTextMediaType(mediaType: MediaType): boolean {
  return mediaType.type === 'text' || mediaType.parameters.has('charset');
}

/**
 * How a text payload's characters become bytes. An absent charset is read as UTF-8: that is
 * the default of every modern text type (RFC 6657) and of JSON (RFC 8259 8.1); the old
 * US-ASCII default of RFC 2046 is a subset of it. Charsets other than UTF-8 and US-ASCII are
 * not supported by the broker's conversions (the data then stays binary).
 */
export type TextCharset = 'utf-8' | 'us-ascii' | 'unsupported';

export function textCharsetOf(mediaType: MediaType): TextCharset {
  const charset = mediaType.parameters.get('charset')?.toLowerCase();
  if (charset === undefined || charset === 'utf-8') return 'utf-8';
  if (charset === 'us-ascii') return 'us-ascii';
  return 'unsupported';
}

function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  return value.slice(1, -1).replace(/\\([\t\x20-\x7e])/g, '$1');
}
