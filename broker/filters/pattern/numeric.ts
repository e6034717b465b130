/**
 * The `numeric` operator: one comparison (`["<", 10]`, `["=", 301.8]`) or a range written lower
 * bound first (`[">", 0, "<=", 5]`). It only matches JSON numbers, so the string "5" never
 * satisfies it. Precision and range limits are those in numbers.ts.
 */
import { describeValue, PatternError, type PatternPath } from './errors.js';
import type { ValueTest } from './exact.js';
import { isInNumericRange, NUMERIC_LIMIT, toMillionths } from './numbers.js';

/** A comparison against a bound already converted to millionths, applied to a value in millionths. */
type Comparison = (millionths: number) => boolean;

interface Operator {
  readonly symbol: string;
  readonly against: (bound: number) => Comparison;
}

const OPERATORS: ReadonlyMap<string, Operator> = new Map(
  (
    [
      ['=', (bound) => (value) => value === bound],
      ['<', (bound) => (value) => value < bound],
      ['<=', (bound) => (value) => value <= bound],
      ['>', (bound) => (value) => value > bound],
      ['>=', (bound) => (value) => value >= bound],
    ] as const satisfies readonly (readonly [string, Operator['against']])[]
  ).map(([symbol, against]) => [symbol, { symbol, against }]),
);
const LOWER_BOUNDS = new Set(['>', '>=']);
const UPPER_BOUNDS = new Set(['<', '<=']);
const SHAPE = 'expected [operator, number] or a range [">" or ">=", number, "<" or "<=", number]';

export function compileNumeric(operand: unknown, path: PatternPath): ValueTest {
  if (!Array.isArray(operand)) {
    throw new PatternError(path, `"numeric" expects an array, got ${describeValue(operand)}; ${SHAPE}`);
  }
  if (operand.length !== 2 && operand.length !== 4) {
    throw new PatternError(path, `"numeric" has ${operand.length} elements; ${SHAPE}`);
  }

  const lowerOperator = readOperator(operand, 0, path);
  const lowerBound = readBound(operand, 1, path);
  const first = lowerOperator.against(lowerBound);
  if (operand.length === 2) {
    return (value) => typeof value === 'number' && isInNumericRange(value) && first(toMillionths(value));
  }

  if (!LOWER_BOUNDS.has(lowerOperator.symbol)) {
    throw new PatternError(
      [...path, 0],
      `a numeric range must start with ">" or ">=", not "${lowerOperator.symbol}"`,
    );
  }
  const upperOperator = readOperator(operand, 2, path);
  if (!UPPER_BOUNDS.has(upperOperator.symbol)) {
    throw new PatternError(
      [...path, 2],
      `a numeric range must end with "<" or "<=", not "${upperOperator.symbol}"`,
    );
  }
  const upperBound = readBound(operand, 3, path);
  if (lowerBound >= upperBound) {
    throw new PatternError(
      [...path, 3],
      `the upper bound ${String(operand[3])} must be greater than the lower bound ${String(operand[1])}` +
        ' (compared to six decimal places)',
    );
  }
  const second = upperOperator.against(upperBound);
  return (value) => {
    if (typeof value !== 'number' || !isInNumericRange(value)) return false;
    const millionths = toMillionths(value);
    return first(millionths) && second(millionths);
  };
}

function readOperator(operand: readonly unknown[], index: number, path: PatternPath): Operator {
  const symbol = operand[index];
  const operator = typeof symbol === 'string' ? OPERATORS.get(symbol) : undefined;
  if (operator === undefined) {
    const shown = typeof symbol === 'string' ? `"${symbol}"` : describeValue(symbol);
    throw new PatternError(
      [...path, index],
      `${shown} is not a numeric operator; expected one of "=", "<", "<=", ">", ">="`,
    );
  }
  return operator;
}

/** A bound as a whole number of millionths, so that it compares exactly with rounded event values. */
function readBound(operand: readonly unknown[], index: number, path: PatternPath): number {
  const bound = operand[index];
  if (typeof bound !== 'number' || !Number.isFinite(bound)) {
    throw new PatternError(
      [...path, index],
      `a numeric bound must be a finite number, got ${describeValue(bound)}`,
    );
  }
  if (!isInNumericRange(bound)) {
    throw new PatternError(
      [...path, index],
      `${bound} is outside the range numeric matching supports (-${NUMERIC_LIMIT} to ${NUMERIC_LIMIT})`,
    );
  }
  return toMillionths(bound);
}
