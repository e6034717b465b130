import type { CloudEvent } from '../cloudevents/event.js';
import type { FilterSpec } from '../config/types.js';
import { filterInput, type Predicate } from '../filters/input.js';
import type { BucketVisitor } from './attribute-index.js';
import { CandidateSet } from './candidate-set.js';
import { necessaryConditions } from './index-plan.js';
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
}

/**
 * Answers which subscriptions an event must reach, in configuration order, as one matcher compiled
 * when the configuration loads. Each subscription is filed under one necessary condition
 * (index-plan.ts, key-selection.ts); an event gathers the subscriptions filed under keys it
 * satisfies, plus the few with no indexable condition, and only those run their predicates. The
 * cost per event thus follows the event and the candidates it reaches, not the subscription count.
 */
export class Router {
  private readonly names: string[];
  private readonly predicates: Predicate[];
  private readonly index = new SubscriptionIndex();
  /** Ids of subscriptions with no indexable necessary condition, ascending. */
  private readonly alwaysEvaluated: number[] = [];
  private readonly candidates: CandidateSet;
  /** Created once, so that collecting candidates allocates no closure per event. */
  private readonly addCandidates: BucketVisitor;

  constructor(subscriptions: readonly RoutedSubscription[]) {
    this.names = subscriptions.map((s) => s.name);
    this.predicates = subscriptions.map((s) => s.predicate);
    const chosen = chooseIndexedConditions(subscriptions.map((s) => necessaryConditions(s.filters)));
    chosen.forEach((condition, id) => {
      if (condition === undefined) this.alwaysEvaluated.push(id);
      else for (const key of condition) this.index.add(key, id);
    });
    const candidates = new CandidateSet(subscriptions.length);
    this.candidates = candidates;
    this.addCandidates = (bucket) => candidates.addAll(bucket);
  }

  match(event: CloudEvent): string[] {
    const input = filterInput(event);
    const candidates = this.candidates;
    candidates.clear();
    this.index.collect(event, input, this.addCandidates);
    candidates.addAll(this.alwaysEvaluated);
    const ids = candidates.ids;
    // Ids are configuration positions: sorting them restores configuration order.
    sortAscending(ids);
    const matched: string[] = [];
    for (const id of ids) if (this.predicates[id]!(input)) matched.push(this.names[id]!);
    return matched;
  }

  get stats(): RouterStats {
    const subscriptions = this.names.length;
    const alwaysEvaluated = this.alwaysEvaluated.length;
    return { subscriptions, indexed: subscriptions - alwaysEvaluated, alwaysEvaluated };
  }
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
 * Sorts in place. Candidates are usually a handful, for which an insertion sort costs less than
 * calling `Array.prototype.sort` with a comparator.
 */
function sortAscending(ids: number[]): void {
  if (ids.length > 16) {
    ids.sort((a, b) => a - b);
    return;
  }
  for (let i = 1; i < ids.length; i++) {
    const id = ids[i]!;
    let j = i - 1;
    while (j >= 0 && ids[j]! > id) {
      ids[j + 1] = ids[j]!;
      j--;
    }
    ids[j + 1] = id;
  }
}
