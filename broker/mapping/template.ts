/**
 * The `${...}` template language of a Source's `ce` block (docs/reference/sources.md, `ce`).
 *
 * A template is literal text with embedded data paths; it is parsed once when a manifest is
 * loaded and rendered for every raw message. Nothing in it is ever evaluated as code: a path can
 * only walk own properties of plain objects and elements of arrays, so `${body.constructor}`
 * or `${body.__proto__}` are simply missing values.
 *
 * Syntax
 *   ${root}                     the whole value of a root (`${body}`, `${topic}`)
 *   ${root.name}                a property; names are letters, digits, `_` and `-`
 *                               (`${headers.x-github-event}`); on an array, an all-digit name
 *                               is an index (`${topic.1}` is `${topic[1]}`)
 *   ${root[N]}                  an array element, N a non-negative integer (`${topic[1]}`)
 *   ${root['any key']}          a property whose name has dots, spaces or other characters;
 *   ${root["any key"]}          inside the quotes `\'`, `\"` and `\\` stand for themselves
 *   $$                          a literal `$`, so `$${x}` is the literal text `${x}` (the escape
 *                               Docker Compose users know, and it needs no YAML quoting)
 * Spaces just inside the braces are ignored (`${ body.id }`). A `$` not followed by `{` or `$`
 * is literal text. Header names are case-insensitive in HTTP and the `headers` root holds them
 * in lower case, so the first name after `headers` is lower-cased when compiled.
 *
 * Rendering: a string renders as is, a number or boolean in its JSON form, bytes as UTF-8 text,
 * a Date as its ISO form, and an object or array as compact JSON. When any referenced value is
 * missing (undefined or null) the whole template renders as `undefined`, so the caller can omit an
 * optional attribute or report a required one as missing.
 */

/** One step of a path: a property name or an array index. */
export type PathSegment =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number };

export interface TemplatePath {
  readonly root: string;
  readonly segments: readonly PathSegment[];
  /** The canonical spelling, e.g. `headers.x-github-event`, `topic[1]`, `body['a.b']`. */
  readonly text: string;
}

export interface CompiledTemplate {
  /** The template text as written. */
  readonly source: string;
  /** The canonical text of every path the template references, in order of appearance. */
  readonly references: readonly string[];
  /** True when the template has no `${...}` at all: it renders the same text every time. */
  readonly isConstant: boolean;
  /** The text with every path replaced by its value, or `undefined` when a value is missing. */
  render(context: Readonly<Record<string, unknown>>): string | undefined;
}

/** A template that cannot be parsed; `offset` is the 0-based index into the source of the fault. */
export class TemplateSyntaxError extends Error {
  readonly offset: number;
  /** The problem without the position, for callers that report positions their own way. */
  readonly reason: string;
  readonly source: string;

  constructor(reason: string, offset: number, source: string) {
    super(`${reason} at offset ${offset}`);
    this.name = 'TemplateSyntaxError';
    this.reason = reason;
    this.offset = offset;
    this.source = source;
  }
}

/** Every root the design names; a connector passes the subset its messages have. */
export const TEMPLATE_ROOTS = [
  'body',
  'headers',
  'query',
  'topic',
  'subject',
  'partition',
  'offset',
  'key',
  'userProperties',
  'file',
  'line',
  'fields',
  'severity',
  'facility',
  'hostname',
  'appName',
  'procId',
  'msgId',
  'structuredData',
] as const;

type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'path'; readonly path: TemplatePath };

const ROOT_START = /[A-Za-z_]/;
const ROOT_CHAR = /[A-Za-z0-9_]/;
const NAME_CHAR = /[A-Za-z0-9_-]/;
const SIMPLE_NAME = /^[A-Za-z0-9_-]+$/;
const DIGITS = /^(0|[1-9][0-9]*)$/;

export function compileTemplate(source: string, allowedRoots: readonly string[]): CompiledTemplate {
  const parts = parseTemplate(source, new Set(allowedRoots));
  const paths = parts.flatMap((part) => (part.kind === 'path' ? [part.path] : []));
  return {
    source,
    references: paths.map((path) => path.text),
    isConstant: paths.length === 0,
    render: (context) => renderParts(parts, context),
  };
}

function parseTemplate(source: string, allowedRoots: ReadonlySet<string>): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < source.length) {
    const char = source[i];
    if (char === '$' && source[i + 1] === '$') {
      text += '$';
      i += 2;
    } else if (char === '$' && source[i + 1] === '{') {
      if (text !== '') parts.push({ kind: 'text', text });
      text = '';
      const parser = new PathParser(source, i, allowedRoots);
      parts.push({ kind: 'path', path: parser.parse() });
      i = parser.position;
    } else {
      text += char;
      i += 1;
    }
  }
  if (text !== '') parts.push({ kind: 'text', text });
  return parts;
}

/** Reads one `${...}` starting at `open` (the `$`); leaves `position` just after the `}`. */
class PathParser {
  position: number;

  constructor(
    private readonly source: string,
    private readonly open: number,
    private readonly allowedRoots: ReadonlySet<string>,
  ) {
    this.position = open + 2;
  }

