import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import type { EventStore } from '../ports/store.js';
import { NO_TRACING, type Tracing } from '../tracing/tracing.js';
import { SubscriptionWorker } from './subscription-worker.js';
import type { ReplyIntake, SubscriptionRuntime } from './types.js';

/** Owns one worker per subscription and keeps the set in step with the configuration. */
export class Dispatcher {
  private readonly workers = new Map<string, SubscriptionWorker>();
  /** Workers of subscriptions removed by a reload, finishing what they had in flight. */
  private readonly retiring = new Set<SubscriptionWorker>();

  constructor(
    private readonly store: EventStore,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    /** Where functions' replies go (the ingestor); a dispatcher without one refuses replies. */
    private readonly replies?: ReplyIntake,
    /** A span per delivery attempt (docs/architecture.md, "Tracing"); none by default. */
    private readonly tracing: Tracing = NO_TRACING,
  ) {}

  /**
   * Applies a (re)loaded set of subscriptions. A changed subscription keeps its worker and
   * its queue, so nothing in flight is lost or sent twice; a removed one stops taking
   * deliveries (its queued deliveries stay in the store and resume if it comes back). Every
   * reload brings newly built sinks: the ones they replace, or those of a removed subscription,
   * are closed by their worker once the deliveries still using them have settled.
   */
  apply(subscriptions: readonly SubscriptionRuntime[]): void {
    const names = new Set(subscriptions.map((s) => s.name));
    for (const [name, worker] of this.workers) {
      if (names.has(name)) continue;
      this.workers.delete(name);
      this.retiring.add(worker);
      void worker.stop(30_000).finally(() => this.retiring.delete(worker));
    }
    for (const runtime of subscriptions) {
      const worker = this.workers.get(runtime.name);
      if (worker) worker.update(runtime);
      else {
        const created = new SubscriptionWorker(
          runtime,
          this.store,
          this.metrics,
          this.log,
          this.replies,
          this.tracing,
        );
        this.workers.set(runtime.name, created);
        created.wake(); // deliveries left from before a restart
      }
    }
  }

  private backlog = { value: 0, at: 0 };

  /** Deliveries were committed: how many for each subscription. */
  notify(added: ReadonlyMap<string, number>): void {
    for (const [name, count] of added) this.workers.get(name)?.added(count);
  }

  /**
   * Accepted deliveries not yet attempted, over every subscription. The ingestor refuses intake
   * (429) while this is over its limit and the event loop is saturated: then intake is taking
   * the time delivery needs (docs/architecture.md, "Back-pressure"). Summed at most once per
   * millisecond: intake asks for every request.
   */
  dispatchBacklog(now = performance.now()): number {
    if (now - this.backlog.at < 1) return this.backlog.value;
    let value = 0;
    for (const worker of this.workers.values()) value += worker.notYetAttempted();
    this.backlog = { value, at: now };
    return value;
  }

  subscriptionNames(): string[] {
    return [...this.workers.keys()];
  }

  async stop(graceMs: number): Promise<void> {
    await Promise.all([...this.workers.values(), ...this.retiring].map((w) => w.stop(graceMs)));
  }
}
