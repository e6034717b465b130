/**
 * Picks, for each subscription, the ONE necessary condition it is filed under, so that it lives in
 * as few buckets as possible (exactly one, unless the condition is a union) and is reached by as
 * few events as possible.
 *
 * The choice is made once, when the configuration loads, against the whole subscription set: a
 * key's cost is its kind's weight (exact beats a short prefix) times its popularity (how many
 * subscriptions could be filed under it). A subscription with `exact type` shared by a thousand
 * others and an `exact subject` of its own is filed under the subject, so events of that type do
 * not drag it in. Which condition is chosen never affects the answer, only the work.
 */
import { keyId } from './index-keys.js';
import { keyWeight, type NecessaryCondition } from './index-plan.js';

export { keyId } from './index-keys.js';

/** One entry per subscription: the condition to index it by, or undefined to always evaluate it. */
export function chooseIndexedConditions(
  plans: readonly (readonly NecessaryCondition[])[],
): (NecessaryCondition | undefined)[] {
  const popularity = new Map<string, number>();
  for (const conditions of plans) {
    const keys = new Set<string>();
    for (const condition of conditions) for (const key of condition) keys.add(keyId(key));
    for (const id of keys) popularity.set(id, (popularity.get(id) ?? 0) + 1);
  }

  return plans.map((conditions) => {
    let chosen: NecessaryCondition | undefined;
    let lowest = Number.POSITIVE_INFINITY;
    for (const condition of conditions) {
      let cost = 0;
      for (const key of condition) cost += keyWeight(key) * (popularity.get(keyId(key)) ?? 1);
      if (cost < lowest) {
        chosen = condition;
        lowest = cost;
      }
    }
    return chosen;
  });
}
