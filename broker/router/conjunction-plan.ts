/**
 * Which filter lists are a plain conjunction of field tests the router can check itself, without
 * running the compiled predicate: `exact {type: a, source: b}` (the most common trigger filter of
 * all, Knative's), a `not` of one such test, and patterns made only of exact values and nested
 * objects. The index files such a subscription under one of its keys as before; an event that
 * reaches it is then decided by comparing the event's fields with the terms, held packed in a few
 * arrays (conjunction-checks.ts), instead of by a chain of closures spread over the heap. With
 * thousands of subscriptions that chain is several cache misses per candidate, the main cost of an
 * evaluation, and the terms are one or two.
 *
 * Only forms whose meaning is exactly the conjunction of their terms are taken, read the way the
 * compiled filters read them (compile.ts, pattern/compile.ts); anything else gives undefined and the
 * predicate decides, which is always right:
 * - `exact`/`prefix`/`suffix` with one or more string values: one term per attribute, each true when
 *   the attribute is present and its canonical string equals (starts, ends with) the value;
 * - `not` of such a test on one attribute: the negated term (true also when the attribute is absent);
 * - `all`, and the filter list itself: the terms of every member;
 * - `pattern` whose every field holds a list of exact values or a nested object of such (no `$or`,
 *   no operator): one term per leaf field, its path and its values. Arrays in the event are not
 *   decided by the terms (a nested pattern must match one element of an array as a whole): the check
 *   gives up on them and the predicate decides.
 */
import type { FilterSpec } from '../config/types.js';
import type { Scalar } from '../filters/pattern/event-values.js';
import { distinctExactValues } from '../filters/pattern/exact.js';
import { compilePattern } from '../filters/pattern/index.js';
import { isPatternObject } from '../filters/pattern/pattern-object.js';

export type AttributeTermKind = 'exact' | 'prefix' | 'suffix';

export type Term =
  /** The attribute's canonical string equals (starts, ends with) `value`; negated: it does not, or is absent. */
  | {
      readonly kind: AttributeTermKind;
      readonly attribute: string;
      readonly value: string;
      readonly negated: boolean;
    }
  /** The pattern field at `path` holds one of `values` (numbers in canonical form). */
  | { readonly kind: 'pattern'; readonly path: readonly string[]; readonly values: readonly Scalar[] };

/** The terms whose conjunction is exactly the filter list, or undefined when it is not such a list. */
export function conjunctionTerms(filters: readonly FilterSpec[] | undefined): Term[] | undefined {
  if (filters === undefined || filters.length === 0) return undefined;
  const terms: Term[] = [];
  for (const filter of filters) if (!collectTerms(filter, terms)) return undefined;
  return terms;
}

/** Appends the terms of `filter` to `into`; false when the filter is not a conjunction of terms. */
function collectTerms(filter: unknown, into: Term[]): boolean {
  const only = onlyEntry(filter);
  if (only === undefined) return false;
  const [dialect, body] = only;
  switch (dialect) {
    case 'exact':
    case 'prefix':
    case 'suffix':
      return attributeTerms(dialect, body, false, into);
    case 'not': {
      const inner = onlyEntry(body);
      if (inner === undefined) return false;
      const [innerDialect, innerBody] = inner;
      if (innerDialect !== 'exact' && innerDialect !== 'prefix' && innerDialect !== 'suffix') return false;
      // `not` of two attributes is an `or` of two negations: not a conjunction.
      if (typeof innerBody !== 'object' || innerBody === null || Object.keys(innerBody).length !== 1)
        return false;
      return attributeTerms(innerDialect, innerBody, true, into);
    }
    case 'all':
      if (!Array.isArray(body) || body.length === 0) return false;
      return body.every((member) => collectTerms(member, into));
    case 'pattern':
      return patternTerms(body, into);
    default:
      return false; // sql, any, and anything unknown
  }
}

/**
 * The dialect and body of a filter object with exactly one own entry: compileFilter reads the first
 * entry, so an object with more is not one this can vouch for.
 */
function onlyEntry(filter: unknown): [string, unknown] | undefined {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) return undefined;
  const entries = Object.entries(filter);
  return entries.length === 1 ? entries[0] : undefined;
}

function attributeTerms(kind: AttributeTermKind, body: unknown, negated: boolean, into: Term[]): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const pairs = Object.entries(body);
  // An empty body passes every event (compile.ts `pairs.every`): no term says that.
  if (pairs.length === 0) return false;
  for (const [attribute, value] of pairs) {
    if (typeof value !== 'string') return false;
    into.push({ kind, attribute, value, negated });
  }
  return true;
}

function patternTerms(pattern: unknown, into: Term[]): boolean {
  try {
    compilePattern(pattern); // an invalid pattern never matches: leave it to its predicate
  } catch {
    return false;
  }
  return objectTerms(pattern, [], into);
}

function objectTerms(node: unknown, path: readonly string[], into: Term[]): boolean {
  if (!isPatternObject(node)) return false;
  for (const [field, value] of Object.entries(node)) {
    if (field === '$or') return false;
    const fieldPath = [...path, field];
    if (Array.isArray(value)) {
      if (!value.every(isLiteral)) return false; // an operator: its meaning is the predicate's
      into.push({ kind: 'pattern', path: fieldPath, values: distinctExactValues(value) });
    } else if (!objectTerms(value, fieldPath, into)) {
      return false;
    }
  }
  return true;
}

function isLiteral(entry: unknown): entry is Scalar {
  return (
    entry === null ||
    typeof entry === 'string' ||
    typeof entry === 'boolean' ||
    (typeof entry === 'number' && Number.isFinite(entry))
  );
}
