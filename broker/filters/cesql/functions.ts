/**
 * Built-in functions (cesql.md §3.5) and their dispatch by name and arity.
 *
 * A function declares parameter types; the evaluator casts each argument to its parameter type
 * before the call (§3.7: unary and n-ary functions are never ambiguous, so arguments are always
 * cast). `Any` parameters receive the argument unchanged. Implementations receive arguments of the
 * declared types and must always return a value of their return type, reporting errors to the sink
 * (§3.5.3).
 *
 * INT, BOOL, STRING, IS_BOOL and IS_INT are not in the v1 function tables, but §2 and §3.7 use
 * INT and STRING by name ("using the same semantics of INT"), and the conformance suite tests INT,
 * BOOL and STRING. They apply the §3.7 casts; IS_BOOL and IS_INT keep the meaning they had in the
 * draft that defined them: whether the value is of that type or a String that casts to it.
 */

import { castToBoolean, castToInteger, castToString, parseBoolean, parseInteger } from './casts.js';
import { characterLength, sliceCharacters } from './characters.js';
import { type ErrorSink, functionEvaluationError } from './errors.js';
import { absolute } from './integers.js';
import type { CesqlType, CesqlValue } from './types.js';

export type ParameterType = CesqlType | 'Any';

export interface FunctionDefinition {
  readonly name: string;
  /** Types of the fixed parameters. */
  readonly parameters: readonly ParameterType[];
  /** Type of every argument after the fixed ones, for variadic functions. */
  readonly variadic?: ParameterType;
  readonly returns: CesqlType;
  /** Called with arguments already cast to the parameter types. */
  readonly call: (args: readonly CesqlValue[], sink: ErrorSink) => CesqlValue;
}

// Dispatch guarantees the argument count and the cast guarantees each argument's type, so these
// accessors only tell the type checker what the declaration already ensures.
const text = (args: readonly CesqlValue[], index: number): string => args[index] as string;
const integer = (args: readonly CesqlValue[], index: number): number => args[index] as number;
const any = (args: readonly CesqlValue[], index: number): CesqlValue => args[index] as CesqlValue;

/** §3.5.1 TRIM: Unicode White_Space only (not U+FEFF, which String.prototype.trim also removes). */
const LEADING_OR_TRAILING_WHITESPACE = /^\p{White_Space}+|\p{White_Space}+$/gu;

export const BUILT_IN_FUNCTIONS: readonly FunctionDefinition[] = [
  {
    name: 'LENGTH',
    parameters: ['String'],
    returns: 'Integer',
    call: (args) => characterLength(text(args, 0)),
  },
  {
    name: 'CONCAT',
    parameters: [],
    variadic: 'String',
    returns: 'String',
    call: (args) => (args as readonly string[]).join(''),
  },
  {
    name: 'CONCAT_WS',
    parameters: ['String'],
    variadic: 'String',
    returns: 'String',
    call: (args) => (args as readonly string[]).slice(1).join(text(args, 0)),
  },
  { name: 'LOWER', parameters: ['String'], returns: 'String', call: (args) => text(args, 0).toLowerCase() },
  { name: 'UPPER', parameters: ['String'], returns: 'String', call: (args) => text(args, 0).toUpperCase() },
  {
    name: 'TRIM',
    parameters: ['String'],
    returns: 'String',
    call: (args) => text(args, 0).replace(LEADING_OR_TRAILING_WHITESPACE, ''),
  },
  {
    name: 'LEFT',
    parameters: ['String', 'Integer'],
    returns: 'String',
    call: (args, sink) => left(text(args, 0), integer(args, 1), sink),
  },
  {
    name: 'RIGHT',
    parameters: ['String', 'Integer'],
    returns: 'String',
    call: (args, sink) => right(text(args, 0), integer(args, 1), sink),
  },
  {
    name: 'SUBSTRING',
    parameters: ['String', 'Integer'],
    returns: 'String',
    call: (args, sink) => substring(text(args, 0), integer(args, 1), undefined, sink),
  },
  {
    name: 'SUBSTRING',
    parameters: ['String', 'Integer', 'Integer'],
    returns: 'String',
    call: (args, sink) => substring(text(args, 0), integer(args, 1), integer(args, 2), sink),
  },
  {
    name: 'ABS',
    parameters: ['Integer'],
    returns: 'Integer',
    call: (args, sink) => absolute(integer(args, 0), sink),
  },
  {
    name: 'INT',
    parameters: ['Any'],
    returns: 'Integer',
    call: (args, sink) => castToInteger(any(args, 0), sink),
  },
  {
    name: 'BOOL',
    parameters: ['Any'],
    returns: 'Boolean',
    call: (args, sink) => castToBoolean(any(args, 0), sink),
  },
  { name: 'STRING', parameters: ['Any'], returns: 'String', call: (args) => castToString(any(args, 0)) },
  {
    name: 'IS_BOOL',
    parameters: ['Any'],
    returns: 'Boolean',
    call: (args) => {
      const value = any(args, 0);
      return typeof value === 'boolean' || (typeof value === 'string' && parseBoolean(value) !== undefined);
    },
  },
  {
    name: 'IS_INT',
    parameters: ['Any'],
    returns: 'Boolean',
    call: (args) => {
      const value = any(args, 0);
      return typeof value === 'number' || (typeof value === 'string' && parseInteger(value) !== undefined);
    },
  },
];

