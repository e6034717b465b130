/**
 * The errors the matcher library throws: part of its public API (docs/reference/matcher.md), so
 * they carry plain data, never the broker's internal error types.
 */
import { formatPatternPath } from '../filters/pattern/index.js';

/** One thing wrong with the subscriptions given to `compileMatcher`. */
export interface FilterProblem {
  /** The subscription's position in the list given to `compileMatcher`. */
  readonly index: number;
  /** The subscription's name, when it has a usable one. */
  readonly subscription: string | undefined;
  /**
   * Where in the subscription's `filters` list: `[0, 'pattern', 'data', 'amount']` is the
   * `amount` field of the first filter's pattern; `[]` is the subscription itself (its name, or
   * a `filters` member that is not a list).
   */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Thrown by `compileMatcher` with every problem found in every subscription, not just the first. */
export class InvalidFiltersError extends Error {
  readonly problems: readonly FilterProblem[];

  constructor(problems: readonly FilterProblem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`invalid subscriptions (${count}):\n${problems.map(formatFilterProblem).join('\n')}`);
    this.name = 'InvalidFiltersError';
    this.problems = problems;
  }
}

/** `subscription "orders" (#0), filters/0/pattern/data/amount: message`, one line per problem. */
export function formatFilterProblem(problem: FilterProblem): string {
  const who =
    problem.subscription === undefined
      ? `subscription #${problem.index}`
      : `subscription ${JSON.stringify(problem.subscription)} (#${problem.index})`;
  // The path in JSON Pointer form, as pattern errors write it, under the subscription's `filters`.
  const where = problem.path.length === 0 ? '' : `, filters${formatPatternPath(problem.path)}`;
  return `${who}${where}: ${problem.message}`;
}

/**
 * Thrown by `match` for an event that is not one CloudEvent in the JSON format. `code` names the
 * rule broken, as the broker's own intake names it: `malformed_json`, `malformed_event`,
 * `missing_attribute`, `invalid_attribute`, `invalid_extension_name`, `unsupported_specversion`
 * or `invalid_data`; `detail` says which member is wrong.
 */
export class InvalidEventError extends Error {
  readonly code: string;
  readonly detail: string;

  constructor(code: string, detail: string, options?: { cause?: unknown }) {
    super(`${code}: ${detail}`, options);
    this.name = 'InvalidEventError';
    this.code = code;
    this.detail = detail;
  }
}
