/**
 * Our rules in aws/event-ruler's rule language. A `pattern` filter is an EventBridge event
 * pattern over the event's JSON form: every context attribute at top level plus `data`
 * (broker/filters/pattern/index.ts), which is exactly the CloudEvent JSON text event-ruler is
 * given, so the pattern itself is the event-ruler rule. Only a list of exactly one `pattern`
 * filter translates; anything else (our own dialects, several filters) is refused, so the
 * benchmark cannot silently compare different rules.
 */
import type { FilterSpec } from '../../broker/config/types.js';

export function eventRulerRule(filters: readonly FilterSpec[]): string {
  const [only] = filters;
  if (filters.length !== 1 || only === undefined || !('pattern' in only)) {
    throw new Error(`no event-ruler rule for ${JSON.stringify(filters)}: expected one pattern filter`);
  }
  return JSON.stringify(only.pattern);
}