  parse(): TemplatePath {
    this.skipSpaces();
    const root = this.readRoot();
    const segments: PathSegment[] = [];
    for (;;) {
      const char = this.peek();
      if (char === '.') {
        this.position += 1;
        const name = this.readName();
        segments.push({
          kind: 'name',
          name: root === 'headers' && segments.length === 0 ? name.toLowerCase() : name,
        });
      } else if (char === '[') {
        segments.push(this.readBracket());
      } else {
        break;
      }
    }
    this.skipSpaces();
    const close = this.peek();
    if (close === undefined) this.fail(`unclosed '\${': no '}' before the end of the template`, this.open);
    if (close !== '}') this.fail(`unexpected ${describe(close)} in path; expected '.', '[' or '}'`);
    this.position += 1;
    return { root, segments, text: pathText(root, segments) };
  }

  private readRoot(): string {
    const start = this.position;
    const first = this.peek();
    if (first === '}') this.fail(`empty path in '\${}'`);
    if (first === undefined) this.fail(`unclosed '\${': no '}' before the end of the template`, this.open);
    if (!ROOT_START.test(first)) this.fail(`expected a root name, found ${describe(first)}`);
    while (this.peekMatches(ROOT_CHAR)) this.position += 1;
    const root = this.source.slice(start, this.position);
    if (!this.allowedRoots.has(root)) {
      const allowed = [...this.allowedRoots].join(', ');
      this.fail(`unknown root '${root}' (this source allows: ${allowed === '' ? 'none' : allowed})`, start);
    }
    return root;
  }

  private readName(): string {
    const start = this.position;
    while (this.peekMatches(NAME_CHAR)) this.position += 1;
    if (this.position === start) {
      const found = this.peek();
      const hint = found === undefined ? 'the end of the template' : describe(found);
      this.fail(`empty name after '.', found ${hint} (use ['...'] for other characters)`);
    }
    return this.source.slice(start, this.position);
  }

  private readBracket(): PathSegment {
    const bracket = this.position;
    this.position += 1;
    const char = this.peek();
    let segment: PathSegment;
    if (char === "'" || char === '"') {
      segment = { kind: 'name', name: this.readQuoted(char) };
    } else {
      const start = this.position;
      while (this.peek() !== undefined && this.peek() !== ']' && this.peek() !== '}') this.position += 1;
      const digits = this.source.slice(start, this.position);
      if (digits === '') this.fail(`empty index in '[]'`, bracket);
      const index = Number(digits);
      if (!DIGITS.test(digits) || !Number.isSafeInteger(index)) {
        this.fail(`bad index '${digits}': expected a non-negative integer or a quoted key`, start);
      }
      segment = { kind: 'index', index };
    }
    if (this.peek() !== ']') this.fail(`unclosed '[': expected ']'`, bracket);
    this.position += 1;
    return segment;
  }

  private readQuoted(quote: string): string {
    const open = this.position;
    this.position += 1;
    let key = '';
    for (;;) {
      const char = this.peek();
      if (char === undefined) this.fail(`unterminated quoted key`, open);
      this.position += 1;
      if (char === quote) return key;
      if (char === '\\') {
        const escaped = this.peek();
        if (escaped === "'" || escaped === '"' || escaped === '\\') {
          key += escaped;
          this.position += 1;
          continue;
        }
      }
      key += char;
    }
  }

  private skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.position += 1;
  }

  private peek(): string | undefined {
    return this.source[this.position];
  }

  private peekMatches(pattern: RegExp): boolean {
    const char = this.peek();
    return char !== undefined && pattern.test(char);
  }

  private fail(reason: string, offset: number = this.position): never {
    throw new TemplateSyntaxError(reason, offset, this.source);
  }
}

function describe(char: string): string {
  return char === '\n' ? 'a line break' : `'${char}'`;
}

function pathText(root: string, segments: readonly PathSegment[]): string {
  let text = root;
  for (const segment of segments) {
    if (segment.kind === 'index') text += `[${segment.index}]`;
    else if (SIMPLE_NAME.test(segment.name)) text += `.${segment.name}`;
    else text += `['${segment.name.replace(/[\\']/g, (c) => `\\${c}`)}']`;
  }
  return text;
}

function renderParts(
  parts: readonly TemplatePart[],
  context: Readonly<Record<string, unknown>>,
): string | undefined {
  let out = '';
  for (const part of parts) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    const value = resolvePath(part.path, context);
    const rendered = value === undefined || value === null ? undefined : renderValue(value);
    if (rendered === undefined) return undefined;
    out += rendered;
  }
  return out;
}

function resolvePath(path: TemplatePath, context: Readonly<Record<string, unknown>>): unknown {
  let value: unknown = Object.hasOwn(context, path.root) ? context[path.root] : undefined;
  for (const segment of path.segments) {
    if (value === undefined || value === null) return undefined;
    value = step(value, segment);
  }
  return value;
}

/** One step down; only own data of arrays and plain objects is reachable (never prototypes). */
function step(value: unknown, segment: PathSegment): unknown {
  if (Array.isArray(value)) {
    const index =
      segment.kind === 'index' ? segment.index : DIGITS.test(segment.name) ? Number(segment.name) : -1;
    return index >= 0 && index < value.length ? value[index] : undefined;
  }
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array || value instanceof Date) {
    return undefined;
  }
  const key = segment.kind === 'index' ? String(segment.index) : segment.name;
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

const utf8 = new TextDecoder();

/** The text of a value, or `undefined` for one that has no text (a function, an invalid Date). */
function renderValue(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    default:
      if (value instanceof Uint8Array) return utf8.decode(value);
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
      // Compact JSON; bigints (a Kafka offset, say) have no JSON form, so they become strings.
      return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? String(item) : item));
  }
}
