/**
 * CloudEvents SQL (CESQL v1, cesql.md): compile an expression once, evaluate it per event.
 *
 * ```ts
 * const filter = compileCesql("type LIKE 'com.example.%' AND INT(sequence) > 10");
 * filter.matches(event.attributes); // true only for a Boolean true without errors (§1.2)
 * filter.evaluate(event.attributes); // { value, errors }, never throws
 * ```
 */
import { compileNode } from './compiler.js';
import type { CesqlError } from './errors.js';
import { type CesqlAttributes, EvaluationContext, FailFastSignal } from './evaluation-context.js';
import { parseExpression } from './parser.js';
import type { CesqlType, CesqlValue } from './types.js';

export type { CesqlError, CesqlErrorKind, CesqlEvaluationErrorKind } from './errors.js';
export { CesqlParseError } from './errors.js';
export type { CesqlAttributes } from './evaluation-context.js';
export type { CesqlType, CesqlValue } from './types.js';

export interface CesqlResult {
  /** The value of the expression; the zero value of its type when errors prevented computing it. */
  value: CesqlValue;
  /** Every error raised during evaluation, in the order they occurred; empty when none. */
  errors: CesqlError[];
}

export interface CompiledCesql {
  readonly expression: string;
  /** The static type of the result, or `undefined` for a bare attribute reference. */
  readonly resultType: CesqlType | undefined;
  /** Evaluates in complete evaluation mode (§4.1): collects all errors, never throws. */
  evaluate(attributes: CesqlAttributes): CesqlResult;
  /**
   * The filter decision (§1.2): true only when the result is the Boolean `true` and no error
   * occurred. Evaluates in fail-fast mode (§4.1), stopping at the first error.
   */
  matches(attributes: CesqlAttributes): boolean;
}

/** Compiles `expression`; throws CesqlParseError when it is not valid CESQL. */
export function compileCesql(expression: string): CompiledCesql {
  const root = compileNode(parseExpression(expression));
  const evaluateRoot = root.evaluate;
  return {
    expression,
    resultType: root.type,
    evaluate(attributes) {
      const context = new EvaluationContext(attributes, false);
      const value = evaluateRoot(context);
      return { value, errors: context.errors };
    },
    matches(attributes) {
      const context = new EvaluationContext(attributes, true);
      try {
        return evaluateRoot(context) === true;
      } catch (signal) {
        if (signal === FailFastSignal.instance) return false;
        throw signal;
      }
    },
  };
}
