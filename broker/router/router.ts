import type { CloudEvent } from '../cloudevents/event.js';
import { filterInput, type Predicate } from '../filters/input.js';

export interface RoutedSubscription {
  name: string;
  predicate: Predicate;
}

/**
 * Answers which subscriptions an event must reach. Built once per configuration from
 * compiled predicates; the event's JSON form is shared by all of them.
 */
export class Router {
  private readonly subscriptions: readonly RoutedSubscription[];

  constructor(subscriptions: readonly RoutedSubscription[]) {
    this.subscriptions = subscriptions;
  }

  match(event: CloudEvent): string[] {
    const input = filterInput(event);
    const out: string[] = [];
    for (const sub of this.subscriptions) if (sub.predicate(input)) out.push(sub.name);
    return out;
  }
}
