import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { CloudEvent } from '../cloudevents/event.js';
import { BrokerError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { DeliveryOutcome, FunctionReply, Sink } from '../ports/sink.js';
import type { DueDelivery, EventStore } from '../ports/store.js';
import type { TraceContext } from '../tracing/trace-context.js';
import { NO_TRACING, type Tracing } from '../tracing/tracing.js';
import { backoffMs } from './backoff.js';
import { type DeliveryLogs, deliveryLogs } from './delivery-logs.js';
import { judgeReply } from './reply-hops.js';
import { RuntimeLeases } from './runtime-leases.js';
import { StorePause } from './store-pause.js';
import type { ReplyIntake, SubscriptionRuntime } from './types.js';

/** How often a subscription paused for the store looks again whether the store commits. */
const HEALTH_RECHECK_MS = 1000;

/**
 * Delivers one subscription's events, at most `concurrency` at a time, independently of
 * every other subscription: its own queue in the store, its own timers, its own in-flight
 * set. A slow sink only fills its own in-flight slots.
 */
export class SubscriptionWorker {
  private runtime: SubscriptionRuntime;
  /** Seqs of the deliveries in flight. */
  private readonly inflight = new Set<number>();
  /**
   * Aborted when a stop's grace runs out: one signal every delivery in flight listens to (each
   * sink attempt links its own timer-driven controller to it), not a controller per delivery.
   */
  private readonly shutdown = new AbortController();
  private readonly settled = new Set<Promise<void>>();
  private pumpScheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private running = true;
  /** Closes the sinks of a runtime replaced by a reload, or stopped, after its last delivery. */
  private readonly leases: RuntimeLeases;
  /** Set while the store failed this subscription: no delivery starts before it ends. */
  private readonly storePause = new StorePause();
  private readonly logs: DeliveryLogs;
  /** Deliveries appended since this worker started and not yet attempted (see `dispatchable`). */
  private fresh = 0;

  constructor(
    runtime: SubscriptionRuntime,
    private readonly store: EventStore,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly replies?: ReplyIntake,
    private readonly tracing: Tracing = NO_TRACING,
  ) {
    this.runtime = runtime;
    // Every delivery in flight listens to it: as many as the subscription's concurrency.
    setMaxListeners(0, this.shutdown.signal);
    this.leases = new RuntimeLeases(log);
    this.logs = deliveryLogs(
      log,
      () => this.runtime.name,
      () => this.waiting(),
    );
  }

  get name(): string {
    return this.runtime.name;
  }

  /** A reload changed the subscription: deliveries from now on use the new settings. */
  update(runtime: SubscriptionRuntime): void {
    if (runtime === this.runtime) return;
    // Deliveries in flight finish with the old sinks; those close after the last of them.
    this.leases.retire(this.runtime);
    this.runtime = runtime;
    this.wake();
  }

  /** `count` new deliveries were committed for this subscription. */
  added(count: number): void {
    this.fresh += count;
    this.wake();
  }

  /** Accepted deliveries not yet attempted (Dispatcher.dispatchBacklog). */
  notYetAttempted(): number {
    return this.fresh;
  }

  /** New deliveries may be due: look at the store soon (coalesced). */
  wake(): void {
    if (!this.running || this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /**
   * Stops taking deliveries; waits up to `graceMs` for those in flight, then aborts the rest.
   * An aborted delivery records nothing: it stays due in the store and is made again after
   * a restart (at least once). Then the sinks are closed (their connections released).
   */
  async stop(graceMs: number): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.logs.close();
    if (this.settled.size > 0) {
      const all = Promise.allSettled([...this.settled]);
      const graceTimer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
      if ((await Promise.race([all, graceTimer])) === 'timeout') {
        this.shutdown.abort(new Error('broker shutting down'));
        await all;
      }
    }
    this.leases.retire(this.runtime);
    await this.leases.closed();
  }

  /**
   * Starts as many due deliveries as there are free slots. It runs only from `wake` (setImmediate)
   * or a timer, never in the turn that settled a delivery, so a sink has released that delivery's
   * connection by then: a sink with exactly `concurrency` connections never queues a delivery
   * (docs/architecture.md, "The path of one event").
   */
  private pump(): void {
    if (!this.running || !this.store.isOpen()) return;
    const now = Date.now();
    if (this.paused(now)) return;
    const { concurrency } = this.runtime.delivery;
    const capacity = concurrency - this.inflight.size;
    if (capacity <= 0) return; // a finishing delivery wakes us
    let due: DueDelivery[];
    let next: number | undefined;
    try {
      due = this.store.due(this.runtime.name, now, capacity, this.inflight);
      if (due.length < capacity) next = this.store.nextDueAfter(this.runtime.name, now);
    } catch (err) {
      this.storeFailed(err, 'read due deliveries');
      return;
    }
    for (const delivery of due) this.start(delivery);
    if (next !== undefined) this.schedule(next);
  }

  /**
   * Whether no delivery may start now, and if so, when to look again. A delivery whose outcome
   * cannot be recorded would be due again at once and delivered again and again, so none starts
   * while this subscription's store pause lasts, nor while the store cannot commit at all (a
   * full disk refusing events, even before this subscription tried to record anything).
   */
  private paused(now: number): boolean {
    const until = this.storePause.pausedUntil;
    if (now < until) {
      this.schedule(until);
      return true;
    }
    if (this.store.health().status !== 'ok') {
      this.schedule(now + HEALTH_RECHECK_MS);
      return true;
    }
    return false;
  }

  /** The store failed to hand out or record a delivery: pause, longer each time (StorePause). */
  private storeFailed(err: unknown, operation: string): void {
    const until = this.storePause.failed(Date.now());
    this.logs.store.failed({ operation, error: (err as Error)?.message ?? String(err), resumeAt: until });
    this.schedule(until);
  }

  /** How many deliveries wait, for the summaries; left out when the store cannot say. */
  private waiting(): number | undefined {
    try {
      return this.store.isOpen() ? this.store.pending(this.runtime.name) : undefined;
    } catch {
      return undefined;
    }
  }

  private schedule(at: number): void {
    if (!this.running || at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.pump();
      },
      Math.max(0, at - Date.now()),
    );
  }

  private start(delivery: DueDelivery): void {
    if (delivery.attempts === 0 && delivery.phase === 'sink' && this.fresh > 0) this.fresh -= 1;
    const signal = this.shutdown.signal;
    this.inflight.add(delivery.seq);
    const runtime = this.runtime;
    this.leases.hold(runtime);
    const done = this.attempt(runtime, delivery, signal)
      .then(
        (recorded) => {
          if (recorded) this.logs.store.succeeded();
        },
        (err: unknown) => {
          // At least once: the delivery stays due in the store and is made again after the pause.
          if (!signal.aborted) this.storeFailed(err, 'record a delivery outcome');
        },
      )
      .finally(() => {
        this.leases.release(runtime);
        this.inflight.delete(delivery.seq);
        this.settled.delete(done);
        // Refill in batches, once half the slots are free: one store query then serves many
        // deliveries instead of one query per finished delivery.
        if (this.inflight.size <= Math.floor(this.runtime.delivery.concurrency / 2)) this.wake();
      });
    this.settled.add(done);
  }

  /** Resolves true once the outcome is recorded, false when the delivery was handed back. */
  private async attempt(
    runtime: SubscriptionRuntime,
    delivery: DueDelivery,
    signal: AbortSignal,
  ): Promise<boolean> {
    const toDeadLetterSink = delivery.phase === 'deadletter';
    const sink = toDeadLetterSink ? runtime.deadLetterSink : runtime.sink;
    if (!sink) {
      // The subscription lost its dead-letter sink in a reload: the dead letter stays listed.
      await this.store.deadLetterSinkFailed(
        runtime.name,
        delivery.seq,
        'dead-letter sink removed from the configuration',
      );
      return true;
    }
    const event = toDeadLetterSink ? this.deadLetterCopy(delivery) : delivery.event;
    // The attempt's span: its parent is the event's `traceparent`, its context goes to the
    // function as the request's (docs/architecture.md, "Tracing").
    const span = this.tracing.startDelivery({
      subscription: runtime.name,
      event,
      attempt: delivery.attempts + 1,
      phase: delivery.phase,
      destination: sink.destination,
    });
    const started = process.hrtime.bigint();
    let outcome: DeliveryOutcome;
    try {
      outcome = await sink.deliver(event, {
        signal,
        timeoutMs: runtime.delivery.timeoutMs,
        trace: span.context,
      });
    } catch (err) {
      if (signal.aborted) {
        span.abandon();
        return false; // handed back at shutdown
      }
      outcome = { kind: 'retryable', error: (err as Error).message };
    }
    this.metrics.deliveryDuration.observe(
      { subscription: runtime.name },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
    if (outcome.kind === 'ok' && outcome.reply) {
      let refused: string | undefined;
      try {
        refused = await this.takeReply(runtime, sink, event, outcome.reply, span.context);
      } catch (err) {
        // Not recorded: the delivery stays due and is made again.
        span.end({ kind: 'retryable', error: `the reply could not be stored: ${(err as Error).message}` });
        throw err;
      }
      if (refused !== undefined) outcome = { kind: 'permanent', error: refused, detail: outcome.detail };
    }
    span.end(outcome);
    await this.record(runtime, sink, delivery, outcome);
    return true;
  }

  /**
   * Ingests a function's reply before the delivery counts as done (docs/architecture.md,
   * "Replies"), or drops it when it is too many hops from the event that started the chain.
   * Returns why the reply was refused, which fails the delivery for good (a reply that is not a
   * CloudEvent, or one an EventSchema rejects: calling the function again would give the same);
   * throws when the store cannot commit it, so the delivery stays due and is made again.
   */
  private async takeReply(
    runtime: SubscriptionRuntime,
    sink: Sink,
    delivered: CloudEvent,
    reply: FunctionReply,
    trace: TraceContext | undefined,
  ): Promise<string | undefined> {
    const fields = {
      subscription: runtime.name,
      eventId: delivered.attributes['id'],
      eventSource: delivered.attributes['source'],
      destination: sink.destination,
    };
    if (!sink.replies || !this.replies) return undefined; // the sink does not take replies
    if (reply.kind === 'invalid') {
      this.metrics.replies.inc({ subscription: runtime.name, outcome: 'refused' });
      return `the function's reply is not a valid CloudEvent: ${reply.error}`;
    }
    const verdict = judgeReply(delivered, reply.event, sink.replies.maxHops);
    if (verdict.kind === 'drop') {
      this.metrics.replies.inc({ subscription: runtime.name, outcome: 'dropped_hops' });
      this.log.warn(
        {
          ...fields,
          replyId: reply.event.attributes['id'],
          replyType: reply.event.attributes['type'],
          hops: verdict.hops,
        },
        `reply dropped: ${verdict.reason}`,
      );
      return undefined;
    }
    try {
      await this.replies(verdict.event, runtime.name, trace);
    } catch (err) {
      if (err instanceof BrokerError && err.code === 'schema_violation') {
        this.metrics.replies.inc({ subscription: runtime.name, outcome: 'refused' });
        return `the function's reply was refused: ${err.detail}`;
      }
      throw err;
    }
    this.metrics.replies.inc({ subscription: runtime.name, outcome: 'ingested' });
    return undefined;
  }

  private async record(
    runtime: SubscriptionRuntime,
    sink: Sink,
    delivery: DueDelivery,
    outcome: DeliveryOutcome,
  ): Promise<void> {
    const phase = delivery.phase;
    const attempts = delivery.attempts + 1;
    const prefix = phase === 'deadletter' ? 'deadletter_' : '';
    // The sink protocol's own status (an HTTP status) for the log and the dead letter; 0 for none.
    const status = outcome.detail?.code ?? 0;
    if (outcome.kind === 'ok') {
      this.metrics.deliveries.inc({ subscription: runtime.name, outcome: `${prefix}ok` });
      this.logs.sink[phase].succeeded();
      await this.store.complete(runtime.name, delivery.seq, phase);
      return;
    }
    const logFields = {
      subscription: runtime.name,
      eventId: delivery.event.attributes['id'],
      eventSource: delivery.event.attributes['source'],
      destination: sink.destination,
      attempt: attempts,
      status,
      error: outcome.error,
    };
    // Every failed attempt is one debug line; the operator's lines are the per-subscription
    // summaries of delivery-logs.ts, so a sink outage is a few lines, not one per attempt.
    if (outcome.kind === 'retryable') this.logs.sink[phase].failed(logFields);
    if (outcome.kind === 'retryable' && attempts <= runtime.delivery.retry) {
      const wait = Math.max(backoffMs(runtime.delivery, attempts), outcome.retryAfterMs ?? 0);
      this.metrics.deliveries.inc({ subscription: runtime.name, outcome: `${prefix}retryable` });
      this.log.debug({ ...logFields, retryInMs: wait }, 'delivery failed, will retry');
      await this.store.reschedule(
        runtime.name,
        delivery.seq,
        attempts,
        Date.now() + wait,
        outcome.error,
        status,
      );
      this.schedule(Date.now() + wait);
      return;
    }
    const reason =
      outcome.kind === 'permanent'
        ? `permanent failure: ${outcome.error}`
        : `retries exhausted after ${attempts} attempts: ${outcome.error}`;
    if (phase === 'deadletter') {
      this.metrics.deliveries.inc({ subscription: runtime.name, outcome: 'deadletter_failed' });
      this.log.debug(logFields, 'dead-letter sink failed for good; the event stays in the dead-letter list');
      this.logs.lost[phase].failed({ ...logFields, reason });
      await this.store.deadLetterSinkFailed(runtime.name, delivery.seq, reason);
      return;
    }
    this.metrics.deliveries.inc({ subscription: runtime.name, outcome: outcome.kind });
    this.metrics.deliveries.inc({ subscription: runtime.name, outcome: 'deadlettered' });
    this.log.debug({ ...logFields, reason }, 'delivery failed for good; event dead-lettered');
    this.logs.lost[phase].failed({ ...logFields, reason });
    await this.store.deadLetter(
      {
        subscription: runtime.name,
        seq: delivery.seq,
        reason,
        status,
        error: outcome.error,
        dest: sink.destination,
        attempts,
        at: Date.now(),
      },
      runtime.deadLetterSink !== undefined,
    );
    if (runtime.deadLetterSink) this.wake();
  }

  /** The original event plus the dead-letter extensions the contract names. */
  private deadLetterCopy(delivery: DueDelivery): CloudEvent {
    const entry = this.store.deadLetterRecord(delivery.subscription, delivery.seq);
    return {
      data: delivery.event.data,
      attributes: {
        ...delivery.event.attributes,
        deadletterreason: entry?.reason ?? 'unknown',
        deadletterstatus: entry?.status ?? 0,
        deadletterdest: entry?.dest ?? this.runtime.sink.destination,
      },
    };
  }
}
