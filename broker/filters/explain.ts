/**
 * `explain`: why a subscription's filters do or do not match an event. A second evaluator over the
 * same filter specifications and the same compiled parts as compile.ts (the CESQL program, the
 * pattern's value lists), mirroring each predicate step for step, but answering with the first
 * filter that failed and why: the attribute absent, its value, the CESQL result or error, the
 * pattern field. It is never on the routing path: the predicates stay the closures they are, and a
 * property test holds this evaluator to their answers (test/unit/filters/explain-property.test.ts).
 */
import type { FilterSpec } from '../config/types.js';
import { compileCesql } from './cesql/index.js';
import { canonicalString, type FilterInput } from './input.js';
import { explainPattern } from './pattern/explain.js';

/** Undefined when the filter matches, else why it does not, naming the filter by its path. */
export type FilterExplainer = (input: FilterInput) => string | undefined;

/** How the optional dialects explain themselves; undefined for an expression that does not compile. */
export interface ExplainDialects {
  sql?(expression: string): FilterExplainer | undefined;
  pattern?(pattern: unknown): FilterExplainer | undefined;
}

/** The build's dialects (dialects.ts), explained. */
export const EXPLAIN_DIALECTS: ExplainDialects = {
  sql(expression) {
    let compiled: ReturnType<typeof compileCesql>;
    try {
      compiled = compileCesql(expression);
    } catch {
      return undefined;
    }
    // The predicate: true only for a Boolean TRUE evaluated without errors (dialects.ts).
    return (input) => {
      const { value, errors } = compiled.evaluate(input.attributes);
      if (errors.length > 0)
        return `the expression failed: ${errors.map((e) => `${e.message} (${e.kind})`).join('; ')}`;
      if (value === true) return undefined;
      return value === false
        ? 'the expression evaluated to FALSE'
        : `the expression evaluated to ${cesqlLiteral(value)}, not TRUE`;
    };
  },
  pattern(pattern) {
    const explain = explainPattern(pattern);
    return (input) => explain(input);
  },
};

/**
 * Explains a subscription's filter list as `compileFilters` compiles it: every filter must match,
 * none means every event. The reason starts with the failing filter's path (`filters[1].any[0]`).
 */
export function explainFilters(
  specs: readonly FilterSpec[] | undefined,
  dialects: ExplainDialects = EXPLAIN_DIALECTS,
): FilterExplainer {
  if (!specs || specs.length === 0) return () => undefined;
  const parts = specs.map((spec, i) => explainFilter(spec, `filters[${i}]`, dialects));
  return (input) => {
    for (const part of parts) {
      const why = part(input);
      if (why !== undefined) return why;
    }
    return undefined;
  };
}

function explainFilter(spec: FilterSpec, at: string, dialects: ExplainDialects): FilterExplainer {
  const [dialect, body] = Object.entries(spec)[0] ?? [];
  const here = `${at}.${dialect ?? ''}`;
  switch (dialect) {
    case 'exact':
      return attributeTest(here, body as Record<string, string>, (v, s) => v === s, 'is not');
    case 'prefix':
      return attributeTest(
        here,
        body as Record<string, string>,
        (v, s) => v.startsWith(s),
        'does not start with',
      );
    case 'suffix':
      return attributeTest(
        here,
        body as Record<string, string>,
        (v, s) => v.endsWith(s),
        'does not end with',
      );
    case 'all': {
      const parts = (body as FilterSpec[]).map((f, i) => explainFilter(f, `${here}[${i}]`, dialects));
      return (input) => {
        for (const part of parts) {
          const why = part(input);
          if (why !== undefined) return why;
        }
        return undefined;
      };
    }
    case 'any': {
      const parts = (body as FilterSpec[]).map((f, i) => explainFilter(f, `${here}[${i}]`, dialects));
      return (input) => {
        const reasons: string[] = [];
        for (const part of parts) {
          const why = part(input);
          if (why === undefined) return undefined;
          reasons.push(why);
        }
        return `${here}: no alternative matched (${reasons.join('; ')})`;
      };
    }
    case 'not': {
      const inner = explainFilter(body as FilterSpec, here, dialects);
      return (input) =>
        inner(input) === undefined ? `${here}: the filter it negates matches (${describe(body)})` : undefined;
    }
    case 'sql': {
      const explain = dialects.sql?.(body as string);
      if (!explain) return never(here, 'the expression does not compile');
      return (input) => {
        const why = explain(input);
        return why === undefined ? undefined : `${here}: ${why}`;
      };
    }
    case 'pattern': {
      const explain = dialects.pattern?.(body);
      if (!explain) return never(here, 'the pattern does not compile');
      return (input) => {
        const why = explain(input);
        return why === undefined ? undefined : `${here}: ${why}`;
      };
    }
  }
  return never(at, `filter dialect "${dialect}" is not supported`);
}

/** compile.ts `attributeTest`: every named attribute must exist and pass; the first that does not. */
function attributeTest(
  at: string,
  entries: Record<string, string>,
  test: (value: string, expected: string) => boolean,
  fails: string,
): FilterExplainer {
  const pairs = Object.entries(entries);
  return (input) => {
    for (const [name, expected] of pairs) {
      const value = input.attributes[name];
      if (value === undefined) return `${at}: attribute ${JSON.stringify(name)} is absent`;
      const text = canonicalString(value);
      if (!test(text, expected))
        return `${at}: attribute ${JSON.stringify(name)} is ${JSON.stringify(text)}, which ${fails} ${JSON.stringify(expected)}`;
    }
    return undefined;
  };
}

function never(at: string, why: string): FilterExplainer {
  const reason = `${at}: ${why}`;
  return () => reason;
}

function describe(spec: unknown): string {
  const text = JSON.stringify(spec) ?? String(spec);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

function cesqlLiteral(value: string | number | boolean): string {
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}' (a String)`;
  if (typeof value === 'number') return `${value} (an Integer)`;
  return value ? 'TRUE' : 'FALSE';
}
