import type { CloudEvent } from '../cloudevents/event.js';
import type { FilterSpec } from '../config/types.js';
import { type FilterInput, filterInput, type Predicate } from '../filters/input.js';
import { CandidateSet } from './candidate-set.js';
import { ConjunctionChecks, UNDECIDED, YES } from './conjunction-checks.js';
import { conjunctionTerms, type Term } from './conjunction-plan.js';
import type { IndexKeyKind } from './index-keys.js';
import { type NecessaryCondition, necessaryConditions, sufficientCondition } from './index-plan.js';
import { chooseIndexedConditions } from './key-selection.js';
import { SubscriptionIndex } from './subscription-index.js';

export interface RoutedSubscription {
  name: string;
  /** The filter list as configured, read only to find indexable necessary conditions. */
  filters: readonly FilterSpec[] | undefined;
  /** The compiled filter list: the source of truth for whether an event matches. */
  predicate: Predicate;
}

export interface RouterStats {
  subscriptions: number;
  /** Filed under a necessary key, evaluated only for events that satisfy it. */
  indexed: number;
  /** No indexable necessary condition: evaluated for every event. */
  alwaysEvaluated: number;
  /** Indexed under keys that decide the filter: matched by an index hit, never evaluated. */
  decidedByIndex: number;
  /** Filters that are a conjunction of plain field tests, checked without their predicate. */
  decidedByTerms: number;
  /**
   * Subscriptions filed under at least one key of each kind (one filed under a union of kinds, as
   * a `$or` may give, counts under each), to see which structures carry the set.
   */
  filedUnder: Partial<Record<IndexKeyKind, number>>;
}

/*
 * How the router decides a candidate subscription. 0, the default: by running its predicate.
 */
/** Reaching it through the index is the match (index-plan.ts `sufficientCondition`). */
const INDEX_DECIDES = 1;
/** Its filter is a conjunction of field tests (conjunction-plan.ts): checked from packed terms. */
const TERMS_DECIDE = 2;

/**
 * Answers which subscriptions an event must reach, in configuration order, as one matcher compiled
 * when the configuration loads. Each subscription is filed under one necessary condition
 * (index-plan.ts, key-selection.ts); an event gathers the subscriptions filed under keys it
 * satisfies, plus the few with no indexable condition, and only those are decided: by the index hit
 * itself, by their packed conjunction terms (conjunction-checks.ts), or else by their predicates.
 * The cost per event thus follows the event and the candidates it reaches, not the subscription count.
 */
export class Router {
  private readonly names: string[];
  private readonly predicates: Predicate[];
  private readonly index = new SubscriptionIndex();
  /** EVALUATE, INDEX_DECIDES or TERMS_DECIDE, by subscription id. */
  private readonly decision: Uint8Array;
  private readonly checks: ConjunctionChecks;
  /** Ids of subscriptions with no indexable necessary condition, ascending. */
  private readonly alwaysEvaluated: number[] = [];
  private readonly filedUnder: Partial<Record<IndexKeyKind, number>> = {};
  private readonly candidates: CandidateSet;
  /** Room for sorting every candidate of one event (sortAscending). */
  private readonly sortScratch: Int32Array;

  constructor(subscriptions: readonly RoutedSubscription[]) {
    this.names = subscriptions.map((s) => s.name);
    this.predicates = subscriptions.map((s) => s.predicate);
    const chosen = chooseIndexedConditions(subscriptions.map((s) => necessaryConditions(s.filters)));
    this.decision = new Uint8Array(subscriptions.length);
    const termsById: (Term[] | undefined)[] = [];
    subscriptions.forEach((subscription, id) => {
      // A deciding condition is also the only necessary one such a filter has, so filing the
      // subscription under it costs nothing in selectivity.
      const deciding = sufficientCondition(subscription.filters);
      const condition = deciding ?? chosen[id];
      const terms = deciding === undefined ? conjunctionTerms(subscription.filters) : undefined;
      // The term the subscription is filed under holds for every event that reaches it.
      termsById.push(terms && condition ? withoutImpliedTerm(terms, condition) : terms);
      if (deciding !== undefined) this.decision[id] = INDEX_DECIDES;
      else if (terms !== undefined) this.decision[id] = TERMS_DECIDE;
      if (condition === undefined) this.alwaysEvaluated.push(id);
      else this.file(condition, id);
    });
    this.checks = new ConjunctionChecks(termsById);
    this.candidates = new CandidateSet(subscriptions.length);
    this.sortScratch = new Int32Array(subscriptions.length);
  }

