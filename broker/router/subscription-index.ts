/**
 * The index side of the router: every kind of key, each in the structure that finds the keys an
 * event satisfies without looking at the keys it does not.
 */
import type { CloudEvent } from '../cloudevents/event.js';
import { flatString } from '../filters/flat.js';
import type { FilterInput } from '../filters/input.js';
import { AbsenceIndex } from './absence-index.js';
import { AttributeIndex } from './attribute-index.js';
import type { IdSink } from './candidate-set.js';
import type { IndexKey } from './index-keys.js';
import { PatternHintIndex } from './pattern-hint-index.js';

export class SubscriptionIndex {
  private readonly attributes = new AttributeIndex();
  private readonly patterns = new PatternHintIndex();
  private readonly absences = new AbsenceIndex();

  /** Files subscription `id` under `key`: events satisfying `key` will list it as a candidate. */
  add(key: IndexKey, id: number): void {
    // Strings flat, as the keys every event is looked up against (filters/flat.ts).
    switch (key.kind) {
      case 'exact':
      case 'prefix':
      case 'suffix':
        this.attributes.add(key.kind, key.attribute, flatString(key.value), id);
        break;
      case 'pattern':
        this.patterns.add(key.path, typeof key.value === 'string' ? flatString(key.value) : key.value, id);
        break;
      case 'pattern-prefix':
        this.patterns.keysAt(key.path).addPrefix(flatString(key.value), id);
        break;
      case 'pattern-suffix':
        this.patterns.keysAt(key.path).addSuffix(flatString(key.value), id);
        break;
      case 'numeric':
        this.patterns.keysAt(key.path).addRange(key.range, id);
        break;
      case 'present':
        this.patterns.keysAt(key.path).addPresent(id);
        break;
      case 'absent':
        this.absences.add(key.path, id);
        break;
    }
  }

  /** Hands `into` the ids filed under every key the event satisfies (an id may come more than once). */
  collect(event: CloudEvent, input: FilterInput, into: IdSink): void {
    this.attributes.collect(event.attributes, into);
    this.patterns.collect(event, input, into);
    if (this.absences.size > 0) this.absences.collect(event, input, into);
  }
}
