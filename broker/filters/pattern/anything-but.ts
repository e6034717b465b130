/**
 * `anything-but`: matches a present value that is not excluded.
 *
 * Forms, as EventBridge documents them:
 * - a single string or number: `{"anything-but": "initializing"}`;
 * - a non-empty list of only strings or only numbers: `{"anything-but": [100, 200]}`;
 * - one inner operator, `prefix`, `suffix`, `equals-ignore-case` or `wildcard`, taking one string
 *   or a non-empty list of strings (any of which excludes): `{"anything-but": {"prefix": "init"}}`.
 *
 * Semantics:
 * - A missing field (or one holding only an object or an empty array) has no value to test and does
 *   not match; combine with `{"exists": false}` in the same value list to accept absence as well.
 * - For an array in the event, the field matches when any element is not excluded, following the
 *   "any element" rule used for every other operator.
 * - Values of another type are never excluded: `{"anything-but": "x"}` and
 *   `{"anything-but": {"prefix": "x"}}` both match the number 5 and null, and
 *   `{"anything-but": [100]}` matches the string "100".
 */
import { describeValue, PatternError, type PatternPath } from './errors.js';
import { equalsAnyOf, type ValueTest } from './exact.js';
import {
  equalsIgnoreCaseTest,
  prefixTest,
  requireString,
  type StringTest,
  suffixTest,
  wildcardTest,
} from './string-operators.js';

const INNER_OPERATORS: Readonly<Record<string, (text: string, path: PatternPath) => StringTest>> = {
  prefix: (text, path) => prefixTest(nonEmpty(text, path, 'prefix'), false),
  suffix: (text, path) => suffixTest(nonEmpty(text, path, 'suffix'), false),
  'equals-ignore-case': (text) => equalsIgnoreCaseTest(text),
  wildcard: (text, path) => wildcardTest(text, path),
};
const INNER_NAMES = Object.keys(INNER_OPERATORS)
  .map((name) => `"${name}"`)
  .join(', ');

export function compileAnythingBut(operand: unknown, path: PatternPath): ValueTest {
  const excluded = exclusionTest(operand, path);
  return (value) => !excluded(value);
}

function exclusionTest(operand: unknown, path: PatternPath): ValueTest {
  if (typeof operand === 'string') return equalsAnyOf([operand]);
  if (typeof operand === 'number') return equalsAnyOf([finite(operand, path)]);
  if (Array.isArray(operand)) return listExclusion(operand, path);
  if (typeof operand === 'object' && operand !== null) return innerExclusion(operand, path);
  throw new PatternError(
    path,
    `"anything-but" takes a string, a number, a list of strings or of numbers, or one of ${INNER_NAMES};` +
      ` got ${describeValue(operand)}`,
  );
}

function listExclusion(list: readonly unknown[], path: PatternPath): ValueTest {
  if (list.length === 0) {
    throw new PatternError(path, '"anything-but" needs at least one value to exclude');
  }
  const firstType = typeof list[0];
  for (const [index, value] of list.entries()) {
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new PatternError(
        [...path, index],
        `an "anything-but" list holds only strings or only numbers, not ${describeValue(value)}`,
      );
    }
    if (typeof value !== firstType) {
      throw new PatternError([...path, index], 'an "anything-but" list must not mix strings and numbers');
    }
    if (typeof value === 'number') finite(value, [...path, index]);
  }
  return equalsAnyOf(list as readonly (string | number)[]);
}

function innerExclusion(operand: object, path: PatternPath): ValueTest {
  const keys = Object.keys(operand);
  const [name] = keys;
  if (name === undefined) {
    throw new PatternError(path, `"anything-but" got an empty object; expected one of ${INNER_NAMES}`);
  }
  if (keys.length > 1) {
    throw new PatternError([...path, keys[1] ?? name], '"anything-but" takes exactly one inner operator');
  }
  const build = Object.hasOwn(INNER_OPERATORS, name) ? INNER_OPERATORS[name] : undefined;
  if (build === undefined) {
    throw new PatternError(
      [...path, name],
      `"anything-but" does not support "${name}"; expected one of ${INNER_NAMES}`,
    );
  }
  const innerPath = [...path, name];
  const inner: unknown = (operand as Record<string, unknown>)[name];
  const tests = Array.isArray(inner)
    ? innerList(inner, innerPath).map(([text, textPath]) => build(text, textPath))
    : [build(requireString(inner, innerPath, `anything-but.${name}`), innerPath)];
  return (value) => {
    if (typeof value !== 'string') return false;
    for (const test of tests) if (test(value)) return true;
    return false;
  };
}

/** The strings of an inner operator's list, each with its own path for error reporting. */
function innerList(list: readonly unknown[], path: PatternPath): [string, PatternPath][] {
  if (list.length === 0) throw new PatternError(path, 'the list needs at least one string');
  return list.map((text, index) => {
    const textPath = [...path, index];
    return [requireString(text, textPath, 'anything-but'), textPath];
  });
}

/** An empty prefix or suffix would exclude every string, which is never what the author meant. */
function nonEmpty(text: string, path: PatternPath, operator: string): string {
  if (text === '') throw new PatternError(path, `"anything-but" needs a non-empty "${operator}"`);
  return text;
}

function finite(value: number, path: PatternPath): number {
  if (!Number.isFinite(value)) throw new PatternError(path, `expected a finite number, got ${String(value)}`);
  return value;
}
