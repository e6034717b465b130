import type { Metrics } from './metrics.js';

/**
 * Recent delivery activity per subscription, for the console (`GET /admin/status`,
 * docs/reference/console.md): every `SAMPLE_INTERVAL_MS` the sampler reads the deliveries counter
 * the broker keeps anyway (metrics.ts) and the queue depths, and keeps the last `SAMPLES_KEPT`
 * intervals' counts in a small ring per subscription. It runs only while the admin API is on;
 * off, it holds no timer and no samples.
 */

/** How often the sampler reads the counters and depths. */
export const SAMPLE_INTERVAL_MS = 10_000;
/** How many intervals each subscription keeps: 30 of 10 s, the last 5 minutes. */
export const SAMPLES_KEPT = 30;

/** Delivery outcomes of one subscription, cumulative (totals) or over an interval (a point). */
export interface ActivityCounts {
  /** Deliveries the sink accepted. */
  delivered: number;
  /** Attempts that failed: retried, or the last one before the dead-letter list. */
  failed: number;
  /** Events that became dead letters. */
  deadLettered: number;
}

/** One interval of a subscription's activity. */
export interface ActivityPoint extends ActivityCounts {
  /** The end of the interval, ms since the epoch. */
  at: number;
  /** The interval's length in seconds (the last point of a series: from the last sample to now). */
  seconds: number;
  /** The queue depth at `at`; null when the store could not say. */
  depth: number | null;
}

/** What the console shows of one subscription. */
export interface SubscriptionActivity {
  name: string;
  /** Deliveries waiting or in flight now; null when the store could not say. */
  depth: number | null;
  /** Since the broker started. */
  totals: ActivityCounts;
  /** Oldest first; the last point is the interval under way, from the last sample to now. */
  history: ActivityPoint[];
}

const ZERO: ActivityCounts = { delivered: 0, failed: 0, deadLettered: 0 };

/**
 * The rings, fed with cumulative totals: pure (times are passed in), so the interval arithmetic
 * is tested without a clock. The first sample is a baseline and makes no point.
 */
export class ActivityHistory {
  private last: { at: number; totals: ReadonlyMap<string, ActivityCounts> } | undefined;
  private readonly rings = new Map<string, ActivityPoint[]>();

  constructor(private readonly capacity = SAMPLES_KEPT) {}

  /**
   * Records one sample: the cumulative totals of every subscription the counter knows, the queue
   * depths (undefined when the store could not answer) and the subscriptions configured now (a
   * removed subscription's ring is dropped).
   */
  record(
    at: number,
    totals: ReadonlyMap<string, ActivityCounts>,
    depths: ReadonlyMap<string, number> | undefined,
    names: readonly string[],
  ): void {
    const last = this.last;
    this.last = { at, totals };
    const configured = new Set(names);
    for (const name of this.rings.keys()) if (!configured.has(name)) this.rings.delete(name);
    if (!last) return;
    for (const name of names) {
      let ring = this.rings.get(name);
      if (!ring) {
        ring = [];
        this.rings.set(name, ring);
      }
      ring.push(pointOf(name, at, last, totals, depths ? (depths.get(name) ?? 0) : null));
      if (ring.length > this.capacity) ring.shift();
    }
  }

  /** The recorded intervals of `name`, oldest first, then the one under way until `at`. */
  series(name: string, at: number, totals: ReadonlyMap<string, ActivityCounts>, depth: number | null) {
    const ring = this.rings.get(name) ?? [];
    if (!this.last) return [...ring];
    return [...ring, pointOf(name, at, this.last, totals, depth)];
  }
}

function pointOf(
  name: string,
  at: number,
  last: { at: number; totals: ReadonlyMap<string, ActivityCounts> },
  totals: ReadonlyMap<string, ActivityCounts>,
  depth: number | null,
): ActivityPoint {
  const now = totals.get(name) ?? ZERO;
  const before = last.totals.get(name) ?? ZERO;
  return {
    at,
    seconds: Math.max(0, at - last.at) / 1000,
    // Counters only grow; max() keeps a point sane should one ever be reset.
    delivered: Math.max(0, now.delivered - before.delivered),
    failed: Math.max(0, now.failed - before.failed),
    deadLettered: Math.max(0, now.deadLettered - before.deadLettered),
    depth,
  };
}

/** What the sampler reads. */
export interface ActivitySource {
  /** Cumulative delivery counts per subscription (deliveryTotals). */
  totals(): Promise<ReadonlyMap<string, ActivityCounts>>;
  /** Queue depth per subscription; may throw when the store cannot answer. */
  depths(): ReadonlyMap<string, number>;
  /** The subscriptions of the running configuration, in configuration order. */
  names(): readonly string[];
}

/**
 * Samples on a timer while enabled. `setEnabled` follows the admin API (at start and after each
 * reload); turning it off stops the timer and forgets the samples.
 */
export class ActivitySampler {
  private timer: NodeJS.Timeout | undefined;
  private history = new ActivityHistory();

  constructor(
    private readonly source: ActivitySource,
    private readonly intervalMs = SAMPLE_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.timer !== undefined;
  }

  setEnabled(on: boolean): void {
    if (on === this.enabled) return;
    this.history = new ActivityHistory();
    if (!on) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
    void this.sample(); // the baseline
  }

  /** Every configured subscription's depth, totals and recent history, read now. */
  async subscriptions(): Promise<SubscriptionActivity[]> {
    const totals = await this.source.totals();
    const depths = this.depthsOrUndefined();
    const at = this.now();
    return this.source.names().map((name) => {
      const depth = depths ? (depths.get(name) ?? 0) : null;
      return {
        name,
        depth,
        totals: { ...(totals.get(name) ?? ZERO) },
        history: this.history.series(name, at, totals, depth),
      };
    });
  }

  private async sample(): Promise<void> {
    const history = this.history;
    let totals: ReadonlyMap<string, ActivityCounts>;
    try {
      totals = await this.source.totals();
    } catch {
      return; // the next tick tries again; the interval then spans both
    }
    // Turned off (or off and on again) while the totals were read: this sample is not for it.
    if (!this.enabled || history !== this.history) return;
    history.record(this.now(), totals, this.depthsOrUndefined(), this.source.names());
  }

  private depthsOrUndefined(): ReadonlyMap<string, number> | undefined {
    try {
      return this.source.depths();
    } catch {
      return undefined; // /metrics logs the store's trouble with depths; the console shows "?"
    }
  }
}

/**
 * The cumulative delivery counts per subscription, read from the deliveries counter
 * (`trigger_broker_deliveries_total`): `ok` is delivered, `retryable` and `permanent` are failed
 * attempts, `deadlettered` counts dead letters; the dead-letter sink's outcomes are left out.
 */
export async function deliveryTotals(metrics: Metrics): Promise<Map<string, ActivityCounts>> {
  const totals = new Map<string, ActivityCounts>();
  const { values } = await metrics.deliveries.get();
  for (const { labels, value } of values) {
    const name = labels.subscription;
    if (name === undefined) continue;
    const key = String(name);
    let counts = totals.get(key);
    if (!counts) {
      counts = { ...ZERO };
      totals.set(key, counts);
    }
    switch (labels.outcome) {
      case 'ok':
        counts.delivered += value;
        break;
      case 'retryable':
      case 'permanent':
        counts.failed += value;
        break;
      case 'deadlettered':
        counts.deadLettered += value;
        break;
    }
  }
  return totals;
}
