import type { AttributeValue, CloudEvent } from '../../../broker/cloudevents/event.js';
import type { FilterSpec } from '../../../broker/config/types.js';
import { compileFilters, type ExtraDialects } from '../../../broker/filters/compile.js';
import { EXTRA_DIALECTS } from '../../../broker/filters/dialects.js';
import type { FilterInput } from '../../../broker/filters/input.js';
import type { IdSink } from '../../../broker/router/candidate-set.js';
import type { RoutedSubscription } from '../../../broker/router/router.js';

/**
 * The build's dialects, except that `sql` is an opaque, deterministic coin toss over the event's
 * attributes: the router must treat sql as a black box, so any predicate it cannot see into will
 * do, and this one needs no valid CESQL to be generated.
 */
export const TEST_DIALECTS: ExtraDialects = {
  ...EXTRA_DIALECTS,
  sql: (expression) => (input: FilterInput) => hash(expression + JSON.stringify(input.attributes)) % 3 === 0,
};

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Compiles filter lists the way the configuration does; problems (invalid patterns) are ignored. */
export function routed(
  subscriptions: readonly { name: string; filters: FilterSpec[] | undefined }[],
  dialects: ExtraDialects = TEST_DIALECTS,
): RoutedSubscription[] {
  return subscriptions.map(({ name, filters }) => ({
    name,
    filters,
    predicate: compileFilters(filters, ['spec', 'filters'], () => {}, dialects),
  }));
}

export function event(attributes: Record<string, AttributeValue>, data?: unknown): CloudEvent {
  return {
    attributes: { specversion: '1.0', id: '1', source: '/s', ...attributes },
    data: data === undefined ? { kind: 'none' } : { kind: 'json', value: data },
  };
}

/** An IdSink that keeps every id an index hands over, in order, repeats included. */
export class IdList implements IdSink {
  readonly ids: number[] = [];

  add(id: number): void {
    this.ids.push(id);
  }

  addAll(ids: readonly number[]): void {
    this.ids.push(...ids);
  }

  addRange(ids: Int32Array, from: number, to: number): void {
    for (let i = from; i < to; i++) this.ids.push(ids[i]!);
  }
}
