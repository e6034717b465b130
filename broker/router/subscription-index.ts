/**
 * The index side of the router: every kind of key, each in the structure that finds the keys an
 * event satisfies without looking at the keys it does not.
 */
import type { CloudEvent } from '../cloudevents/event.js';
import type { FilterInput } from '../filters/input.js';
import { AffixAttributeIndex, type BucketVisitor, ExactAttributeIndex } from './attribute-index.js';
import type { IndexKey } from './index-plan.js';
import { PatternHintIndex } from './pattern-hint-index.js';

export class SubscriptionIndex {
  private readonly exact = new ExactAttributeIndex();
  private readonly prefixes = new AffixAttributeIndex(false);
  private readonly suffixes = new AffixAttributeIndex(true);
  private readonly patterns = new PatternHintIndex();

  /** Files subscription `id` under `key`: events satisfying `key` will list it as a candidate. */
  add(key: IndexKey, id: number): void {
    switch (key.kind) {
      case 'exact':
        this.exact.add(key.attribute, key.value, id);
        break;
      case 'prefix':
        this.prefixes.add(key.attribute, key.value, id);
        break;
      case 'suffix':
        this.suffixes.add(key.attribute, key.value, id);
        break;
      case 'pattern':
        this.patterns.add(key.path, key.value, id);
        break;
    }
  }

  /** Visits the bucket of every key the event satisfies (a bucket may come up more than once). */
  collect(event: CloudEvent, input: FilterInput, visit: BucketVisitor): void {
    const attributes = event.attributes;
    this.exact.collect(attributes, visit);
    this.prefixes.collect(attributes, visit);
    this.suffixes.collect(attributes, visit);
    this.patterns.collect(event, input, visit);
  }
}
