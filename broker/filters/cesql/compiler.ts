/**
 * Compiles a syntax tree into a tree of closures, once per expression. Evaluating an event then
 * only calls closures: names are resolved, function overloads dispatched, LIKE patterns compiled
 * and constant subexpressions computed ahead of time.
 *
 * Error semantics (cesql.md §3.2, §3.3), applied uniformly by every operator and function:
 * - An operand whose evaluation reported an error (a missing attribute, a math error below it,
 *   ...) makes the operator yield the zero value of its own return type, without computing. So
 *   `missing / 0` is 0 with only a MissingAttributeError, `NOT missing` is false, and
 *   `true AND (1 != 1 / 0)` is false (conformance suite).
 * - An error the operator or function raises itself (casting an operand, dividing by zero, ABS of
 *   the minimum integer, LEFT with a negative count) yields the result the spec defines for it,
 *   computed with the cast results: `ABS(-2147483648)` is 2147483647, `NOT 10` is true.
 * - A missing attribute on its own evaluates to false: its type cannot be determined, so Boolean
 *   is assumed (§3.2).
 * - AND and OR short-circuit on the left operand (§3.4.2); an errored left operand counts as its
 *   zero value, false.
 */
import type { BinaryExpression, CallExpression, Expression, InExpression } from './ast.js';
import { hasAttribute, readAttribute } from './attributes.js';
import { castTo, castToBoolean, castToInteger, castToString } from './casts.js';
import { type CesqlError, missingAttributeError, missingFunctionError } from './errors.js';
import { EvaluationContext } from './evaluation-context.js';
import { parameterTypeAt, resolveFunction } from './functions.js';
import { negate } from './integers.js';
import { compileLikePattern } from './like.js';
import { arithmetic, compare, logicalNot, setContains, valuesEqual } from './operators.js';
import { type CesqlType, type CesqlValue, typeOfValue, ZERO_VALUES } from './types.js';

export type Evaluator = (context: EvaluationContext) => CesqlValue;

export interface CompiledNode {
  readonly evaluate: Evaluator;
  /** The static result type; `undefined` for a bare attribute, whose type depends on the event. */
  readonly type: CesqlType | undefined;
  /** True when the node reads no attribute, so its result is the same for every event. */
  readonly constant: boolean;
  /** Set when the node is constant and evaluates without errors: its one and only value. */
  readonly constantValue?: CesqlValue;
}

export function compileNode(node: Expression): CompiledNode {
  return foldConstant(compileUnfolded(node));
}

function compileUnfolded(node: Expression): CompiledNode {
  switch (node.kind) {
    case 'literal':
      return constantNode(node.value);
    case 'attribute':
      return compileAttribute(node.name);
    case 'exists': {
      const { name } = node;
      return {
        evaluate: (context) => hasAttribute(context.attributes, name),
        type: 'Boolean',
        constant: false,
      };
    }
    case 'not': {
      const operand = compileNode(node.operand);
      return strictUnary(operand, 'Boolean', (value, context) => logicalNot(value, context));
    }
    case 'negate': {
      const operand = compileNode(node.operand);
      return strictUnary(operand, 'Integer', (value, context) =>
        negate(castToInteger(value, context), context),
      );
    }
    case 'like': {
      const matches = compileLikePattern(node.pattern);
      const { negated } = node;
      // §3.4.3: a left operand that is not a String is cast to String.
      return strictUnary(
        compileNode(node.operand),
        'Boolean',
        (value) => matches(castToString(value)) !== negated,
      );
    }
    case 'in':
      return compileIn(node);
    case 'binary':
      return compileBinary(node);
    case 'call':
      return compileCall(node);
  }
}

function constantNode(value: CesqlValue): CompiledNode {
  return { evaluate: () => value, type: typeOfValue(value), constant: true, constantValue: value };
}

/**
 * Replaces a constant node by its value when it evaluates without errors. A constant node that
 * raises errors (`1 / 0`) is kept as it is, so that every evaluation reports them.
 */
function foldConstant(node: CompiledNode): CompiledNode {
  if (!node.constant || node.constantValue !== undefined) return node;
  const context = new EvaluationContext({}, false);
  const value = node.evaluate(context);
  return context.errors.length === 0 ? { ...constantNode(value), type: node.type } : node;
}

function compileAttribute(name: string): CompiledNode {
  return {
    evaluate: (context) => {
      const value = readAttribute(context.attributes, name);
      if (value !== undefined) return value;
      context.report(missingAttributeError(name));
      // §3.2: the type of a bare attribute cannot be determined, so the Boolean zero value.
      return false;
    },
    type: undefined,
    constant: false,
  };
}

/** A one-operand operator: an errored operand gives the zero value, otherwise `apply` computes. */
function strictUnary(
  operand: CompiledNode,
  type: CesqlType,
  apply: (value: CesqlValue, context: EvaluationContext) => CesqlValue,
): CompiledNode {
  const evaluateOperand = operand.evaluate;
  const zero = ZERO_VALUES[type];
  return {
    evaluate: (context) => {
      const before = context.errors.length;
      const value = evaluateOperand(context);
      return context.errors.length === before ? apply(value, context) : zero;
    },
    type,
    constant: operand.constant,
  };
}

/** A two-operand operator that evaluates both operands, left first. */
function strictBinary(
  left: CompiledNode,
  right: CompiledNode,
  type: CesqlType,
  apply: (x: CesqlValue, y: CesqlValue, context: EvaluationContext) => CesqlValue,
): CompiledNode {
  const evaluateLeft = left.evaluate;
  const evaluateRight = right.evaluate;
  const zero = ZERO_VALUES[type];
  return {
    evaluate: (context) => {
      const before = context.errors.length;
      const x = evaluateLeft(context);
      const y = evaluateRight(context);
      return context.errors.length === before ? apply(x, y, context) : zero;
    },
    type,
    constant: left.constant && right.constant,
  };
}

