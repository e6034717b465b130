/**
 * Random subscription sets and events for the router property test, from a seeded PRNG so that a
 * failing case can be replayed from its seed. The pools are small on purpose: values shared between
 * filters and events (and prefixes of one another) make matches, near misses and shared index
 * buckets common instead of rare.
 *
 * Patterns use every operator the pattern dialect has, in every form the router reads
 * (pattern-conditions.ts): exact values, `prefix`/`suffix` (plain and ignore-case) on attributes
 * and data, `wildcard`, `equals-ignore-case`, `cidr`, `numeric` (one comparison or a range, with
 * bounds on and beside event numbers), every `anything-but` form, `exists` true and false, and
 * `$or` at the top level, beside other fields, nested in data and inside other `$or` branches.
 * Events carry arrays of objects, some of whose elements lack fields that others have, so that
 * nested patterns and `exists: false` meet the array rule.
 */
import type { AttributeValue, CloudEvent, EventData } from '../../../broker/cloudevents/event.js';
import type { FilterSpec } from '../../../broker/config/types.js';

/** sfc32-style 32-bit generator seeded through splitmix32: fast, small, good enough for tests. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
  }

  /** A float in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t / 0x1_0000_0000;
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

/** Attribute names filters and events share; `constructor` exists on every plain object's prototype. */
const ATTRIBUTES = ['type', 'source', 'subject', 'region', 'count', 'flag', 'ünicode'] as const;
const RARE_ATTRIBUTES = ['constructor', 'id'] as const;
/**
 * Extensions named rarely, so that larger sets index more than 8 attribute names (the indexes then
 * walk the event's attributes instead of reading each indexed name).
 */
const WIDE_ATTRIBUTES = Array.from({ length: 12 }, (_, i) => `x${i}`);

/** Non-empty strings with shared prefixes and suffixes, astral characters and lookalikes. */
const STRINGS = [
  'com.example.a',
  'com.example.ab',
  'com.example.',
  'com.ex',
  'com',
  'org.acme.order.created',
  'org.acme.order.deleted',
  '/shop',
  '/shop/eu',
  '/shop/eu/1',
  'a',
  'ab',
  'abc',
  'b',
  '😀',
  '😀x',
  'x😀',
  'é',
  'e\u0301',
  '42',
  '4',
  '5',
  'true',
  'false',
  'null',
  'function',
  'COM.Example.A',
  '10.0.0.1',
] as const;

/** Numbers on, just beside and outside (6e9) the bounds numeric conditions use. */
const NUMBERS = [0, 4, 5, 42, -1, 5.0000001, 5.000001, 4.9999999, 1.5, 3e9, 6e9, -0.5] as const;
/** Bounds of numeric conditions: all inside the range numeric matching supports. */
const BOUNDS = [0, 4, 5, 42, -1, 1.5, 5.000001, 4.999999, 3e9] as const;
const DATA_FIELDS = ['kind', 'id', 'tags', 'items', 'n'] as const;
const WIDE_DATA_FIELDS = Array.from({ length: 10 }, (_, i) => `f${i}`);

function someString(random: Random): string {
  return random.pick(STRINGS);
}

/** A non-empty prefix or suffix of a pool string, cut at any code unit (even inside a surrogate pair). */
function someAffix(random: Random, side: 'prefix' | 'suffix'): string {
  const whole = someString(random);
  const length = 1 + random.int(whole.length);
  return side === 'prefix' ? whole.slice(0, length) : whole.slice(whole.length - length);
}

function someAttributeName(random: Random): string {
  const roll = random.next();
  if (roll < 0.05) return random.pick(RARE_ATTRIBUTES);
  if (roll < 0.15) return random.pick(WIDE_ATTRIBUTES);
  return random.pick(ATTRIBUTES);
}

function someDataField(random: Random): string {
  return random.chance(0.15) ? random.pick(WIDE_DATA_FIELDS) : random.pick(DATA_FIELDS);
}

function attributeBody(random: Random, make: () => string): Record<string, string> {
  const body: Record<string, string> = {};
  const entries = 1 + random.int(2);
  for (let i = 0; i < entries; i++) body[someAttributeName(random)] = make();
  return body;
}

export function someFilter(random: Random, depth = 0): FilterSpec {
  const roll = random.next();
  const nested = depth < 3;
  if (roll < 0.28) return { exact: attributeBody(random, () => someString(random)) };
  if (roll < 0.42) return { prefix: attributeBody(random, () => someAffix(random, 'prefix')) };
  if (roll < 0.5) return { suffix: attributeBody(random, () => someAffix(random, 'suffix')) };
  if (roll < 0.66) return { pattern: somePattern(random, 0, EXACT_SHARE) };
  if (roll < 0.7) return { sql: `opaque ${random.int(1000)}` };
  if (!nested || roll < 0.8) return { all: someFilters(random, depth + 1, 1) };
  if (roll < 0.92) return { any: someFilters(random, depth + 1, 1) };
  return { not: someFilter(random, depth + 1) };
}

