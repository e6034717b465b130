/**
 * Random subscription sets and events for the router property test, from a seeded PRNG so that a
 * failing case can be replayed from its seed. The pools are small on purpose: values shared between
 * filters and events (and prefixes of one another) make matches, near misses and shared index
 * buckets common instead of rare.
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
] as const;

const NUMBERS = [0, 4, 5, 42, -1, 5.0000001, 1.5, 3e9] as const;
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
  if (roll < 0.66) return { pattern: somePattern(random, 0) };
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

/** A value list: mostly exact values (indexable), sometimes an operator (not indexable). */
function someValueList(random: Random): unknown[] {
  const list: unknown[] = [];
  const count = 1 + random.int(3);
  for (let i = 0; i < count; i++) {
    const roll = random.next();
    if (roll < 0.8) list.push(someScalar(random));
    else if (roll < 0.88) list.push({ prefix: someAffix(random, 'prefix') });
    else if (roll < 0.93) list.push({ exists: random.chance(0.5) });
    else if (roll < 0.97) list.push({ 'anything-but': someString(random) });
    else list.push({ numeric: ['>', 3] });
  }
  return list;
}

function somePattern(random: Random, depth: number): Record<string, unknown> {
  const pattern: Record<string, unknown> = {};
  const fields = 1 + random.int(2);
  for (let i = 0; i < fields; i++) {
    if (depth === 0 && random.chance(0.4)) pattern['data'] = someDataPattern(random, 1);
    else if (depth === 0) pattern[someAttributeName(random)] = someValueList(random);
    else pattern[someDataField(random)] = someValueList(random);
  }
  if (random.chance(0.1))
    pattern['$or'] = [someDataPatternOrAttributes(random), someDataPatternOrAttributes(random)];
  return pattern;
}

function someDataPatternOrAttributes(random: Random): Record<string, unknown> {
  return random.chance(0.5)
    ? { data: someDataPattern(random, 1) }
    : { [someAttributeName(random)]: someValueList(random) };
}

function someDataPattern(random: Random, depth: number): Record<string, unknown> {
  const pattern: Record<string, unknown> = {};
  const fields = 1 + random.int(2);
  for (let i = 0; i < fields; i++) {
    const field = someDataField(random);
    pattern[field] =
      depth < 3 && random.chance(0.25) ? someDataPattern(random, depth + 1) : someValueList(random);
  }
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
  if (roll < 0.65) return Array.from({ length: random.int(4) }, () => someJson(random, depth + 1));
  const object: Record<string, unknown> = {};
  const fields = random.int(4);
  for (let i = 0; i < fields; i++) object[someDataField(random)] = someJson(random, depth + 1);
  return object;
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
