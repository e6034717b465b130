import type { FilterSpec } from '../config/types.js';
import type { PathSegment } from '../config/yaml-document.js';
import { flatStrings } from './flat.js';
import { canonicalString, type FilterInput, type Predicate } from './input.js';

/** Reports a problem at a path inside the manifest; `offset` points into a string value. */
export type ReportProblem = (
  path: readonly PathSegment[],
  message: string,
  options?: { offset?: number; key?: boolean },
) => void;

/** Compiles dialects beyond the required six (sql, pattern), plugged in by the router. */
export interface ExtraDialects {
  sql?(expression: string, path: readonly PathSegment[], report: ReportProblem): Predicate | undefined;
  pattern?(pattern: unknown, path: readonly PathSegment[], report: ReportProblem): Predicate | undefined;
}

const ALWAYS: Predicate = () => true;
const NEVER: Predicate = () => false;

/**
 * Turns one filter expression of the CloudEvents Subscriptions API (3.2.4) into a closure,
 * once per configuration. A filter that does not compile is reported and never matches.
 */
export function compileFilter(
  spec: FilterSpec,
  path: readonly PathSegment[],
  report: ReportProblem,
  extra: ExtraDialects,
): Predicate {
  const [dialect, body] = Object.entries(spec)[0] ?? [];
  const at = [...path, dialect ?? ''];
  switch (dialect) {
    case 'exact':
      return attributeTest(body as Record<string, string>, (v, s) => v === s);
    case 'prefix':
      return attributeTest(body as Record<string, string>, (v, s) => v.startsWith(s));
    case 'suffix':
      return attributeTest(body as Record<string, string>, (v, s) => v.endsWith(s));
    case 'all': {
      const parts = (body as FilterSpec[]).map((f, i) => compileFilter(f, [...at, i], report, extra));
      return (input) => parts.every((p) => p(input));
    }
    case 'any': {
      const parts = (body as FilterSpec[]).map((f, i) => compileFilter(f, [...at, i], report, extra));
      return (input) => parts.some((p) => p(input));
    }
    case 'not': {
      const inner = compileFilter(body as FilterSpec, at, report, extra);
      return (input) => !inner(input);
    }
    case 'sql':
      if (!extra.sql) break;
      return extra.sql(body as string, at, report) ?? NEVER;
    case 'pattern':
      if (!extra.pattern) break;
      return extra.pattern(body, at, report) ?? NEVER;
  }
  report(path, `filter dialect "${dialect}" is not supported`, { key: false });
  return NEVER;
}

/**
 * Compiles every filter of a subscription: all must match; none means every event. An entry
 * left undefined (set aside from a manifest that failed its schema, config/set-aside.ts, only
 * compiled for its other problems) is skipped, the others keeping their positions.
 */
export function compileFilters(
  specs: readonly (FilterSpec | undefined)[] | undefined,
  path: readonly PathSegment[],
  report: ReportProblem,
  extra: ExtraDialects,
): Predicate {
  if (!specs || specs.length === 0) return ALWAYS;
  // The compiled closures keep the configured strings to compare with every event (flat.ts).
  const parts = flatStrings(specs).flatMap((f, i) =>
    f === undefined ? [] : [compileFilter(f, [...path, i], report, extra)],
  );
  if (parts.length === 1) return parts[0]!;
  return (input: FilterInput) => parts.every((p) => p(input));
}

/**
 * exact/prefix/suffix: every named attribute must exist and pass. A missing attribute makes
 * the expression false (an absent attribute has no value to compare).
 */
function attributeTest(
  entries: Record<string, string>,
  test: (value: string, expected: string) => boolean,
): Predicate {
  const pairs = Object.entries(entries);
  if (pairs.length === 1) {
    const [name, expected] = pairs[0]!;
    return (input) => {
      const value = input.attributes[name];
      return value !== undefined && test(canonicalString(value), expected);
    };
  }
  return (input) =>
    pairs.every(([name, expected]) => {
      const value = input.attributes[name];
      return value !== undefined && test(canonicalString(value), expected);
    });
}