function compileBinary(node: BinaryExpression): CompiledNode {
  const left = compileNode(node.left);
  const right = compileNode(node.right);
  const { operator } = node;
  switch (operator) {
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
      return strictBinary(left, right, 'Integer', (x, y, context) => arithmetic(operator, x, y, context));
    case '<':
    case '<=':
    case '>':
    case '>=':
      return strictBinary(left, right, 'Boolean', (x, y, context) => compare(operator, x, y, context));
    case '=':
      return strictBinary(left, right, 'Boolean', (x, y, context) => valuesEqual(x, y, context));
    case '!=':
    case '<>':
      // §3.4.2: same as NOT (x = y), with the same implicit casts.
      return strictBinary(left, right, 'Boolean', (x, y, context) => !valuesEqual(x, y, context));
    case 'XOR':
      return strictBinary(
        left,
        right,
        'Boolean',
        (x, y, context) => castToBoolean(x, context) !== castToBoolean(y, context),
      );
    case 'AND':
      return shortCircuit(left, right, false);
    case 'OR':
      return shortCircuit(left, right, true);
  }
}

/**
 * AND (`decisive` false) and OR (`decisive` true): when the left operand, cast to Boolean, equals
 * the decisive value, the right operand is not evaluated (§3.4.2, §3.6).
 */
function shortCircuit(left: CompiledNode, right: CompiledNode, decisive: boolean): CompiledNode {
  const evaluateLeft = left.evaluate;
  const evaluateRight = right.evaluate;
  return {
    evaluate: (context) => {
      const before = context.errors.length;
      const leftValue = evaluateLeft(context);
      const leftFailed = context.errors.length !== before;
      const x = leftFailed ? false : castToBoolean(leftValue, context);
      if (x === decisive) return leftFailed ? false : decisive;
      const beforeRight = context.errors.length;
      const rightValue = evaluateRight(context);
      if (leftFailed || context.errors.length !== beforeRight) return false;
      return castToBoolean(rightValue, context);
    },
    type: 'Boolean',
    constant: left.constant && right.constant,
  };
}

function compileIn(node: InExpression): CompiledNode {
  const operand = compileNode(node.operand);
  const set = node.set.map(compileNode);
  const { negated } = node;
  const constantSet = set.every((element) => element.constantValue !== undefined)
    ? set.map((element) => element.constantValue as CesqlValue)
    : undefined;
  if (constantSet !== undefined) {
    const lookup = precomputedSetLookup(constantSet);
    return strictUnary(operand, 'Boolean', (value, context) => lookup(value, context) !== negated);
  }
  const evaluateOperand = operand.evaluate;
  const evaluators = set.map((element) => element.evaluate);
  return {
    evaluate: (context) => {
      const before = context.errors.length;
      const value = evaluateOperand(context);
      const elements = evaluators.map((evaluate) => evaluate(context));
      if (context.errors.length !== before) return false;
      return setContains(value, elements, context) !== negated;
    },
    type: 'Boolean',
    constant: operand.constant && set.every((element) => element.constant),
  };
}

/**
 * For a set of constants, the cast of every element to each possible left operand type is
 * computed once: membership becomes a Set lookup, and the cast errors (if the set has elements
 * that do not cast to that type) are replayed on each evaluation.
 */
function precomputedSetLookup(
  elements: readonly CesqlValue[],
): (needle: CesqlValue, context: EvaluationContext) => boolean {
  const byType = new Map<CesqlType, { values: Set<CesqlValue>; errors: CesqlError[] }>();
  for (const type of ['Boolean', 'Integer', 'String'] as const) {
    const errors: CesqlError[] = [];
    const sink = { report: (error: CesqlError) => errors.push(error) };
    byType.set(type, { values: new Set(elements.map((element) => castTo(element, type, sink))), errors });
  }
  return (needle, context) => {
    const entry = byType.get(typeOfValue(needle))!;
    for (const error of entry.errors) context.report(error);
    return entry.values.has(needle);
  };
}

function compileCall(node: CallExpression): CompiledNode {
  const args = node.args.map(compileNode);
  const definition = resolveFunction(node.name, args.length);
  if (definition === undefined) {
    // §3.5: an invocation that cannot be dispatched returns false with a MissingFunctionError.
    // The arguments are not evaluated: there is nothing to pass them to.
    const error = missingFunctionError(`there is no function ${node.name} taking ${args.length} argument(s)`);
    return {
      evaluate: (context) => {
        context.report(error);
        return false;
      },
      type: 'Boolean',
      constant: true,
    };
  }
  const evaluators = args.map((arg) => arg.evaluate);
  const parameterTypes = args.map((_, index) => parameterTypeAt(definition, index));
  const zero = ZERO_VALUES[definition.returns];
  const { call } = definition;
  return {
    evaluate: (context) => {
      const before = context.errors.length;
      const values = evaluators.map((evaluate) => evaluate(context));
      if (context.errors.length !== before) return zero;
      for (let index = 0; index < values.length; index++) {
        const type = parameterTypes[index];
        if (type !== undefined && type !== 'Any') values[index] = castTo(values[index]!, type, context);
      }
      return call(values, context);
    },
    type: definition.returns,
    constant: args.every((arg) => arg.constant),
  };
}
