import { describe, expect, it } from 'vitest';
import { compilePattern } from '../../../../broker/filters/pattern/index.js';

const matches = (pattern: unknown, event: unknown): boolean => compilePattern(pattern).matches(event);
const field = (operator: unknown) => ({ value: [operator] });
const matchesValue = (operator: unknown, value: unknown): boolean => matches(field(operator), { value });

describe('prefix', () => {
  it('matches strings that start with the prefix', () => {
    expect(matchesValue({ prefix: 'com.example.' }, 'com.example.order.created')).toBe(true);
    expect(matchesValue({ prefix: 'com.example.' }, 'com.example.')).toBe(true);
    expect(matchesValue({ prefix: 'com.example.' }, 'org.example.order')).toBe(false);
    expect(matchesValue({ prefix: 'com.example.' }, 'com.example')).toBe(false);
  });

  it('is case-sensitive unless written with equals-ignore-case', () => {
    expect(matchesValue({ prefix: 'EventB' }, 'eventbridge')).toBe(false);
    expect(matchesValue({ prefix: { 'equals-ignore-case': 'EventB' } }, 'eventbridge')).toBe(true);
    expect(matchesValue({ prefix: { 'equals-ignore-case': 'EventB' } }, 'EVENTBUS')).toBe(true);
    expect(matchesValue({ prefix: { 'equals-ignore-case': 'EventB' } }, 'Event-Bus')).toBe(false);
  });

  it('only matches strings: never numbers, booleans or null', () => {
    expect(matchesValue({ prefix: '5' }, 55)).toBe(false);
    expect(matchesValue({ prefix: 't' }, true)).toBe(false);
    expect(matchesValue({ prefix: 'n' }, null)).toBe(false);
    expect(matchesValue({ prefix: '5' }, '55')).toBe(true);
  });

  it('with an empty prefix matches every string, including the empty string, but nothing else', () => {
    expect(matchesValue({ prefix: '' }, '')).toBe(true);
    expect(matchesValue({ prefix: '' }, 'anything')).toBe(true);
    expect(matchesValue({ prefix: '' }, 0)).toBe(false);
    expect(matches(field({ prefix: '' }), {})).toBe(false);
  });

  it('compares unicode code units exactly, including astral characters', () => {
    expect(matchesValue({ prefix: '🚆' }, '🚆 departing')).toBe(true);
    expect(matchesValue({ prefix: 'Zü' }, 'Zürich')).toBe(true);
    expect(matchesValue({ prefix: 'Zu' }, 'Zürich')).toBe(false);
  });
});

describe('suffix', () => {
  it('matches strings that end with the suffix', () => {
    expect(matchesValue({ suffix: '.png' }, 'photo.png')).toBe(true);
    expect(matchesValue({ suffix: '.png' }, '.png')).toBe(true);
    expect(matchesValue({ suffix: '.png' }, 'photo.png.txt')).toBe(false);
    expect(matchesValue({ suffix: '.png' }, 'photo.PNG')).toBe(false);
  });

  it('ignores case when written with equals-ignore-case', () => {
    expect(matchesValue({ suffix: { 'equals-ignore-case': '.png' } }, 'PHOTO.PNG')).toBe(true);
    expect(matchesValue({ suffix: { 'equals-ignore-case': 'tbridge' } }, 'EvenTBridge')).toBe(true);
    expect(matchesValue({ suffix: { 'equals-ignore-case': '.png' } }, 'photo.jpg')).toBe(false);
  });

  it('only matches strings', () => {
    expect(matchesValue({ suffix: '0' }, 100)).toBe(false);
    expect(matchesValue({ suffix: 'e' }, false)).toBe(false);
  });
});

describe('equals-ignore-case', () => {
  it('matches the whole value regardless of case', () => {
    expect(matchesValue({ 'equals-ignore-case': 'alice' }, 'Alice')).toBe(true);
    expect(matchesValue({ 'equals-ignore-case': 'alice' }, 'ALICE')).toBe(true);
    expect(matchesValue({ 'equals-ignore-case': 'alice' }, 'Alice Smith')).toBe(false);
    expect(matchesValue({ 'equals-ignore-case': 'alice' }, 'alic')).toBe(false);
  });

  it('matches the empty string only against the empty string', () => {
    expect(matchesValue({ 'equals-ignore-case': '' }, '')).toBe(true);
    expect(matchesValue({ 'equals-ignore-case': '' }, ' ')).toBe(false);
    expect(matchesValue({ 'equals-ignore-case': '' }, null)).toBe(false);
  });

  it('folds non-ASCII letters, including those whose upper case is longer', () => {
    expect(matchesValue({ 'equals-ignore-case': 'ÉCOLE' }, 'école')).toBe(true);
    expect(matchesValue({ 'equals-ignore-case': 'straße' }, 'STRASSE')).toBe(true);
    expect(matchesValue({ 'equals-ignore-case': 'STRASSE' }, 'Straße')).toBe(true);
    expect(matchesValue({ 'equals-ignore-case': 'ΟΔΟΣ' }, 'οδος')).toBe(true);
    expect(matchesValue({ 'equals-ignore-case': 'ΟΔΟΣ' }, 'οδος'.replace('ς', 'σ'))).toBe(true);
    expect(matchesValue({ 'equals-ignore-case': 'ÉCOLE' }, 'ecole')).toBe(false);
  });

  it('only matches strings', () => {
    expect(matchesValue({ 'equals-ignore-case': 'true' }, true)).toBe(false);
    expect(matchesValue({ 'equals-ignore-case': '1' }, 1)).toBe(false);
  });
});