function someFilters(random: Random, depth: number, atLeast: number): FilterSpec[] {
  const count = atLeast + random.int(3);
  return Array.from({ length: count }, () => someFilter(random, depth));
}

function someScalar(random: Random): string | number | boolean | null {
  const roll = random.next();
  if (roll < 0.6) return someString(random);
  if (roll < 0.85) return random.pick(NUMBERS);
  if (roll < 0.95) return random.chance(0.5);
  return null;
}

/** The share of exact values in the value lists of patterns mixed with other filters. */
const EXACT_SHARE = 0.55;

/** A value list: exact values (`exactShare` of the entries), else any operator in any of its forms. */
function someValueList(random: Random, exactShare: number): unknown[] {
  const list: unknown[] = [];
  const count = 1 + random.int(3);
  for (let i = 0; i < count; i++)
    list.push(random.chance(exactShare) ? someScalar(random) : someOperator(random));
  return list;
}

function someOperator(random: Random): Record<string, unknown> {
  const roll = random.next();
  if (roll < 0.18) return { prefix: someAffixOperand(random, 'prefix') };
  if (roll < 0.26) return { suffix: someAffixOperand(random, 'suffix') };
  if (roll < 0.32) return { wildcard: someWildcard(random) };
  if (roll < 0.36) return { 'equals-ignore-case': someString(random) };
  if (roll < 0.52) return { exists: random.chance(0.5) };
  if (roll < 0.72) return { 'anything-but': someAnythingBut(random) };
  if (roll < 0.97) return { numeric: someNumeric(random) };
  return { cidr: random.pick(['10.0.0.0/8', '10.0.0.1/32', '::/0']) };
}

function someAffixOperand(random: Random, side: 'prefix' | 'suffix'): unknown {
  // An empty affix is allowed: it matches every string.
  const text = random.chance(0.05) ? '' : someAffix(random, side);
  return random.chance(0.15) ? { 'equals-ignore-case': text } : text;
}

/** A pool string with a `*` in place of a slice of it: at either end, inside, or two of them. */
function someWildcard(random: Random): string {
  const text = someString(random);
  const from = random.int(text.length + 1);
  const to = from + random.int(text.length - from + 1);
  const once = `${text.slice(0, from)}*${text.slice(to)}`;
  if (random.chance(0.2) || once.length < 3) return random.chance(0.1) ? text : once;
  // A second `*` not beside the first: `**` is refused.
  const at = once.indexOf('*');
  return at + 2 < once.length ? `${once.slice(0, at + 2)}*${once.slice(at + 2)}` : once;
}

function someAnythingBut(random: Random): unknown {
  switch (random.int(6)) {
    case 0:
      return someString(random);
    case 1:
      return random.pick(BOUNDS);
    case 2:
      return Array.from({ length: 1 + random.int(3) }, () => someString(random));
    case 3:
      return Array.from({ length: 1 + random.int(3) }, () => random.pick(BOUNDS));
    default: {
      const inner = random.pick(['prefix', 'suffix', 'equals-ignore-case', 'wildcard'] as const);
      const one = (): string =>
        inner === 'wildcard'
          ? someWildcard(random)
          : inner === 'equals-ignore-case'
            ? someString(random)
            : someAffix(random, inner);
      return { [inner]: random.chance(0.3) ? [one(), one()] : one() };
    }
  }
}

/** One comparison, or a range whose lower bound is below its upper one. */
function someNumeric(random: Random): unknown[] {
  const first = random.pick(BOUNDS);
  if (random.chance(0.6)) return [random.pick(['=', '<', '<=', '>', '>=']), first];
  const second = random.pick(BOUNDS.filter((bound) => bound > first + 1e-6));
  if (second === undefined) return ['>=', first];
  return [random.pick(['>', '>=']), first, random.pick(['<', '<=']), second];
}

/**
 * A pattern object at the top level (attributes and `data`): one or two fields, and sometimes a
 * `$or` beside them or on its own.
 */
function somePattern(random: Random, depth: number, exactShare: number): Record<string, unknown> {
  const pattern: Record<string, unknown> = {};
  const onlyOr = depth < 2 && random.chance(0.08);
  const fields = onlyOr ? 0 : 1 + random.int(2);
  for (let i = 0; i < fields; i++) {
    if (random.chance(0.4)) pattern['data'] = someDataPattern(random, 1, exactShare);
    else pattern[someAttributeName(random)] = someValueList(random, exactShare);
  }
  if (onlyOr || (depth < 2 && random.chance(0.12)))
    pattern['$or'] = someBranches(random, () => somePattern(random, depth + 1, exactShare));
  return pattern;
}

function someBranches(random: Random, branch: () => Record<string, unknown>): Record<string, unknown>[] {
  return Array.from({ length: 2 + random.int(2) }, branch);
}

