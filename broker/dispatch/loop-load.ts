import { performance } from 'node:perf_hooks';

/** How often the event loop's utilisation is sampled. */
const SAMPLE_MS = 100;
/** Above this share of the last sample spent running callbacks, the loop has no time to spare. */
const SATURATED = 0.9;

/**
 * Whether the main event loop is saturated: busy running callbacks for at least 90 % of the last
 * 100 ms (Node's event loop utilisation). Intake and delivery share the loop, so a dispatch
 * backlog that grows while the loop is saturated means intake is taking the time delivery needs;
 * one that grows while the loop idles is waiting for slow sinks, which the durable queue is for
 * (docs/architecture.md, "Back-pressure"). Sampling costs one timer per 100 ms, unref'd.
 */
export class LoopLoad {
  private last = performance.eventLoopUtilization();
  private lastUtilisation = 0;
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
    this.timer.unref();
  }

  /** The last sample's share of time spent running callbacks, 0 to 1. */
  get utilisation(): number {
    return this.lastUtilisation;
  }

  get saturated(): boolean {
    return this.lastUtilisation >= SATURATED;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    const now = performance.eventLoopUtilization();
    this.lastUtilisation = performance.eventLoopUtilization(now, this.last).utilization;
    this.last = now;
  }
}
