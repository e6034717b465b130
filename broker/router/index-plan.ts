/**
 * Which conditions of a subscription's filter list an index may use: only NECESSARY ones, that
 * every event the subscription accepts satisfies. An index built on them can only narrow the set
 * of subscriptions worth evaluating; the compiled predicate still decides.
 *
 * The filter list is read as a formula under a polarity (negated or not), so that `not` is handled
 * by De Morgan instead of being given up on:
 * - a top-level filter, a member of `all`, or each entry of an `exact`/`prefix`/`suffix` body is a
 *   conjunct: each of its necessary conditions is necessary for the whole;
 * - `any` of alternatives that are ALL indexable yields one condition, the union of one condition
 *   from each alternative (whichever alternative matched, its key is present); a single
 *   unindexable alternative makes the `any` give nothing;
 * - under `not`, polarity flips: `not all` is an `any` of negations, `not any` an `all` of them,
 *   and `not not x` is `x`. A negated leaf says what an event must NOT hold, which an index of
 *   present values cannot use, so it gives nothing;
 * - `pattern` contributes a condition per field it constrains, `$or` included: exact values,
 *   prefixes, suffixes, numeric ranges, a field's presence or absence (pattern-conditions.ts);
 *   `sql` contributes the plain string comparisons it requires (sql-conditions.ts); unknown
 *   dialects are opaque.
 */
import type { FilterSpec } from '../config/types.js';
import type { IndexKey, NecessaryCondition } from './index-keys.js';
import { patternConditions } from './pattern-conditions.js';
import { sqlConditions } from './sql-conditions.js';

export type { HintValue, IndexKey, NecessaryCondition, NumericRange } from './index-keys.js';

/**
 * The necessary conditions of a subscription's filter list, all of which hold for every event it
 * accepts. Empty when nothing indexable is necessary (no filters, only `sql`, only negations...).
 */
export function necessaryConditions(filters: readonly FilterSpec[] | undefined): NecessaryCondition[] {
  if (!filters) return [];
  return filters.flatMap((filter) => conditionsOf(filter, false));
}

/**
 * The condition that decides the filter list on its own, when there is one: the list is a single
 * `exact`, `prefix` or `suffix` on one attribute, or an `any` (or a one-member `all`) of such. An
 * event then matches exactly when it satisfies one of the keys, because the index reads and compares
 * the attribute as the compiled filter does (its canonical string; `startsWith`/`endsWith` in code
 * units), so the router can take an index hit as the answer and skip the predicate. Anything else
 * (two attributes, a pattern, sql, a negation) gives undefined: its keys are necessary, not
 * sufficient. A pattern's string hint on an attribute is not sufficient either: its exact key also
 * finds the integer 5 for "5", which the pattern rejects.
 */
export function sufficientCondition(
  filters: readonly FilterSpec[] | undefined,
): NecessaryCondition | undefined {
  if (filters?.length !== 1) return undefined;
  return decidingKeys(filters[0]);
}

function decidingKeys(filter: unknown): IndexKey[] | undefined {
  if (typeof filter !== 'object' || filter === null) return undefined;
  const entries = Object.entries(filter);
  // compileFilter reads the first entry; a filter with more is not one this can vouch for.
  if (entries.length !== 1) return undefined;
  const [dialect, body] = entries[0]!;
  switch (dialect) {
    case 'exact':
    case 'prefix':
    case 'suffix': {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
      const pairs = Object.entries(body);
      if (pairs.length !== 1) return undefined;
      const [attribute, value] = pairs[0]!;
      return typeof value === 'string' ? [{ kind: dialect, attribute, value }] : undefined;
    }
    case 'any': {
      if (!Array.isArray(body) || body.length === 0) return undefined;
      const union: IndexKey[] = [];
      for (const alternative of body) {
        const keys = decidingKeys(alternative);
        if (keys === undefined) return undefined;
        union.push(...keys);
      }
      return union;
    }
    case 'all':
      return Array.isArray(body) && body.length === 1 ? decidingKeys(body[0]) : undefined;
    default:
      return undefined;
  }
}