function someDataPattern(random: Random, depth: number, exactShare: number): Record<string, unknown> {
  const pattern: Record<string, unknown> = {};
  const onlyOr = depth < 4 && random.chance(0.06);
  const fields = onlyOr ? 0 : 1 + random.int(2);
  for (let i = 0; i < fields; i++) {
    const field = someDataField(random);
    pattern[field] =
      depth < 3 && random.chance(0.25)
        ? someDataPattern(random, depth + 1, exactShare)
        : someValueList(random, exactShare);
  }
  if (onlyOr || (depth < 4 && random.chance(0.1)))
    pattern['$or'] = someBranches(random, () => someDataPattern(random, depth + 1, exactShare));
  return pattern;
}

export interface GeneratedSubscription {
  name: string;
  filters: FilterSpec[] | undefined;
}

/** 1..maxSize subscriptions, some without filters, some duplicating an earlier one's filters. */
export function someSubscriptions(random: Random, maxSize: number): GeneratedSubscription[] {
  const size = 1 + random.int(maxSize);
  const subscriptions: GeneratedSubscription[] = [];
  for (let i = 0; i < size; i++) {
    let filters: FilterSpec[] | undefined;
    const earlier = subscriptions[random.int(Math.max(subscriptions.length, 1))];
    if (earlier && random.chance(0.1)) filters = earlier.filters;
    else if (random.chance(0.05)) filters = random.chance(0.5) ? undefined : [];
    else filters = someFilters(random, 0, 1);
    subscriptions.push({ name: `sub-${i}`, filters });
  }
  return subscriptions;
}

/**
 * 1..maxSize subscriptions of one `pattern` filter each, as EventBridge rules are, with few exact
 * values: only the pattern's own conditions are there to index each by, so most are filed under
 * prefixes, ranges, presence, absence and `$or` unions, not under an attribute's exact value.
 */
export function somePatternSubscriptions(random: Random, maxSize: number): GeneratedSubscription[] {
  return Array.from({ length: 1 + random.int(maxSize) }, (_, i) => ({
    name: `rule-${i}`,
    filters: [{ pattern: somePattern(random, 0, 0.25) }],
  }));
}

function someAttributeValue(random: Random, name: string): AttributeValue {
  const roll = random.next();
  if (
    name === 'count' ||
    name === 'flag' ||
    name === 'region' ||
    name === 'ünicode' ||
    name.startsWith('x')
  ) {
    // Extensions may arrive typed (JSON format) as integers and booleans.
    if (roll < 0.25) return random.pick([0, 4, 5, 42, -1]);
    if (roll < 0.4) return random.chance(0.5);
  }
  return someString(random);
}

function someJson(random: Random, depth: number): unknown {
  const roll = random.next();
  if (depth > 3 || roll < 0.45) return someScalar(random);
  if (roll < 0.55) return Array.from({ length: random.int(4) }, () => someJson(random, depth + 1));
  if (roll < 0.65) return someObjects(random, depth);
  const object: Record<string, unknown> = {};
  const fields = random.int(4);
  for (let i = 0; i < fields; i++) object[someDataField(random)] = someJson(random, depth + 1);
  return object;
}

/**
 * An array of objects, the elements drawing their fields from one small set so that some have a
 * field others lack, with now and then a scalar or a nested array among them.
 */
function someObjects(random: Random, depth: number): unknown[] {
  const fields = [someDataField(random), someDataField(random)];
  return Array.from({ length: 1 + random.int(3) }, () => {
    if (random.chance(0.1)) return random.chance(0.5) ? someScalar(random) : [someObjects(random, depth + 1)];
    const object: Record<string, unknown> = {};
    for (const field of fields) if (random.chance(0.6)) object[field] = someJson(random, depth + 2);
    return object;
  });
}

function someData(random: Random): { data: EventData; contentType?: string } {
  const roll = random.next();
  if (roll < 0.15) return { data: { kind: 'none' } };
  const value = random.chance(0.85) ? someDataObject(random) : someJson(random, 1);
  if (roll < 0.3) {
    const bytes = new TextEncoder().encode(JSON.stringify(value));
    return { data: { kind: 'bytes', bytes }, contentType: 'application/json' };
  }
  return { data: { kind: 'json', value } };
}

function someDataObject(random: Random): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const field of DATA_FIELDS) if (random.chance(0.5)) object[field] = someJson(random, 1);
  for (const field of WIDE_DATA_FIELDS) if (random.chance(0.2)) object[field] = someJson(random, 1);
  return object;
}

/** An event whose attributes are each present or missing, typed or strings, with varied data. */
export function someEvent(random: Random): CloudEvent {
  const attributes: Record<string, AttributeValue> = { specversion: '1.0', id: `${random.int(100)}` };
  for (const name of [...ATTRIBUTES, 'constructor']) {
    if (random.chance(name === 'constructor' ? 0.05 : 0.75))
      attributes[name] = someAttributeValue(random, name);
  }
  for (const name of WIDE_ATTRIBUTES)
    if (random.chance(0.3)) attributes[name] = someAttributeValue(random, name);
  const { data, contentType } = someData(random);
  if (contentType) attributes['datacontenttype'] = contentType;
  return { attributes, data };
}
