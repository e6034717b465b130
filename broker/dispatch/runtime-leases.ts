import type { Logger } from 'pino';
import type { Sink } from '../ports/sink.js';
import type { SubscriptionRuntime } from './types.js';

/**
 * Closes a subscription runtime's sinks once nothing can use them any more. Each sink owns what
 * it delivers through (an HTTP sink its connection pool), and every reload compiles new sinks;
 * deliveries started with the runtime a reload replaced keep its sinks until they settle, so the
 * old sinks close only after the last of them, never under a delivery in flight.
 */
export class RuntimeLeases {
  /** Deliveries in flight per runtime. */
  private readonly held = new Map<SubscriptionRuntime, number>();
  /**
   * Runtimes no new delivery will use. Kept after their sinks close, so a second `retire` (a
   * removed worker is stopped again at shutdown) does not close them twice.
   */
  private readonly retired = new WeakSet<SubscriptionRuntime>();
  private readonly closing = new Set<Promise<void>>();

  constructor(private readonly log: Logger) {}

  /** A delivery starts with `runtime`'s sinks. */
  hold(runtime: SubscriptionRuntime): void {
    this.held.set(runtime, (this.held.get(runtime) ?? 0) + 1);
  }

  /** A delivery that `hold` counted has settled. */
  release(runtime: SubscriptionRuntime): void {
    const left = (this.held.get(runtime) ?? 1) - 1;
    if (left > 0) {
      this.held.set(runtime, left);
      return;
    }
    this.held.delete(runtime);
    if (this.retired.has(runtime)) this.close(runtime);
  }

  /** No new delivery will use `runtime`: its sinks close now, or after its last delivery. */
  retire(runtime: SubscriptionRuntime): void {
    if (this.retired.has(runtime)) return;
    this.retired.add(runtime);
    if (!this.held.has(runtime)) this.close(runtime);
  }

  /** Resolves once the sinks of every runtime closed so far are closed. */
  async closed(): Promise<void> {
    await Promise.all([...this.closing]);
  }

  private close(runtime: SubscriptionRuntime): void {
    const sinks = new Set<Sink>([runtime.sink]);
    if (runtime.deadLetterSink) sinks.add(runtime.deadLetterSink);
    for (const sink of sinks) {
      if (!sink.close) continue;
      const done = sink
        .close()
        .catch((err: unknown) =>
          this.log.warn(
            { subscription: runtime.name, destination: sink.destination, err },
            'closing a replaced sink failed',
          ),
        )
        .finally(() => this.closing.delete(done));
      this.closing.add(done);
    }
  }
}
