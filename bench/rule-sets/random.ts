/**
 * A seeded pseudo-random source for the rule-set workload, so that every run (and every reader of
 * the written files) sees the same events and rules. mulberry32: small, fast, and good enough
 * to draw a workload; not for anything that needs statistical rigour.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [low, high]. */
  between(low: number, high: number): number {
    return low + this.below(high - low + 1);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }

  /** `count` distinct items, in random order (`count` at most `items.length`). */
  sample<T>(items: readonly T[], count: number): T[] {
    const copy = [...items];
    for (let i = 0; i < count; i++) {
      const j = i + this.below(copy.length - i);
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, count);
  }

  shuffle<T>(items: T[]): T[] {
    return this.sample(items, items.length);
  }
}

/**
 * Draws indexes in [0, n) with probability proportional to 1 / (rank + 1)^s (Zipf's law). `order`
 * lists the indexes from the most popular down (see `popularityOrder`), so that the events and the
 * rules of the workload can agree on which items are popular.
 */
export class Zipf {
  private readonly cumulative: Float64Array;

  constructor(
    private readonly order: readonly number[],
    s: number,
    private readonly random: Random,
  ) {
    this.cumulative = new Float64Array(order.length);
    let sum = 0;
    for (let rank = 0; rank < order.length; rank++) this.cumulative[rank] = sum += 1 / (rank + 1) ** s;
  }

  next(): number {
    const target = this.random.next() * this.cumulative[this.cumulative.length - 1]!;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.cumulative[middle]! < target) low = middle + 1;
      else high = middle;
    }
    return this.order[low]!;
  }
}

/** The indexes [0, n) from the most popular down: a fixed shuffle, so the popular items are spread. */
export function popularityOrder(n: number, seed: number): number[] {
  return new Random(seed).shuffle(Array.from({ length: n }, (_, i) => i));
}

/** Picks from `weighted` ([item, weight] pairs) in proportion to the weights. */
export function weighted<T>(random: Random, choices: readonly (readonly [T, number])[]): T {
  const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
  let target = random.next() * total;
  for (const [item, weight] of choices) {
    target -= weight;
    if (target < 0) return item;
  }
  return choices[choices.length - 1]![0];
}
