/**
 * CESQL errors (cesql.md §3.3).
 *
 * Parse errors are thrown by the compiler, because an expression that does not parse cannot be
 * used at all. Every other error is a value: evaluation never throws, it returns a result together
 * with the list of errors that occurred, so they are plain objects (no stack trace is captured on
 * the per-event path).
 */

/** The error types every engine must support, named as the conformance suite names them. */
export type CesqlErrorKind =
  | 'parse'
  | 'math'
  | 'cast'
  | 'missingAttribute'
  | 'missingFunction'
  | 'functionEvaluation'
  | 'generic';

export type CesqlEvaluationErrorKind = Exclude<CesqlErrorKind, 'parse'>;

/** An error collected while evaluating an expression against one event. */
export interface CesqlError {
  readonly kind: CesqlEvaluationErrorKind;
  readonly message: string;
}

/** Where evaluation reports errors; the evaluation context implements it. */
export interface ErrorSink {
  report(error: CesqlError): void;
}

/**
 * An expression that is not valid CESQL. `offset` is the 0-based position of the fault counted in
 * Unicode characters (code points) from the start of the expression; a fault at the end of the
 * input has `offset === length`. CESQL has no lines (newlines are whitespace), so `column` is the
 * same number. `reason` is the explanation without the position.
 */
export class CesqlParseError extends Error {
  readonly kind = 'parse';
  readonly expression: string;
  readonly offset: number;
  readonly reason: string;

  constructor(expression: string, offset: number, reason: string) {
    super(`invalid CESQL expression at offset ${offset}: ${reason}`);
    this.name = 'CesqlParseError';
    this.expression = expression;
    this.offset = offset;
    this.reason = reason;
  }

  get column(): number {
    return this.offset;
  }
}

export function mathError(message: string): CesqlError {
  return { kind: 'math', message };
}

export function castError(message: string): CesqlError {
  return { kind: 'cast', message };
}

export function missingAttributeError(name: string): CesqlError {
  return { kind: 'missingAttribute', message: `attribute '${name}' is not present on the event` };
}

export function missingFunctionError(message: string): CesqlError {
  return { kind: 'missingFunction', message };
}

export function functionEvaluationError(message: string): CesqlError {
  return { kind: 'functionEvaluation', message };
}
