import type { AttributeValue } from '../../../../broker/cloudevents/event.js';
import {
  type CesqlEvaluationErrorKind,
  CesqlParseError,
  type CesqlValue,
  compileCesql,
} from '../../../../broker/filters/cesql/index.js';

/** A minimal valid event: the four required context attributes. */
export const BASE_EVENT: Readonly<Record<string, AttributeValue>> = {
  specversion: '1.0',
  id: 'event-1',
  source: 'https://example.com/source',
  type: 'com.example.created',
};

export interface Outcome {
  value: CesqlValue;
  errors: CesqlEvaluationErrorKind[];
}

/** Evaluates `expression` against the base event plus `extra` attributes; error kinds only. */
export function run(expression: string, extra: Record<string, AttributeValue> = {}): Outcome {
  const { value, errors } = compileCesql(expression).evaluate({ ...BASE_EVENT, ...extra });
  return { value, errors: errors.map((error) => error.kind) };
}

export function valueWithoutErrors(
  expression: string,
  extra: Record<string, AttributeValue> = {},
): CesqlValue {
  const outcome = run(expression, extra);
  if (outcome.errors.length > 0) throw new Error(`${expression} raised ${outcome.errors.join(', ')}`);
  return outcome.value;
}

/** The parse error `expression` raises; fails the test when it compiles. */
export function parseErrorOf(expression: string): CesqlParseError {
  try {
    compileCesql(expression);
  } catch (error) {
    if (error instanceof CesqlParseError) return error;
    throw error;
  }
  throw new Error(`expected a parse error for ${expression}`);
}
