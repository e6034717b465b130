/**
 * Subscriptions given to the matcher library, checked and compiled exactly as a configuration's
 * Subscriptions are: the filter list's shape by the published schema (what the loader checks),
 * then each filter by the build's own dialects (what broker/compile/subscriptions.ts does). Every
 * problem of every subscription is collected, none stops the others from being checked.
 */
import { validateFilterListShape } from '../config/manifest-schema.js';
import type { FilterSpec } from '../config/types.js';
import { compileFilter, compileFilters, type ReportProblem } from '../filters/compile.js';
import { EXTRA_DIALECTS } from '../filters/dialects.js';
import { flatStrings } from '../filters/flat.js';
import type { RoutedSubscription } from '../router/router.js';
import type { FilterProblem } from './errors.js';

/** One subscription as the library takes it: a name and a Subscription's `filters` list. */
export interface MatcherSubscription {
  /** What `match` answers with; unique within one matcher. */
  readonly name: string;
  /** A Subscription's `spec.filters`: all must match; absent or empty matches every event. */
  readonly filters?: readonly FilterSpec[] | undefined;
}

export function compileSubscriptions(subscriptions: readonly MatcherSubscription[]): {
  routed: RoutedSubscription[];
  problems: FilterProblem[];
} {
  const problems: FilterProblem[] = [];
  const routed: RoutedSubscription[] = [];
  if (!Array.isArray(subscriptions)) {
    problems.push({
      index: 0,
      subscription: undefined,
      path: [],
      message: 'expected a list of subscriptions',
    });
    return { routed, problems };
  }
  const seen = new Set<string>();
  subscriptions.forEach((subscription: unknown, index) => {
    const problem = (name: string | undefined, path: readonly (string | number)[], message: string) =>
      problems.push({ index, subscription: name, path, message });
    if (typeof subscription !== 'object' || subscription === null || Array.isArray(subscription)) {
      problem(undefined, [], 'expected an object with a name and filters');
      return;
    }
    const { name, filters } = subscription as { name?: unknown; filters?: unknown };
    const usableName = typeof name === 'string' && name !== '' ? name : undefined;
    if (usableName === undefined) problem(undefined, [], 'name must be a non-empty string');
    else if (seen.has(usableName)) problem(usableName, [], 'name is used by an earlier subscription');
    else seen.add(usableName);

    if (filters !== undefined && !Array.isArray(filters)) {
      problem(usableName, [], 'filters must be a list of filters');
      return;
    }
    // A copy, so that a caller changing its objects later cannot change what the index holds.
    const specs = flatStrings((filters ?? []) as FilterSpec[]);
    const report: ReportProblem = (path, message, options) =>
      problem(
        usableName,
        path,
        options?.offset === undefined ? message : `${message} (at offset ${options.offset})`,
      );
    const violations = validateFilterListShape(specs);
    for (const v of violations) problem(usableName, v.path, v.message);
    if (violations.length > 0) {
      // As in a configuration, a filter that breaks the schema is not compiled (the compilers
      // assume the shape the schema guarantees), but the others are, so that their problems are
      // listed now rather than after the first ones are fixed.
      const broken = new Set(violations.map((v) => v.path[0]));
      specs.forEach((spec, i) => {
        if (!broken.has(i)) compileFilter(spec, [i], report, EXTRA_DIALECTS);
      });
      return;
    }
    const predicate = compileFilters(specs, [], report, EXTRA_DIALECTS);
    routed.push({ name: usableName ?? '', filters: specs, predicate });
  });
  // Listed by subscription, then by filter: a schema problem and a dialect's problem of the
  // same filter side by side.
  const filterIndex = (problem: FilterProblem) =>
    typeof problem.path[0] === 'number' ? problem.path[0] : -1;
  problems.sort((a, b) => a.index - b.index || filterIndex(a) - filterIndex(b));
  return { routed, problems };
}