  /** Files subscription `id` under every key of `condition`, counting it once per kind. */
  private file(condition: NecessaryCondition, id: number): void {
    const kinds = new Set<IndexKeyKind>();
    for (const key of condition) {
      this.index.add(key, id);
      kinds.add(key.kind);
    }
    for (const kind of kinds) this.filedUnder[kind] = (this.filedUnder[kind] ?? 0) + 1;
  }

  match(event: CloudEvent): string[] {
    const input = filterInput(event);
    const candidates = this.candidates;
    candidates.clear();
    this.index.collect(event, input, candidates);
    candidates.addAll(this.alwaysEvaluated);
    const { found: ids, count } = candidates;
    // Ids are configuration positions: sorting them restores configuration order.
    sortAscending(ids, count, this.sortScratch);
    const { decision, predicates, names } = this;
    const matched: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = ids[i]!;
      const how = decision[id];
      if (
        how === INDEX_DECIDES ||
        (how === TERMS_DECIDE ? this.termsHold(id, input) : predicates[id]!(input))
      )
        matched.push(names[id]!);
    }
    return matched;
  }

  private termsHold(id: number, input: FilterInput): boolean {
    const verdict = this.checks.check(id, input);
    return verdict === YES || (verdict === UNDECIDED && this.predicates[id]!(input));
  }

  get stats(): RouterStats {
    const subscriptions = this.names.length;
    const alwaysEvaluated = this.alwaysEvaluated.length;
    let decidedByIndex = 0;
    let decidedByTerms = 0;
    for (const how of this.decision) {
      if (how === INDEX_DECIDES) decidedByIndex++;
      else if (how === TERMS_DECIDE) decidedByTerms++;
    }
    return {
      subscriptions,
      indexed: subscriptions - alwaysEvaluated,
      alwaysEvaluated,
      decidedByIndex,
      decidedByTerms,
      filedUnder: { ...this.filedUnder },
    };
  }
}

/**
 * `terms` without the one that an index hit on `condition` already proves, if there is one: an
 * attribute test filed under its own key (the index reads and compares the attribute as the test
 * does), or a pattern field filed under exactly its values (the hint index reads the field as the
 * pattern does, arrays included). A pattern string filed as an `exact` attribute key proves less
 * (that key also finds the integer 5 for "5"), so that term stays. A term sharing an array with the
 * dropped one still meets that array and leaves the event to the predicate, so dropping one term
 * never hides the rule that a nested pattern matches one array element as a whole.
 */
export function withoutImpliedTerm(terms: readonly Term[], condition: NecessaryCondition): Term[] {
  const implied = terms.findIndex((term) => {
    if (term.kind === 'pattern') {
      return (
        condition.length === term.values.length &&
        condition.every(
          (key) =>
            key.kind === 'pattern' &&
            key.path.length === term.path.length &&
            key.path.every((field, i) => field === term.path[i]) &&
            term.values.includes(key.value),
        )
      );
    }
    const [key] = condition;
    return (
      condition.length === 1 &&
      !term.negated &&
      key!.kind === term.kind &&
      key!.attribute === term.attribute &&
      key!.value === term.value
    );
  });
  return implied < 0 ? [...terms] : terms.filter((_, i) => i !== implied);
}

/**
 * The reference matcher: every subscription's predicate, one at a time. Same answers as `Router`
 * by definition; kept for tests and the benchmark to compare against.
 */
export class NaiveRouter {
  private readonly subscriptions: readonly RoutedSubscription[];

  constructor(subscriptions: readonly RoutedSubscription[]) {
    this.subscriptions = subscriptions;
  }

  match(event: CloudEvent): string[] {
    const input = filterInput(event);
    const matched: string[] = [];
    for (const sub of this.subscriptions) if (sub.predicate(input)) matched.push(sub.name);
    return matched;
  }
}

/**
 * Sorts `ids[0]` up to `ids[count]` in place. Candidates are usually a handful, for which an
 * insertion sort costs less than any call; past that, a typed array's own sort (numeric, in native
 * code, no comparator called per comparison) on a copy in `scratch`, which is large enough for
 * every id.
 */
function sortAscending(ids: number[], count: number, scratch: Int32Array): void {
  if (count > 16) {
    const sorted = scratch.subarray(0, count);
    for (let i = 0; i < count; i++) sorted[i] = ids[i]!;
    sorted.sort();
    for (let i = 0; i < count; i++) ids[i] = sorted[i]!;
    return;
  }
  for (let i = 1; i < count; i++) {
    const id = ids[i]!;
    let j = i - 1;
    while (j >= 0 && ids[j]! > id) {
      ids[j + 1] = ids[j]!;
      j--;
    }
    ids[j + 1] = id;
  }
}
