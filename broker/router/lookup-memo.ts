/**
 * Remembers, per value of one attribute, the ids its exact, prefix and suffix lookups found, so that
 * a value seen before costs one hash lookup instead of a hash lookup and two trie walks. Event types
 * and sources repeat: a deployment has hundreds or thousands of them, not one per event. With
 * thousands of keys the tries no longer fit in the processor's caches and each walk costs cache
 * misses along its path, which is what the matcher's cost per event grew with; a remembered answer
 * is one entry, found in one place.
 *
 * The memo is bounded and gets out of the way where it does not pay:
 * - values longer than MAX_LENGTH are never remembered (a body may carry a huge attribute), nor
 *   answers of more than MAX_IDS ids, so the memory held is at most CAPACITY small answers;
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
/**
 * Answers of more ids than this are not remembered: with them the memo's memory would grow with
 * the subscriptions (a thousand sharing one prefix) times the values, and such a value costs its
 * direct lookup anyway in handing its ids over.
 */
export const MAX_IDS = 16;
/** Lookups a memo rests after its first failed attempt; doubled after each further one. */
export const FIRST_REST = 4 * CAPACITY;
const LONGEST_REST = 64 * CAPACITY;

/**
 * What a lookup found, as one small integer kept in the map entry itself: NOTHING, one id (>= 0),
 * or several ids (repeats possible; the sink deduplicates) stored in the memo's answer pool at
 * offset `-answer - 2` (a count, then the ids). A small integer needs no object of its own, so an
 * answer costs no memory access beyond the map entry that holds it.
 */
const NOTHING = -1;
/** Returned by `answer` for a value the memo does not handle: `hand` looks it up directly. */
export const DIRECT = -0x4000_0000;

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
  private found = new Map<string, number>();
  /** Answers of several ids: at each offset a count, then the ids. Cleared with `found`. */
  private pool = new Int32Array(256);
  private poolLength = 0;
  private readonly scratch = new Scratch();
  private hits = 0;
  private misses = 0;
  /** Lookups left to go straight to the index; 0 while remembering. */
  private resting = 0;
  private nextRest = FIRST_REST;

  /** @param lookUp the lookups being remembered: hands `into` the ids found for `value` */
  constructor(private readonly lookUp: (value: string, into: IdSink) => void) {}

  collect(value: string, into: IdSink): void {
    this.hand(this.answer(value), value, into);
  }

  /**
   * The remembered answer for `value`, remembering it first if it is new, or DIRECT when the value
   * is not for remembering (too long, or the memo is resting): `hand` then looks it up directly.
   * Answers are handed over by `hand`, which lets a caller find the answers for several attributes
   * before using any of them.
   */
  answer(value: string): number {
    if (this.resting > 0) {
      this.resting--;
      return DIRECT;
    }
    if (value.length > MAX_LENGTH) return DIRECT;
    let found = this.found.get(value);
    if (found === undefined) {
      found = this.remember(value);
      this.misses++; // after remember: a miss that starts the memo over counts in the new round
    } else {
      this.hits++;
    }
    return found;
  }

  /** Hands `into` the ids of what `answer` gave for `value`, before this memo's next `answer`. */
  hand(answer: number, value: string, into: IdSink): void {
    if (answer === DIRECT) this.lookUp(value, into);
    else if (answer >= 0) into.add(answer);
    else if (answer !== NOTHING) {
      const at = -answer - 2;
      into.addRange(this.pool, at + 1, at + 1 + this.pool[at]!);
    }
  }

  /** How the memo stands, for tests and diagnostics. */
  get state(): { remembered: number; resting: number } {
    return { remembered: this.found.size, resting: this.resting };
  }

  /** How many ints the answers of several ids take, for tests and diagnostics. */
  get pooled(): number {
    return this.poolLength;
  }

  private remember(value: string): number {
    if (this.found.size >= CAPACITY) this.startOver();
    const ids = this.scratch.ids;
    ids.length = 0;
    this.lookUp(value, this.scratch);
    const poolLength = this.poolLength;
    const found = ids.length === 0 ? NOTHING : ids.length === 1 ? ids[0]! : this.addToPool(ids);
    // Only while remembering: startOver may just have sent the memo to rest.
    if (this.resting === 0 && ids.length <= MAX_IDS) this.found.set(ownCopy(value), found);
    // An answer not kept stays readable past the pool's end until the next lookup overwrites it.
    else this.poolLength = poolLength;
    return found;
  }

  /** Stores several ids in the pool; returns their answer. */
  private addToPool(ids: readonly number[]): number {
    const at = this.poolLength;
    if (at + 1 + ids.length > this.pool.length) {
      const grown = new Int32Array(Math.max(2 * this.pool.length, at + 1 + ids.length));
      grown.set(this.pool.subarray(0, at));
      this.pool = grown;
    }
    this.pool[at] = ids.length;
    this.pool.set(ids, at + 1);
    this.poolLength = at + 1 + ids.length;
    return -at - 2;
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
    this.poolLength = 0;
    this.hits = 0;
    this.misses = 0;
  }
}