/**
 * The necessary conditions of `filter` holding (or, when `negated`, failing). Mirrors how
 * `compileFilter` reads a filter: its first own entry names the dialect. Anything malformed gives
 * nothing, which is always safe: fewer conditions only means more evaluation.
 */
function conditionsOf(filter: unknown, negated: boolean): NecessaryCondition[] {
  if (typeof filter !== 'object' || filter === null) return [];
  const [dialect, body] = Object.entries(filter)[0] ?? [];
  switch (dialect) {
    case 'exact':
    case 'prefix':
    case 'suffix':
      return negated ? [] : attributeConditions(dialect, body);
    case 'pattern':
      return negated ? [] : patternConditions(body, cheapestCondition);
    case 'not':
      return conditionsOf(body, !negated);
    case 'all':
      if (!Array.isArray(body)) return [];
      return negated ? unionOf(body, true) : body.flatMap((member) => conditionsOf(member, false));
    case 'any':
      if (!Array.isArray(body)) return [];
      return negated ? body.flatMap((member) => conditionsOf(member, true)) : unionOf(body, false);
    case 'sql':
      return negated ? [] : sqlConditions(body, cheapestCondition);
    default:
      return []; // anything unknown: opaque
  }
}

/** One condition from alternatives of which at least one holds, or none if any is unindexable. */
function unionOf(alternatives: readonly unknown[], negated: boolean): NecessaryCondition[] {
  if (alternatives.length === 0) return [];
  const union: IndexKey[] = [];
  for (const alternative of alternatives) {
    const best = cheapestCondition(conditionsOf(alternative, negated));
    if (best === undefined) return [];
    union.push(...best);
  }
  return [union];
}

/** Among conditions that all hold, the one whose keys are likely to narrow the most on their own. */
function cheapestCondition(conditions: readonly NecessaryCondition[]): NecessaryCondition | undefined {
  let best: NecessaryCondition | undefined;
  let bestCost = Number.POSITIVE_INFINITY;
  for (const condition of conditions) {
    let cost = 0;
    for (const key of condition) cost += keyWeight(key);
    if (cost < bestCost) {
      best = condition;
      bestCost = cost;
    }
  }
  return best;
}

/**
 * How unselective a key is expected to be, before knowing the other subscriptions: roughly the
 * share of events it lets through, on a scale where an exact value is 1. An exact value names one
 * bucket hit only by equal values; a prefix or suffix bucket is hit by every value that extends it,
 * more often the shorter it is; a numeric point is about as narrow as a value, a range with two
 * bounds narrower than one with a single bound, which typically admits half the numbers; a field's
 * presence admits every event that has the field, and its absence every event that lacks it (most
 * rules name fields that events usually carry, and an absence key costs a check per event, so it
 * comes last). The figures only order the kinds; key-selection.ts multiplies them by popularity.
 */
export function keyWeight(key: IndexKey): number {
  switch (key.kind) {
    case 'exact':
    case 'pattern':
      return 1;
    case 'prefix':
    case 'suffix':
    case 'pattern-prefix':
    case 'pattern-suffix':
      return 1 + 8 / Math.max(key.value.length, 1);
    case 'numeric': {
      const { low, high } = key.range;
      if (low === high) return 2;
      return low === -Infinity || high === Infinity ? 64 : 16;
    }
    case 'present':
      return 256;
    case 'absent':
      return 512;
  }
}

function attributeConditions(kind: 'exact' | 'prefix' | 'suffix', body: unknown): NecessaryCondition[] {
  if (typeof body !== 'object' || body === null) return [];
  const conditions: NecessaryCondition[] = [];
  for (const [attribute, value] of Object.entries(body)) {
    if (typeof value === 'string') conditions.push([{ kind, attribute, value }]);
  }
  return conditions;
}
