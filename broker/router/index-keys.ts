/**
 * The vocabulary of the router's index: the keys a subscription is filed under and the
 * necessary conditions built from them. Its own module so that the readers of a filter
 * (index-plan.ts for the filter list, pattern-conditions.ts for `pattern`, sql-conditions.ts for
 * `sql`) share the types without importing each other.
 */

/** A scalar of an event's JSON form, numbers in `canonicalNumber` form. */
export type HintValue = string | number | boolean | null;

/**
 * The numbers a `numeric` pattern condition accepts, in millionths (pattern/numbers.ts: both sides
 * of a comparison are rounded to millionths, so bounds in that unit compare exactly).
 */
export interface NumericRange {
  /** -Infinity when there is no lower bound. */
  readonly low: number;
  readonly lowInclusive: boolean;
  /** Infinity when there is no upper bound. */
  readonly high: number;
  readonly highInclusive: boolean;
}

export type IndexKey =
  /** The attribute's canonical string equals `value`. */
  | { readonly kind: 'exact'; readonly attribute: string; readonly value: string }
  /** The attribute's canonical string starts with `value`. */
  | { readonly kind: 'prefix'; readonly attribute: string; readonly value: string }
  /** The attribute's canonical string ends with `value`. */
  | { readonly kind: 'suffix'; readonly attribute: string; readonly value: string }
  /**
   * The event's JSON form holds a leaf equal to `value` at `path`, descending through arrays
   * (pattern semantics, as the keys below).
   */
  | { readonly kind: 'pattern'; readonly path: readonly string[]; readonly value: HintValue }
  /** A string leaf at `path` starts with `value`. */
  | { readonly kind: 'pattern-prefix'; readonly path: readonly string[]; readonly value: string }
  /** A string leaf at `path` ends with `value`. */
  | { readonly kind: 'pattern-suffix'; readonly path: readonly string[]; readonly value: string }
  /** A number leaf at `path` lies in `range`. */
  | { readonly kind: 'numeric'; readonly path: readonly string[]; readonly range: NumericRange }
  /** The field at `path` has at least one leaf (what every value test but `exists: false` needs). */
  | { readonly kind: 'present'; readonly path: readonly string[] }
  /** The field at `path` may have no leaf (`exists: false`). */
  | { readonly kind: 'absent'; readonly path: readonly string[] };

export type IndexKeyKind = IndexKey['kind'];

/** A disjunction: every event the subscription accepts satisfies at least one of these keys. */
export type NecessaryCondition = readonly IndexKey[];

/** A key's identity: JSON keeps "5" apart from 5 and "true" from true, as the indexes do. */
export function keyId(key: IndexKey): string {
  switch (key.kind) {
    case 'exact':
    case 'prefix':
    case 'suffix':
      return JSON.stringify([key.kind, key.attribute, key.value]);
    case 'pattern':
    case 'pattern-prefix':
    case 'pattern-suffix':
      return JSON.stringify([key.kind, key.path, key.value]);
    case 'numeric': {
      const { low, lowInclusive, high, highInclusive } = key.range;
      // JSON writes both infinities as null: String keeps them apart.
      return JSON.stringify([key.kind, key.path, String(low), lowInclusive, String(high), highInclusive]);
    }
    case 'present':
    case 'absent':
      return JSON.stringify([key.kind, key.path]);
  }
}
