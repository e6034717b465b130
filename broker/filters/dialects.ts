import { CesqlParseError, compileCesql } from './cesql/index.js';
import type { ExtraDialects } from './compile.js';
import { compilePattern, PatternError } from './pattern/index.js';

/** The optional filter dialects this build supports beyond the six required ones. */
export const EXTRA_DIALECTS: ExtraDialects = {
  /**
   * CESQL (subscriptions-api.md 3.2.4.1.2): true only when the expression yields Boolean
   * TRUE; an evaluation error makes the filter not match and is counted, never thrown.
   */
  sql(expression, path, report) {
    try {
      const compiled = compileCesql(expression);
      return (input) => {
        const { value, errors } = compiled.evaluate(input.attributes);
        if (errors.length === 0) return value === true;
        if (sqlErrorCounter) for (const e of errors) sqlErrorCounter(e.kind);
        return false;
      };
    } catch (err) {
      if (!(err instanceof CesqlParseError)) throw err;
      report(path, `sql: ${err.reason}`, { offset: err.offset });
      return undefined;
    }
  },
  pattern(pattern, path, report) {
    try {
      // A FilterInput is a PatternEvent: the compiled pattern is the predicate itself.
      return compilePattern(pattern).matchesEvent;
    } catch (err) {
      if (!(err instanceof PatternError)) throw err;
      report([...path, ...err.path], `pattern: ${err.reason}`);
      return undefined;
    }
  },
};

let sqlErrorCounter: ((kind: string) => void) | undefined;

/** Where CESQL evaluation errors are counted (the broker's metrics). */
export function countSqlErrorsWith(counter: ((kind: string) => void) | undefined): void {
  sqlErrorCounter = counter;
}
