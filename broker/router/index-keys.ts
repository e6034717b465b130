/**
 * The vocabulary of the router's index: the keys a subscription is filed under and the
 * necessary conditions built from them. Its own module so that the readers of a filter
 * (index-plan.ts for the filter list and `pattern`, sql-conditions.ts for `sql`) share the types
 * without importing each other.
 */

/** A scalar of an event's JSON form, numbers in `canonicalNumber` form. */
export type HintValue = string | number | boolean | null;

export type IndexKey =
  /** The attribute's canonical string equals `value`. */
  | { readonly kind: 'exact'; readonly attribute: string; readonly value: string }
  /** The attribute's canonical string starts with `value`. */
  | { readonly kind: 'prefix'; readonly attribute: string; readonly value: string }
  /** The attribute's canonical string ends with `value`. */
  | { readonly kind: 'suffix'; readonly attribute: string; readonly value: string }
  /** The event's JSON form holds `value` at `path`, descending through arrays (pattern semantics). */
  | { readonly kind: 'pattern'; readonly path: readonly string[]; readonly value: HintValue };

/** A disjunction: every event the subscription accepts satisfies at least one of these keys. */
export type NecessaryCondition = readonly IndexKey[];
