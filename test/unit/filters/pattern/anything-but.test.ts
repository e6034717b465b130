import { describe, expect, it } from 'vitest';
import { compilePattern } from '../../../../broker/filters/pattern/index.js';

const matches = (pattern: unknown, event: unknown): boolean => compilePattern(pattern).matches(event);
const anythingBut = (operand: unknown, value: unknown): boolean =>
  matches({ state: [{ 'anything-but': operand }] }, { state: value });

describe('anything-but', () => {
  it('with a single string matches every other value', () => {
    expect(anythingBut('initializing', 'running')).toBe(true);
    expect(anythingBut('initializing', 'initializing')).toBe(false);
    expect(anythingBut('initializing', 'Initializing')).toBe(true);
    expect(anythingBut('', '')).toBe(false);
    expect(anythingBut('', 'x')).toBe(true);
  });

  it('with a single number excludes that number numerically', () => {
    expect(anythingBut(123, 124)).toBe(true);
    expect(anythingBut(123, 123)).toBe(false);
    expect(anythingBut(123, 123.0)).toBe(false);
    expect(anythingBut(0.5, 0.5000001)).toBe(false);
    expect(anythingBut(0.5, 0.500001)).toBe(true);
  });

  it('with a list excludes every listed value', () => {
    expect(anythingBut(['stopped', 'overloaded'], 'running')).toBe(true);
    expect(anythingBut(['stopped', 'overloaded'], 'stopped')).toBe(false);
    expect(anythingBut(['stopped', 'overloaded'], 'overloaded')).toBe(false);
    expect(anythingBut([100, 200, 300], 250)).toBe(true);
    expect(anythingBut([100, 200, 300], 200)).toBe(false);
  });

  it('never excludes a value of another type', () => {
    expect(anythingBut('5', 5)).toBe(true);
    expect(anythingBut([100], '100')).toBe(true);
    expect(anythingBut('null', null)).toBe(true);
    expect(anythingBut('x', null)).toBe(true);
    expect(anythingBut('true', true)).toBe(true);
    expect(anythingBut({ prefix: 'in' }, 5)).toBe(true);
    expect(anythingBut({ 'equals-ignore-case': 'null' }, null)).toBe(true);
  });

  it('does not match a missing field, an object-valued field or an empty array', () => {
    expect(matches({ state: [{ 'anything-but': 'x' }] }, {})).toBe(false);
    expect(anythingBut('x', { nested: 'y' })).toBe(false);
    expect(anythingBut('x', [])).toBe(false);
  });

  it('accepts absence too when combined with exists:false in the same list', () => {
    const pattern = { state: [{ 'anything-but': 'stopped' }, { exists: false }] };
    expect(matches(pattern, {})).toBe(true);
    expect(matches(pattern, { state: 'running' })).toBe(true);
    expect(matches(pattern, { state: 'stopped' })).toBe(false);
  });

  it('matches an array in the event when any element is not excluded', () => {
    expect(anythingBut(['stopped'], ['stopped', 'running'])).toBe(true);
    expect(anythingBut(['stopped', 'running'], ['stopped', 'running'])).toBe(false);
    expect(anythingBut([100, 500], [100, 50])).toBe(true);
    expect(anythingBut([100, 500], [100, 500])).toBe(false);
  });

  describe('with an inner operator', () => {
    it('prefix excludes strings starting with it', () => {
      expect(anythingBut({ prefix: 'init' }, 'initializing')).toBe(false);
      expect(anythingBut({ prefix: 'init' }, 'running')).toBe(true);
      expect(anythingBut({ prefix: 'init' }, 'Initializing')).toBe(true);
      expect(anythingBut({ prefix: ['us-', 'eu-'] }, 'eu-west-1')).toBe(false);
      expect(anythingBut({ prefix: ['us-', 'eu-'] }, 'ap-south-1')).toBe(true);
    });

    it('suffix excludes strings ending with it', () => {
      expect(anythingBut({ suffix: '.png' }, 'photo.png')).toBe(false);
      expect(anythingBut({ suffix: '.png' }, 'photo.jpg')).toBe(true);
      expect(anythingBut({ suffix: ['.png', '.gif'] }, 'anim.gif')).toBe(false);
    });

    it('equals-ignore-case excludes the value in any case', () => {
      expect(anythingBut({ 'equals-ignore-case': 'initializing' }, 'INITIALIZING')).toBe(false);
      expect(anythingBut({ 'equals-ignore-case': 'initializing' }, 'initialized')).toBe(true);
      expect(anythingBut({ 'equals-ignore-case': ['a', 'B'] }, 'b')).toBe(false);
      expect(anythingBut({ 'equals-ignore-case': ['a', 'B'] }, 'c')).toBe(true);
    });

    it('wildcard excludes strings it matches', () => {
      expect(anythingBut({ wildcard: '*/lib/*' }, 'usr/lib/libc.so')).toBe(false);
      expect(anythingBut({ wildcard: '*/lib/*' }, 'usr/bin/ls')).toBe(true);
      expect(anythingBut({ wildcard: ['*/lib/*', '*.tmp'] }, 'x.tmp')).toBe(false);
      expect(anythingBut({ wildcard: String.raw`a\*` }, 'a*')).toBe(false);
      expect(anythingBut({ wildcard: String.raw`a\*` }, 'ab')).toBe(true);
    });

    it('still needs the field to be present', () => {
      expect(matches({ state: [{ 'anything-but': { prefix: 'init' } }] }, {})).toBe(false);
    });
  });
});
