/**
 * Operator objects in a value list, such as `{"prefix": "us-"}`: each has exactly one key naming
 * the operator, and compiles to a condition on the field's leaves.
 */

import { compileAnythingBut } from './anything-but.js';
import { parseCidr, parseIpAddress } from './cidr.js';
import { describeValue, PatternError, type PatternPath } from './errors.js';
import type { ValueTest } from './exact.js';
import { compileNumeric } from './numeric.js';
import {
  compileAffix,
  equalsIgnoreCaseTest,
  onStrings,
  requireString,
  wildcardTest,
} from './string-operators.js';

/**
 * `exists` is decided by whether the field has any leaf at all; every other operator tests leaves
 * one at a time and matches when any leaf passes.
 */
export type LeafCondition =
  | { readonly kind: 'exists'; readonly present: boolean }
  | { readonly kind: 'value'; readonly test: ValueTest };

type OperatorCompiler = (operand: unknown, path: PatternPath) => LeafCondition;

const valueCondition = (test: ValueTest): LeafCondition => ({ kind: 'value', test });

const OPERATORS: Readonly<Record<string, OperatorCompiler>> = {
  prefix: (operand, path) => valueCondition(compileAffix(operand, path, 'prefix')),
  suffix: (operand, path) => valueCondition(compileAffix(operand, path, 'suffix')),
  'equals-ignore-case': (operand, path) =>
    valueCondition(onStrings(equalsIgnoreCaseTest(requireString(operand, path, 'equals-ignore-case')))),
  wildcard: (operand, path) =>
    valueCondition(onStrings(wildcardTest(requireString(operand, path, 'wildcard'), path))),
  'anything-but': (operand, path) => valueCondition(compileAnythingBut(operand, path)),
  numeric: (operand, path) => valueCondition(compileNumeric(operand, path)),
  exists: compileExists,
  cidr: compileCidr,
};

/** Every operator name; also the names a `$or` branch may not use as field names. */
export const OPERATOR_NAMES: ReadonlySet<string> = new Set(Object.keys(OPERATORS));
const LISTED_NAMES = [...OPERATOR_NAMES].map((name) => `"${name}"`).join(', ');

/** Compiles `{"<operator>": operand}` found at `path` in a value list. */
export function compileOperator(object: Readonly<Record<string, unknown>>, path: PatternPath): LeafCondition {
  const keys = Object.keys(object);
  const [name] = keys;
  if (name === undefined) {
    throw new PatternError(path, `an empty object is not an operator; expected one of ${LISTED_NAMES}`);
  }
  const compile = Object.hasOwn(OPERATORS, name) ? OPERATORS[name] : undefined;
  if (compile === undefined) {
    throw new PatternError([...path, name], `unknown operator "${name}"; expected one of ${LISTED_NAMES}`);
  }
  if (keys.length > 1) {
    throw new PatternError(
      [...path, keys[1] ?? name],
      `an operator object holds exactly one operator; write "${name}" and "${keys[1]}" as separate entries`,
    );
  }
  return compile(object[name], [...path, name]);
}

function compileExists(operand: unknown, path: PatternPath): LeafCondition {
  if (typeof operand !== 'boolean') {
    throw new PatternError(path, `"exists" expects true or false, got ${describeValue(operand)}`);
  }
  return { kind: 'exists', present: operand };
}

function compileCidr(operand: unknown, path: PatternPath): LeafCondition {
  const parsed = parseCidr(requireString(operand, path, 'cidr'));
  if (!parsed.ok) throw new PatternError(path, parsed.reason);
  const { contains } = parsed;
  return valueCondition((leaf) => {
    if (typeof leaf !== 'string') return false;
    const address = parseIpAddress(leaf);
    return address !== undefined && contains(address);
  });
}
