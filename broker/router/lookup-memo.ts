/**
 * Remembers, per value of one attribute, the ids its exact, prefix and suffix lookups found, so that
 * a value seen before costs one hash lookup instead of a hash lookup and two trie walks. Event types
 * and sources repeat: a deployment has hundreds or thousands of them, not one per event. With
 * thousands of keys the tries no longer fit in the processor's caches and each walk costs cache
 * misses along its path, which is what the matcher's cost per event grew with; a remembered answer
 * is one entry, found in one place.
 *
 * The memo is bounded and gets out of the way where it does not pay:
 * - values longer than MAX_LENGTH are never remembered (a body may carry a huge attribute);
 * - at CAPACITY values it is cleared and starts over, keeping the memory it holds bounded;
 * - if fewer than half its lookups hit between two clears (an attribute with a value per event,
 *   such as a device id in `source`), it rests: lookups go straight to the index for a while, twice
 *   as long after each failed attempt, so that a high-cardinality attribute costs almost nothing.
 *
 * The router is rebuilt, memo included, whenever the configuration changes, so no answer can outlive
 * the keys it came from.
 */
import type { IdSink } from './candidate-set.js';

/** Values longer than this (in code units) are looked up directly, never remembered. */
export const MAX_LENGTH = 128;
/** Values remembered at most between two clears. */
export const CAPACITY = 32_768;
/** Lookups a memo rests after its first failed attempt; doubled after each further one. */
export const FIRST_REST = 4 * CAPACITY;
const LONGEST_REST = 64 * CAPACITY;

/** What a lookup found: NOTHING, one id, or several (repeats possible; the sink deduplicates). */
type Found = number | Int32Array;
const NOTHING = -1;

/**
 * A flat copy of `value` that shares nothing with it: an attribute value may be a slice of a whole
 * request body, which the memo must not keep alive (and the benchmark must not find the very string
 * it looks up, as no live event would).
 */
function ownCopy(value: string): string {
  return JSON.parse(JSON.stringify(value)) as string;
}

/** Collects one lookup's ids, reused for every lookup. */
class Scratch implements IdSink {
  readonly ids: number[] = [];

  add(id: number): void {
    this.ids.push(id);
  }

  addAll(ids: readonly number[]): void {
    for (let i = 0; i < ids.length; i++) this.ids.push(ids[i]!);
  }

  addRange(ids: Int32Array, from: number, to: number): void {
    for (let i = from; i < to; i++) this.ids.push(ids[i]!);
  }
}

export class LookupMemo {
  private found = new Map<string, Found>();
  private readonly scratch = new Scratch();
  private hits = 0;
  private misses = 0;
  /** Lookups left to go straight to the index; 0 while remembering. */
  private resting = 0;
  private nextRest = FIRST_REST;

  /** @param lookUp the lookups being remembered: hands `into` the ids found for `value` */
  constructor(private readonly lookUp: (value: string, into: IdSink) => void) {}

  collect(value: string, into: IdSink): void {
    if (this.resting > 0) {
      this.resting--;
      this.lookUp(value, into);
      return;
    }
    if (value.length > MAX_LENGTH) {
      this.lookUp(value, into);
      return;
    }
    let found = this.found.get(value);
    if (found === undefined) {
      found = this.remember(value);
      this.misses++; // after remember: a miss that starts the memo over counts in the new round
    } else {
      this.hits++;
    }
    if (typeof found !== 'number') into.addRange(found, 0, found.length);
    else if (found !== NOTHING) into.add(found);
  }

  /** How the memo stands, for tests and diagnostics. */
  get state(): { remembered: number; resting: number } {
    return { remembered: this.found.size, resting: this.resting };
  }

  private remember(value: string): Found {
    if (this.found.size >= CAPACITY) this.startOver();
    const ids = this.scratch.ids;
    ids.length = 0;
    this.lookUp(value, this.scratch);
    const found = ids.length === 0 ? NOTHING : ids.length === 1 ? ids[0]! : Int32Array.from(ids);
    // Only while remembering: startOver may just have sent the memo to rest.
    if (this.resting === 0) this.found.set(ownCopy(value), found);
    return found;
  }

  /** Full: clear, and rest first if the values did not repeat enough to be worth remembering. */
  private startOver(): void {
    if (this.hits < this.misses) {
      this.resting = this.nextRest;
      this.nextRest = Math.min(this.nextRest * 2, LONGEST_REST);
    } else {
      this.nextRest = FIRST_REST;
    }
    this.found = new Map();
    this.hits = 0;
    this.misses = 0;
  }
}
