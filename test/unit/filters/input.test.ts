import { describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../../broker/cloudevents/event.js';
import { filterInput } from '../../../broker/filters/input.js';
import { compilePattern } from '../../../broker/filters/pattern/index.js';

const attributes = { specversion: '1.0', id: '1', source: '/s', type: 't' };
const bytes = (text: string, datacontenttype?: string): CloudEvent => ({
  attributes: { ...attributes, ...(datacontenttype ? { datacontenttype } : {}) },
  data: { kind: 'bytes', bytes: new TextEncoder().encode(text) },
});

describe('filterInput: the data a pattern sees', () => {
  it('is JSON data as it is, and nothing when the event has none', () => {
    const value = { a: [1, 2] };
    expect(filterInput({ attributes, data: { kind: 'json', value } }).data()).toBe(value);
    expect(filterInput({ attributes, data: { kind: 'json', value: null } }).data()).toBeNull();
    expect(filterInput({ attributes, data: { kind: 'none' } }).data()).toBeUndefined();
  });

  it('parses bytes whose content type is JSON (or absent, which means JSON), once', () => {
    for (const type of [
      undefined,
      'application/json',
      'application/cloudevents+json; charset=utf-8',
      'text/json',
    ]) {
      const input = filterInput(bytes('{"kind":"x"}', type));
      expect(input.data(), String(type)).toEqual({ kind: 'x' });
      expect(input.data()).toBe(input.data());
    }
  });

  it('keeps bytes that are not JSON after all, and text, as a string; other bytes are not data to a pattern', () => {
    expect(filterInput(bytes('{oops', 'application/json')).data()).toBe('{oops');
    expect(filterInput(bytes('hello', 'text/plain')).data()).toBe('hello');
    expect(filterInput(bytes('\u0000\u0001', 'application/octet-stream')).data()).toBeUndefined();
  });

  it('keeps JSON bytes nested deeper than 1,000 levels as a string: too deep to read as JSON', () => {
    const arrays = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    expect(filterInput(bytes(arrays(1000), 'application/json')).data()).toBeInstanceOf(Array);
    expect(filterInput(bytes(arrays(1001), 'application/json')).data()).toBe(arrays(1001));
  });

  it('builds the JSON form from the attributes and that data, with no data field when there is none', () => {
    const input = filterInput(bytes('[1]', 'application/json'));
    expect(input.json()).toEqual({ ...attributes, datacontenttype: 'application/json', data: [1] });
    expect(input.json()).toBe(input.json());
    expect(Object.hasOwn(filterInput(bytes('x', 'application/octet-stream')).json(), 'data')).toBe(false);
  });
});

describe('a pattern read in place agrees with the pattern on the JSON form', () => {
  const patterns: Record<string, unknown>[] = [
    { type: ['t'], data: { kind: ['x'] } },
    { data: [{ exists: false }] },
    { data: [{ exists: true }] },
    { data: ['{oops'] },
    { constructor: [{ exists: false }], source: [{ prefix: '/' }] },
    { $or: [{ data: { kind: ['y'] } }, { id: ['1'] }] },
    { data: { kind: [{ 'anything-but': 'x' }] } },
  ];
  const events: CloudEvent[] = [
    { attributes, data: { kind: 'json', value: { kind: 'x' } } },
    { attributes, data: { kind: 'json', value: [{ kind: 'y' }, { kind: 'x' }] } },
    { attributes: { ...attributes, id: '2' }, data: { kind: 'none' } },
    bytes('{"kind":"x"}', 'application/json'),
    bytes('{oops', 'application/json'),
    bytes('zz', 'application/octet-stream'),
  ];

  it('on every pattern and event', () => {
    for (const pattern of patterns) {
      const compiled = compilePattern(pattern);
      for (const event of events) {
        const inPlace = compiled.matchesEvent(filterInput(event));
        expect(inPlace, `${JSON.stringify(pattern)} on ${JSON.stringify(filterInput(event).json())}`).toBe(
          compiled.matches(filterInput(event).json()),
        );
      }
    }
  });

  it('and does not build the JSON form to answer', () => {
    const input = filterInput(events[0]!);
    let built = false;
    const watched = {
      attributes: input.attributes,
      data: () => input.data(),
      json: () => {
        built = true;
        return input.json();
      },
    };
    expect(compilePattern(patterns[0]).matchesEvent(watched)).toBe(true);
    expect(built).toBe(false);
  });
});