/** §3.5.1 LEFT: the first `count` characters; `x` itself plus an error when `count` is negative. */
function left(value: string, count: number, sink: ErrorSink): string {
  if (count < 0) {
    sink.report(functionEvaluationError(`LEFT: the character count ${count} is negative`));
    return value;
  }
  return sliceCharacters(value, 0, count);
}

/** §3.5.1 RIGHT: the last `count` characters; `x` itself plus an error when `count` is negative. */
function right(value: string, count: number, sink: ErrorSink): string {
  if (count < 0) {
    sink.report(functionEvaluationError(`RIGHT: the character count ${count} is negative`));
    return value;
  }
  const length = characterLength(value);
  return count >= length ? value : sliceCharacters(value, length - count);
}

/**
 * §3.5.1 SUBSTRING(x, pos[, len]): `pos` counts from 1, or from the end when negative; `pos = 0`
 * gives the empty string. Out-of-range `pos` and negative `len` give the empty string and an
 * error. A negative `len` is an error even when `pos` is 0: the arguments are invalid either way.
 */
function substring(value: string, position: number, length: number | undefined, sink: ErrorSink): string {
  const valueLength = characterLength(value);
  if (position > valueLength || position < -valueLength) {
    sink.report(
      functionEvaluationError(
        `SUBSTRING: position ${position} is outside a string of ${valueLength} characters`,
      ),
    );
    return '';
  }
  if (length !== undefined && length < 0) {
    sink.report(functionEvaluationError(`SUBSTRING: the length ${length} is negative`));
    return '';
  }
  if (position === 0) return '';
  const start = position > 0 ? position - 1 : valueLength + position;
  return sliceCharacters(value, start, length === undefined ? undefined : start + length);
}

/**
 * Finds the overload of `name` (upper case) that accepts `arity` arguments: an exact fixed arity
 * first, then a variadic overload whose fixed parameters fit (§3.5 overloading rules).
 */
export function resolveFunction(
  name: string,
  arity: number,
  functions: readonly FunctionDefinition[] = BUILT_IN_FUNCTIONS,
): FunctionDefinition | undefined {
  let variadicMatch: FunctionDefinition | undefined;
  for (const definition of functions) {
    if (definition.name !== name) continue;
    if (definition.variadic === undefined) {
      if (definition.parameters.length === arity) return definition;
    } else if (arity >= definition.parameters.length) {
      variadicMatch = definition;
    }
  }
  return variadicMatch;
}

/** The type each argument is cast to before calling `definition`. */
export function parameterTypeAt(definition: FunctionDefinition, index: number): ParameterType {
  return definition.parameters[index] ?? definition.variadic ?? 'Any';
}

/**
 * §3.5: a name may have at most one variadic overload, and only if its fixed parameters outnumber
 * every other overload's arity; no two fixed overloads may share an arity. Returns the problems
 * found (empty when the set is valid). Used to check the built-in table.
 */
export function findOverloadConflicts(functions: readonly FunctionDefinition[]): string[] {
  const problems: string[] = [];
  const byName = new Map<string, FunctionDefinition[]>();
  for (const definition of functions) {
    byName.set(definition.name, [...(byName.get(definition.name) ?? []), definition]);
  }
  for (const [name, overloads] of byName) {
    const fixedArities = overloads.filter((o) => o.variadic === undefined).map((o) => o.parameters.length);
    const variadics = overloads.filter((o) => o.variadic !== undefined);
    if (new Set(fixedArities).size !== fixedArities.length)
      problems.push(`${name}: two overloads share an arity`);
    if (variadics.length > 1) problems.push(`${name}: more than one variadic overload`);
    for (const variadic of variadics) {
      if (fixedArities.some((arity) => arity >= variadic.parameters.length)) {
        problems.push(
          `${name}: the variadic overload needs more fixed parameters than every other overload's arity`,
        );
      }
    }
  }
  return problems;
}
