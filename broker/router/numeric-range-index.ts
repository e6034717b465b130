/**
 * The numeric ranges filed under one field path, and which of them contain a number: a segment
 * tree over the ranges' bounds. The distinct bounds cut the number line into elementary segments
 * (each bound on its own, and the open stretches between them); each range covers a run of
 * segments and is stored at the O(log n) tree nodes that cover that run exactly. A number finds its
 * segment by binary search over the bounds, then walks from that segment's leaf to the root handing
 * over the ids stored at each node: O(log n + matches) per number, whatever the ranges' overlap, and
 * O(n log n) ids stored. Sorted bounds with one list of ids per segment would answer with one read,
 * but store every wide range once per segment it covers, which grows with the square of the count
 * for half-open ranges such as `[">", x]`.
 *
 * Ranges and numbers are compared in millionths, as pattern/numeric.ts compares them; a number
 * outside the range numeric matching supports is in no range. The tree is built on the first lookup
 * after a range is added and packed into typed arrays (the ids of node k are ids[starts[k]] up to
 * ids[starts[k + 1]]).
 */
import { isInNumericRange, toMillionths } from '../filters/pattern/numbers.js';
import type { IdSink } from './candidate-set.js';
import type { NumericRange } from './index-keys.js';

interface Packed {
  /** The distinct finite bounds, ascending. */
  readonly bounds: Float64Array;
  /** The number of leaves, a power of two; node k has children 2k and 2k + 1, the root is 1. */
  readonly leaves: number;
  readonly starts: Int32Array;
  readonly ids: Int32Array;
}

export class NumericRangeIndex {
  private readonly ranges: NumericRange[] = [];
  private readonly owners: number[] = [];
  private packed: Packed | undefined;

  get size(): number {
    return this.ranges.length;
  }

  add(range: NumericRange, id: number): void {
    this.packed = undefined;
    this.ranges.push(range);
    this.owners.push(id);
  }

  /** Hands `into` the ids of every range that contains `value`. */
  collect(value: number, into: IdSink): void {
    if (!isInNumericRange(value)) return;
    this.packed ??= pack(this.ranges, this.owners);
    const { bounds, leaves, starts, ids } = this.packed;
    for (let node = leaves + segmentOf(bounds, toMillionths(value)); node >= 1; node >>= 1) {
      const from = starts[node]!;
      const to = starts[node + 1]!;
      if (from < to) into.addRange(ids, from, to);
    }
  }
}

/**
 * The elementary segment holding `millionths`: with bounds b0 < b1 < ..., segment 2i is the open
 * stretch below bi (above b(i-1)), segment 2i + 1 is bi itself, and the last one is above them all.
 */
function segmentOf(bounds: Float64Array, millionths: number): number {
  let low = 0;
  let high = bounds.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (bounds[middle]! < millionths) low = middle + 1;
    else high = middle;
  }
  return low < bounds.length && bounds[low] === millionths ? 2 * low + 1 : 2 * low;
}

function pack(ranges: readonly NumericRange[], owners: readonly number[]): Packed {
  const finite = new Set<number>();
  for (const { low, high } of ranges) {
    if (low !== -Infinity) finite.add(low);
    if (high !== Infinity) finite.add(high);
  }
  const bounds = Float64Array.from([...finite].sort((a, b) => a - b));
  const position = new Map<number, number>();
  bounds.forEach((bound, i) => {
    position.set(bound, i);
  });
  const segments = 2 * bounds.length + 1;
  let leaves = 1;
  while (leaves < segments) leaves *= 2;

  const lists: number[][] = Array.from({ length: 2 * leaves }, () => []);
  ranges.forEach((range, r) => {
    const first = range.low === -Infinity ? 0 : 2 * position.get(range.low)! + (range.lowInclusive ? 1 : 2);
    const last =
      range.high === Infinity ? segments - 1 : 2 * position.get(range.high)! + (range.highInclusive ? 1 : 0);
    // The nodes covering leaves first..last exactly, found bottom up.
    for (let left = first + leaves, right = last + leaves + 1; left < right; left >>= 1, right >>= 1) {
      if (left & 1) lists[left++]!.push(owners[r]!);
      if (right & 1) lists[--right]!.push(owners[r]!);
    }
  });

  const starts = new Int32Array(2 * leaves + 1);
  for (let node = 0; node < 2 * leaves; node++) starts[node + 1] = starts[node]! + lists[node]!.length;
  const ids = new Int32Array(starts[2 * leaves]!);
  lists.forEach((list, node) => {
    ids.set(list, starts[node]!);
  });
  return { bounds, leaves, starts, ids };
}
