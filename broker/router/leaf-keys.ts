/**
 * The keys filed under one field path of the event's JSON form, each kind in the structure that
 * finds the keys a leaf satisfies without looking at the others: exact values in a hash table,
 * prefixes and suffixes in tries (prefix-trie.ts), numeric ranges in a segment tree
 * (numeric-range-index.ts), and the subscriptions that only need the field to have a leaf in one
 * list. Each structure exists only once some subscription uses it.
 *
 * A field's leaves are what the pattern's value lists test (event-values.ts): the value when it is
 * a scalar, its scalar elements at any depth when it is an array, none when it is an object or
 * missing. Leaves are compared as pattern operators compare them: exact values with types kept
 * apart and numbers in `canonicalNumber` form, prefixes and suffixes on strings only in UTF-16 code
 * units, ranges on numbers only.
 */
import type { Scalar } from '../filters/pattern/event-values.js';
import { isScalar, leavesOf } from '../filters/pattern/event-values.js';
import { canonicalNumber } from '../filters/pattern/numbers.js';
import { addBucket, fileId, type IdBucket, type IdSink } from './candidate-set.js';
import type { HintValue, NumericRange } from './index-keys.js';
import { NumericRangeIndex } from './numeric-range-index.js';
import { AffixTrie } from './prefix-trie.js';

export class LeafKeys {
  private exact: Map<HintValue, IdBucket> | undefined;
  private prefixes: AffixTrie | undefined;
  private suffixes: AffixTrie | undefined;
  private ranges: NumericRangeIndex | undefined;
  private present: number[] | undefined;

  /** `value` must be in canonical form already (flat strings, canonical numbers). */
  addExact(value: HintValue, id: number): void {
    this.exact ??= new Map();
    fileId(this.exact, value, id);
  }

  addPrefix(text: string, id: number): void {
    this.prefixes ??= new AffixTrie(false);
    this.prefixes.add(text, id);
  }

  addSuffix(text: string, id: number): void {
    this.suffixes ??= new AffixTrie(true);
    this.suffixes.add(text, id);
  }

  addRange(range: NumericRange, id: number): void {
    this.ranges ??= new NumericRangeIndex();
    this.ranges.add(range, id);
  }

  addPresent(id: number): void {
    this.present ??= [];
    this.present.push(id);
  }

  /** Hands `into` the ids of every key that `value`, what the event holds at this path, satisfies. */
  collect(value: unknown, into: IdSink): void {
    if (isScalar(value)) {
      // The common case first: one leaf, without building the list of leaves.
      this.collectLeaf(value, into);
      if (this.present !== undefined) into.addAll(this.present);
      return;
    }
    if (!Array.isArray(value)) return; // an object or nothing: no leaf
    const leaves = leavesOf(value);
    for (let i = 0; i < leaves.length; i++) this.collectLeaf(leaves[i]!, into);
    if (leaves.length > 0 && this.present !== undefined) into.addAll(this.present);
  }

  private collectLeaf(leaf: Scalar, into: IdSink): void {
    const { exact } = this;
    if (typeof leaf === 'string') {
      if (exact !== undefined) lookUp(exact, leaf, into);
      this.prefixes?.walk(leaf, into);
      this.suffixes?.walk(leaf, into);
    } else if (typeof leaf === 'number') {
      if (exact !== undefined) lookUp(exact, canonicalNumber(leaf), into);
      this.ranges?.collect(leaf, into);
    } else if (exact !== undefined) {
      lookUp(exact, leaf, into);
    }
  }
}

function lookUp(exact: Map<HintValue, IdBucket>, value: HintValue, into: IdSink): void {
  const bucket = exact.get(value);
  if (bucket !== undefined) addBucket(into, bucket);
}
