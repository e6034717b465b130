import { describe, expect, it } from 'vitest';
import type { AttributeValue } from '../../../broker/cloudevents/event.js';
import {
  AttributeIndex,
  type AttributeKeyKind,
  type EventAttributes,
} from '../../../broker/router/attribute-index.js';
import type { IdSink } from '../../../broker/router/candidate-set.js';
import { IdList } from './helpers.js';

/** An index holding keys of one kind only, to see each kind on its own. */
function indexOf(kind: AttributeKeyKind) {
  const index = new AttributeIndex();
  return {
    add: (attribute: string, value: string, id: number) => index.add(kind, attribute, value, id),
    collect: (attributes: EventAttributes, into: IdSink) => index.collect(attributes, into),
  };
}

function collected(
  index: { collect(attributes: EventAttributes, into: IdSink): void },
  attributes: Record<string, AttributeValue>,
): number[] {
  const sink = new IdList();
  index.collect(attributes, sink);
  return sink.ids.sort((a, b) => a - b);
}

describe('AttributeIndex: exact keys', () => {
  const index = indexOf('exact');
  index.add('type', 'com.example.a', 0);
  index.add('type', 'com.example.b', 1);
  index.add('type', 'com.example.a', 2);
  index.add('source', '/shop', 3);
  index.add('count', '42', 4);
  index.add('flag', 'true', 5);

  it('finds the subscriptions filed under each attribute value the event holds', () => {
    expect(collected(index, { type: 'com.example.a' })).toEqual([0, 2]);
    expect(collected(index, { type: 'com.example.b', source: '/shop' })).toEqual([1, 3]);
    expect(collected(index, { type: 'com.example.c', source: '/shop/eu' })).toEqual([]);
  });

  it('is case sensitive and does not match prefixes', () => {
    expect(collected(index, { type: 'com.example.A' })).toEqual([]);
    expect(collected(index, { type: 'com.example.' })).toEqual([]);
  });

  it('looks up integer and boolean values in their canonical string form', () => {
    expect(collected(index, { count: 42, flag: true })).toEqual([4, 5]);
    expect(collected(index, { count: '42', flag: 'true' })).toEqual([4, 5]);
    expect(collected(index, { count: 42.0, flag: false })).toEqual([4]);
  });

  it('finds nothing for a missing attribute', () => {
    expect(collected(index, {})).toEqual([]);
  });

  it('does not confuse an attribute value with a value of another attribute', () => {
    expect(collected(index, { source: 'com.example.a' })).toEqual([]);
  });
});

describe('AttributeIndex: prefix and suffix keys', () => {
  it('walks each indexed attribute over its prefixes', () => {
    const index = indexOf('prefix');
    index.add('type', 'com.', 0);
    index.add('type', 'com.example.', 1);
    index.add('source', 'com.', 2);
    index.add('count', '4', 3);
    expect(collected(index, { type: 'com.example.a' })).toEqual([0, 1]);
    expect(collected(index, { type: 'org.example', source: 'com.x' })).toEqual([2]);
    expect(collected(index, { count: 42 })).toEqual([3]);
    expect(collected(index, {})).toEqual([]);
  });

  it('walks suffixes from the end when built for suffixes', () => {
    const index = indexOf('suffix');
    index.add('type', '.created', 0);
    index.add('subject', '.created', 1);
    index.add('flag', 'ue', 2);
    expect(collected(index, { type: 'order.created', subject: 'order.deleted' })).toEqual([0]);
    expect(collected(index, { flag: true })).toEqual([2]);
  });
});

describe('attribute indexes over many attribute names', () => {
  // Past 8 indexed names the indexes walk the event's attributes instead of reading every name.
  const names = Array.from({ length: 12 }, (_, i) => `x${i}`);

  it('finds the same subscriptions either way', () => {
    const exact = indexOf('exact');
    const prefixes = indexOf('prefix');
    names.forEach((name, id) => {
      exact.add(name, 'v', id);
      prefixes.add(name, 'v', id);
    });
    const attributes = { type: 't', x3: 'v', x7: 'value', x11: 'w' };
    expect(collected(exact, attributes)).toEqual([3]);
    expect(collected(prefixes, attributes)).toEqual([3, 7]);
  });

  it('reads names an object inherits the way the filters do, through the prototype', () => {
    const exact = indexOf('exact');
    for (const [id, name] of names.entries()) exact.add(name, 'v', id);
    // The compiled filter reads attributes['constructor']: Object, whose canonical string is this.
    const inheritedValue = String(Object);
    exact.add('constructor', inheritedValue, 100);
    exact.add('constructor', 'own', 101);
    expect(collected(exact, { type: 't' })).toEqual([100]);
    expect(collected(exact, { type: 't', constructor: 'own' })).toEqual([101]);
  });
});

describe('AttributeIndex: kinds together', () => {
  it('gives the keys of every kind the value satisfies, under each attribute', () => {
    const index = new AttributeIndex();
    index.add('exact', 'type', 'com.example.created', 0);
    index.add('prefix', 'type', 'com.example.', 1);
    index.add('suffix', 'type', '.created', 2);
    index.add('prefix', 'type', 'org.', 3);
    index.add('exact', 'source', 'com.example.created', 4);
    index.add('suffix', 'source', '/eu', 5);
    expect(collected(index, { type: 'com.example.created', source: '/shop/eu' })).toEqual([0, 1, 2, 5]);
    expect(collected(index, { type: 'com.example.deleted' })).toEqual([1]);
    expect(collected(index, { source: 'com.example.created' })).toEqual([4]);
  });

  it('files a value under an exact key and a prefix key of the same text apart', () => {
    const index = new AttributeIndex();
    index.add('exact', 'type', 'com.', 0);
    index.add('prefix', 'type', 'com.', 1);
    expect(collected(index, { type: 'com.' })).toEqual([0, 1]);
    expect(collected(index, { type: 'com.x' })).toEqual([1]);
  });
});
