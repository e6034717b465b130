/**
 * The operators that only ever match string values: `prefix`, `suffix`, `equals-ignore-case` and
 * `wildcard`. A number, boolean or null never matches them (EventBridge: they "only work on
 * string-valued fields"), so `{"prefix": "5"}` does not match the number 5.
 */
import { foldCase } from './case-fold.js';
import { describeValue, PatternError, type PatternPath } from './errors.js';
import type { Scalar } from './event-values.js';
import type { ValueTest } from './exact.js';
import { compileWildcard, WildcardSyntaxError } from './wildcard.js';

export type StringTest = (value: string) => boolean;

/** Lifts a string test to any leaf value; non-strings never match. */
export function onStrings(test: StringTest): ValueTest {
  return (value: Scalar) => typeof value === 'string' && test(value);
}

export function requireString(operand: unknown, path: PatternPath, operator: string): string {
  if (typeof operand !== 'string') {
    throw new PatternError(path, `"${operator}" expects a string, got ${describeValue(operand)}`);
  }
  return operand;
}

export function prefixTest(text: string, ignoreCase: boolean): StringTest {
  if (!ignoreCase) return (value) => value.startsWith(text);
  const folded = foldCase(text);
  return (value) => foldCase(value).startsWith(folded);
}

export function suffixTest(text: string, ignoreCase: boolean): StringTest {
  if (!ignoreCase) return (value) => value.endsWith(text);
  const folded = foldCase(text);
  return (value) => foldCase(value).endsWith(folded);
}

export function equalsIgnoreCaseTest(text: string): StringTest {
  const folded = foldCase(text);
  return (value) => foldCase(value) === folded;
}

export function wildcardTest(pattern: string, path: PatternPath): StringTest {
  try {
    return compileWildcard(pattern);
  } catch (error) {
    if (error instanceof WildcardSyntaxError) {
      throw new PatternError(path, `invalid wildcard pattern "${pattern}": ${error.message}`);
    }
    throw error;
  }
}

/**
 * `prefix` and `suffix` take either a string or `{"equals-ignore-case": string}` for a
 * case-insensitive affix. An empty affix is allowed and matches every string value, as in
 * EventBridge, where it reads "this field holds a string".
 */
export function compileAffix(operand: unknown, path: PatternPath, operator: 'prefix' | 'suffix'): ValueTest {
  const build = operator === 'prefix' ? prefixTest : suffixTest;
  if (typeof operand === 'string') return onStrings(build(operand, false));
  if (typeof operand === 'object' && operand !== null && !Array.isArray(operand)) {
    const keys = Object.keys(operand);
    const [inner] = keys;
    if (keys.length === 1 && inner === 'equals-ignore-case') {
      const innerPath = [...path, inner];
      const text = requireString(
        (operand as Record<string, unknown>)[inner],
        innerPath,
        `${operator}.${inner}`,
      );
      return onStrings(build(text, true));
    }
    const offending = keys.find((key) => key !== 'equals-ignore-case');
    throw new PatternError(
      offending === undefined ? path : [...path, offending],
      `"${operator}" takes a string or {"equals-ignore-case": string}` +
        (offending === undefined ? ', got an empty object' : `, not "${offending}"`),
    );
  }
  throw new PatternError(
    path,
    `"${operator}" expects a string or {"equals-ignore-case": string}, got ${describeValue(operand)}`,
  );
}
