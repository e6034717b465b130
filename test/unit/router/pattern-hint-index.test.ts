import { describe, expect, it } from 'vitest';
import type { AttributeValue, CloudEvent } from '../../../broker/cloudevents/event.js';
import { filterInput } from '../../../broker/filters/input.js';
import { canonicalNumber } from '../../../broker/filters/pattern/index.js';
import type { HintValue } from '../../../broker/router/index-plan.js';
import { PatternHintIndex } from '../../../broker/router/pattern-hint-index.js';
import { Random } from './generators.js';
import { event, IdList } from './helpers.js';

function collected(
  index: PatternHintIndex,
  attributes: Record<string, AttributeValue>,
  data?: unknown,
): number[] {
  // A bucket may come up more than once (an array holding a value twice); the router deduplicates.
  const built = event(attributes, data);
  const sink = new IdList();
  index.collect(built, filterInput(built), sink);
  return [...new Set(sink.ids)].sort((a, b) => a - b);
}

describe('PatternHintIndex', () => {
  it('finds subscriptions by a top-level field of the JSON form (an attribute)', () => {
    const index = new PatternHintIndex();
    index.add(['type'], 'com.example.a', 0);
    index.add(['type'], 'com.example.b', 1);
    expect(collected(index, { type: 'com.example.a' })).toEqual([0]);
    expect(collected(index, { type: 'com.example.c' })).toEqual([]);
  });

  it('follows nested paths into data, through arrays of objects and nested arrays', () => {
    const index = new PatternHintIndex();
    index.add(['data', 'customer', 'tier'], 'gold', 0);
    index.add(['data', 'items', 'sku'], 'A-1', 1);
    index.add(['data', 'tags'], 'red', 2);
    expect(collected(index, {}, { customer: { tier: 'gold' } })).toEqual([0]);
    expect(collected(index, {}, { customer: [{ tier: 'silver' }, [{ tier: 'gold' }]] })).toEqual([0]);
    expect(collected(index, {}, { items: [{ sku: 'B-2' }, { sku: 'A-1' }] })).toEqual([1]);
    expect(collected(index, {}, { tags: ['blue', ['red']] })).toEqual([2]);
    expect(collected(index, {}, { tags: { red: 1 }, customer: 'gold', items: 'A-1' })).toEqual([]);
    expect(collected(index, {})).toEqual([]);
  });

  it('keeps types apart and looks numbers up in canonical form', () => {
    const index = new PatternHintIndex();
    index.add(['data', 'v'], '5', 0);
    index.add(['data', 'v'], canonicalNumber(5), 1);
    index.add(['data', 'v'], true, 2);
    index.add(['data', 'v'], null, 3);
    index.add(['data', 'v'], 'true', 4);
    expect(collected(index, {}, { v: 5.0000001 })).toEqual([1]);
    expect(collected(index, {}, { v: '5' })).toEqual([0]);
    expect(collected(index, {}, { v: [true, null] })).toEqual([2, 3]);
    expect(collected(index, {}, { v: 'true' })).toEqual([4]);
  });

  it('reads a few hinted fields straight down their paths, and still walks when an array is on the way', () => {
    const index = new PatternHintIndex();
    index.add(['data', 'region'], 'eu', 0);
    expect(collected(index, {}, { region: 'eu' })).toEqual([0]);
    // Keys added after events were collected are found too.
    index.add(['data', 'customer', 'tier'], 'gold', 1);
    index.add(['subject'], 'order-1', 2);
    expect(collected(index, { subject: 'order-1' }, { region: 'eu', customer: { tier: 'gold' } })).toEqual([
      0, 1, 2,
    ]);
    expect(
      collected(index, {}, { region: ['us', 'eu'], customer: [{ tier: 'silver' }, { tier: 'gold' }] }),
    ).toEqual([0, 1]);
    expect(collected(index, {}, { region: { eu: 'eu' }, customer: 'gold' })).toEqual([]);
    expect(collected(index, {}, [{ region: 'eu' }])).toEqual([0]);
  });

  it('reads only own fields', () => {
    const index = new PatternHintIndex();
    index.add(['data', 'constructor'], 'x', 0);
    expect(collected(index, {}, {})).toEqual([]);
  });

  it('reads bytes data through the JSON form, parsed as the predicates see it', () => {
    const index = new PatternHintIndex();
    index.add(['data', 'kind'], 'x', 0);
    const bytes: CloudEvent = {
      attributes: {
        specversion: '1.0',
        id: '1',
        source: '/s',
        type: 't',
        datacontenttype: 'application/json',
      },
      data: { kind: 'bytes', bytes: new TextEncoder().encode('{"kind":"x"}') },
    };
    const sink = new IdList();
    index.collect(bytes, filterInput(bytes), sink);
    expect(sink.ids).toEqual([0]);
  });

  it('leaves the JSON form unbuilt for attributes and JSON data: the predicates build it if they need it', () => {
    const index = new PatternHintIndex();
    index.add(['type'], 't', 0);
    index.add(['data', 'kind'], 'x', 1);
    const json: CloudEvent = event({ type: 't' }, { kind: 'x' });
    let built = false;
    const sink = new IdList();
    const input = {
      attributes: json.attributes,
      data: () => (json.data.kind === 'json' ? json.data.value : undefined),
      json: () => {
        built = true;
        return {};
      },
    };
    index.collect(json, input, sink);
    expect(sink.ids.sort()).toEqual([0, 1]);
    expect(built).toBe(false);
  });

  it('finds the same subscriptions when many fields are hinted under one object', () => {
    // Past 8 hinted fields the index walks the event object's keys instead of reading every field.
    const index = new PatternHintIndex();
    for (let i = 0; i < 12; i++) {
      index.add(['data', `f${i}`], 'v', i);
      index.add([`x${i}`], 'v', 20 + i);
    }
    index.add(['data'], 'v', 40);
    expect(
      collected(index, { x2: 'v', x5: 'w' }, { f1: 'v', f4: ['w', 'v'], f9: { v: 'v' }, other: 'v' }),
    ).toEqual([1, 4, 22]);
    expect(collected(index, { x2: 'v' }, 'v')).toEqual([22, 40]);
  });

  it('finds prefixes, suffixes, ranges and presence at a path, read directly or walked', () => {
    const index = new PatternHintIndex();
    index.keysAt(['data', 'customer', 'id']).addPrefix('c1', 0);
    index.keysAt(['data', 'customer', 'id']).addSuffix('9', 1);
    index
      .keysAt(['data', 'amount'])
      .addRange({ low: 100_000_000, lowInclusive: false, high: Infinity, highInclusive: false }, 2);
    index.keysAt(['data', 'coupon']).addPresent(3);
    index
      .keysAt(['count'])
      .addRange({ low: -Infinity, lowInclusive: false, high: 5_000_000, highInclusive: true }, 4);
    expect(collected(index, {}, { customer: { id: 'c19' }, amount: 101, coupon: 'x' })).toEqual([0, 1, 2, 3]);
    expect(collected(index, { count: 5 }, { customer: { id: 'd1' }, amount: 100, coupon: {} })).toEqual([4]);
    // An array on the way: the walk, with the same answers.
    expect(collected(index, {}, { customer: [{ id: 'x' }, { id: ['c2', 'c1'] }], amount: [3, 200] })).toEqual(
      [0, 2],
    );
    expect(collected(index, {}, { coupon: [[]], amount: '200' })).toEqual([]);
  });

  it('agrees with a direct reading of the hinted path on random data', () => {
    const random = new Random(7);
    const fields = ['a', 'b'];
    const values: HintValue[] = ['x', 'y', 1, 2, true, null];
    const someJson = (depth: number): unknown => {
      const roll = random.next();
      if (depth > 3 || roll < 0.4) return random.pick(values);
      if (roll < 0.7) return Array.from({ length: random.int(3) }, () => someJson(depth + 1));
      return Object.fromEntries(fields.filter(() => random.chance(0.6)).map((f) => [f, someJson(depth + 1)]));
    };
    for (let round = 0; round < 500; round++) {
      const index = new PatternHintIndex();
      const hints: { path: string[]; value: HintValue }[] = [];
      for (let id = 0; id < 6; id++) {
        const path = ['data', ...Array.from({ length: 1 + random.int(2) }, () => random.pick(fields))];
        const value = random.pick(values);
        hints.push({ path, value });
        index.add(path, value, id);
      }
      const data = someJson(0);
      const expected = hints.flatMap((hint, id) =>
        valuesAt(data, hint.path.slice(1)).includes(hint.value) ? [id] : [],
      );
      expect(collected(index, {}, data), JSON.stringify({ hints, data })).toEqual(expected);
    }
  });
});

/** The leaves at `path`, descending through arrays at every step (as in the pattern's own tests). */
function valuesAt(value: unknown, path: readonly string[]): unknown[] {
  if (Array.isArray(value)) return value.flatMap((element) => valuesAt(element, path));
  const [head, ...rest] = path;
  if (head === undefined) return [value];
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, head)) return [];
  return valuesAt((value as Record<string, unknown>)[head], rest);
}