describe('wildcard', () => {
  const wildcard = (pattern: string, value: unknown) => matchesValue({ wildcard: pattern }, value);

  it('matches zero, one or many characters at each *', () => {
    expect(wildcard('*.png', 'photo.png')).toBe(true);
    expect(wildcard('*.png', '.png')).toBe(true);
    expect(wildcard('dir/*.png', 'dir/a/b/c.png')).toBe(true);
    expect(wildcard('dir/*.png', 'other/a.png')).toBe(false);
    expect(wildcard('*Title*', 'The Title Page')).toBe(true);
    expect(wildcard('*Title*', 'Title')).toBe(true);
    expect(wildcard('*Title*', 'title')).toBe(false);
    expect(wildcard('a*b*c', 'abc')).toBe(true);
    expect(wildcard('a*b*c', 'axxbyyc')).toBe(true);
    expect(wildcard('a*b*c', 'acb')).toBe(false);
  });

  it('requires the text around the wildcards at the start and the end', () => {
    expect(wildcard('Simple*Service', 'Simple Notification Service')).toBe(true);
    expect(wildcard('Simple*Service', 'Simple Notification Services')).toBe(false);
    expect(wildcard('Simple*Service', 'A Simple Notification Service')).toBe(false);
  });

  it('does not let middle text overlap the anchored end', () => {
    expect(wildcard('a*aa', 'aa')).toBe(false);
    expect(wildcard('a*aa', 'aaa')).toBe(true);
    expect(wildcard('*ab*ab', 'ab')).toBe(false);
    expect(wildcard('*ab*ab', 'abab')).toBe(true);
  });

  it('without wildcards is an exact match, and a lone * matches any string', () => {
    expect(wildcard('exact', 'exact')).toBe(true);
    expect(wildcard('exact', 'exactly')).toBe(false);
    expect(wildcard('', '')).toBe(true);
    expect(wildcard('', 'x')).toBe(false);
    expect(wildcard('*', '')).toBe(true);
    expect(wildcard('*', 'anything at all')).toBe(true);
  });

  it('reads \\* as a literal asterisk and \\\\ as a literal backslash', () => {
    expect(wildcard(String.raw`2\*3`, '2*3')).toBe(true);
    expect(wildcard(String.raw`2\*3`, '2x3')).toBe(false);
    expect(wildcard(String.raw`*\**`, 'a*b')).toBe(true);
    expect(wildcard(String.raw`*\**`, 'ab')).toBe(false);
    expect(wildcard(String.raw`C:\\*`, String.raw`C:\Windows`)).toBe(true);
    expect(wildcard(String.raw`C:\\*`, 'C:/Windows')).toBe(false);
  });

  it('treats other glob syntax (?, [...]) as literal text', () => {
    expect(wildcard('file?.txt', 'file?.txt')).toBe(true);
    expect(wildcard('file?.txt', 'file1.txt')).toBe(false);
    expect(wildcard('[ab]*', '[ab]c')).toBe(true);
    expect(wildcard('[ab]*', 'ac')).toBe(false);
  });

  it('handles unicode text and newlines in values', () => {
    expect(wildcard('*🚆*', 'train 🚆 leaves')).toBe(true);
    expect(wildcard('a*b', 'a\nb')).toBe(true);
  });

  it('only matches strings', () => {
    expect(wildcard('*', 12)).toBe(false);
    expect(wildcard('*', null)).toBe(false);
  });

  it('stays fast on values built to make backtracking matchers explode', () => {
    const hostile = `${'a'.repeat(50_000)}b`;
    const started = performance.now();
    expect(wildcard('*a*a*a*a*a*a*a*a*c*b', hostile)).toBe(false);
    expect(wildcard('*a*a*a*a*a*a*a*a*ab', hostile)).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
