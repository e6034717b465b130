/**
 * `trigger-broker/matcher`: the broker's subscription matcher as a library (docs/reference/matcher.md).
 *
 *   import { compileMatcher } from 'trigger-broker/matcher';
 *   const matcher = compileMatcher([{ name: 'big-orders', filters: [{ pattern: { data: { total: [{ numeric: ['>', 100] }] } } }] }]);
 *   matcher.match('{"specversion":"1.0","id":"1","source":"/shop","type":"order.placed","data":{"total":250}}'); // ['big-orders']
 *
 * Everything exported here is the package's public, semver-stable API; nothing else in `dist/`
 * is. Filters are compiled with the build's own dialects and indexed by the broker's own router,
 * so a library user and a running broker decide the same events the same way.
 */
import type { FilterSpec } from '../config/types.js';
import { Router } from '../router/router.js';
import { compileSubscriptions, type MatcherSubscription } from './compile-subscriptions.js';
import { InvalidFiltersError } from './errors.js';
import { readEvent } from './read-event.js';

export { type FilterProblem, InvalidEventError, InvalidFiltersError } from './errors.js';
export type { FilterSpec, MatcherSubscription };

export interface Matcher {
  /**
   * The names of the subscriptions whose filters all match `event`, in the order they were given.
   * `event` is one CloudEvent in the JSON format (json-format.md), as JSON text or as the value
   * JSON.parse made of it; throws `InvalidEventError` when it is not a valid CloudEvent.
   */
  match(event: string | object): string[];
}

/**
 * Compiles subscriptions into one matcher, once; matching then costs what the event reaches in
 * the index, not the number of subscriptions. Throws `InvalidFiltersError` listing every problem
 * of every subscription when any filter is invalid.
 */
export function compileMatcher(subscriptions: readonly MatcherSubscription[]): Matcher {
  const { routed, problems } = compileSubscriptions(subscriptions);
  if (problems.length > 0) throw new InvalidFiltersError(problems);
  const router = new Router(routed);
  return { match: (event) => router.match(readEvent(event)) };
}
