import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Told whether the queue-depth query worked, each time /metrics is read. */
export interface DepthsReport {
  ok(): void;
  failed(error: unknown): void;
}

/**
 * The broker's Prometheus metrics, on a registry of its own (not prom-client's global one),
 * so that two brokers in one process (tests) do not share counters.
 */
export function createMetrics(
  depths: () => Map<string, number>,
  subscriptionNames: () => string[],
  depthsReport?: DepthsReport,
) {
  const registry = new Registry();
  // Node's process metrics under the broker's prefix: trigger_broker_process_cpu_seconds_total,
  // trigger_broker_nodejs_eventloop_lag_seconds, ... (prom-client names them process_* and nodejs_*).
  collectDefaultMetrics({ register: registry, prefix: 'trigger_broker_' });
  const eventsAccepted = new Counter({
    name: 'trigger_broker_events_accepted_total',
    help: 'Events durably stored, by ingress (events, webhook:NAME, ...).',
    labelNames: ['ingress'] as const,
    registers: [registry],
  });
  const eventsRejected = new Counter({
    name: 'trigger_broker_events_rejected_total',
    help: 'Requests or messages refused, by ingress and reason (the error code).',
    labelNames: ['ingress', 'reason'] as const,
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'trigger_broker_deliveries_total',
    help: 'Delivery attempts by subscription and outcome (ok, retryable, permanent, deadlettered, deadletter_ok, deadletter_failed).',
    labelNames: ['subscription', 'outcome'] as const,
    registers: [registry],
  });
  const replies = new Counter({
    name: 'trigger_broker_replies_total',
    help: "Functions' reply events by subscription and outcome (ingested; dropped_hops: beyond the sink's maxHops or Knative's TTL; refused: not a valid CloudEvent, or refused by an EventSchema).",
    labelNames: ['subscription', 'outcome'] as const,
    registers: [registry],
  });
  const deliveryDuration = new Histogram({
    name: 'trigger_broker_delivery_duration_seconds',
    help: 'Time of one delivery attempt to a sink, by subscription.',
    labelNames: ['subscription'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const commitBatch = new Histogram({
    name: 'trigger_broker_store_commit_writes',
    help: 'Writes grouped into one store commit.',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    registers: [registry],
  });
  const commitDuration = new Histogram({
    name: 'trigger_broker_store_commit_seconds',
    help: 'Duration of one group commit.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  new Gauge({
    name: 'trigger_broker_queue_depth',
    help: 'Deliveries waiting or in flight, per subscription.',
    labelNames: ['subscription'] as const,
    registers: [registry],
    collect() {
      this.reset();
      // The only metric that asks the store: when the store cannot answer (a damaged file), the
      // gauge is left out of this scrape and every other metric is still served, never a 500.
      let counts: Map<string, number>;
      try {
        counts = depths();
      } catch (err) {
        depthsReport?.failed(err);
        return;
      }
      depthsReport?.ok();
      for (const name of subscriptionNames()) this.set({ subscription: name }, counts.get(name) ?? 0);
    },
  });
  const filterErrors = new Counter({
    name: 'trigger_broker_filter_errors_total',
    help: 'CESQL evaluation errors (the filter then does not match), by error kind.',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const connectorState = new Gauge({
    name: 'trigger_broker_connector_state',
    help: 'State of each message connector (1 for its current status).',
    labelNames: ['source', 'kind', 'status'] as const,
    registers: [registry],
  });
  /** Read at each scrape; set by the runtime once the parts that know them exist. */
  const observe: { loopUtilisation?: () => number; dispatchBacklog?: () => number } = {};
  new Gauge({
    name: 'trigger_broker_event_loop_utilisation',
    help: 'Share of the last 100 ms the main event loop spent running callbacks (intake is refused above 0.9 while the dispatch backlog is over its limit).',
    registers: [registry],
    collect() {
      if (observe.loopUtilisation) this.set(observe.loopUtilisation());
    },
  });
  new Gauge({
    name: 'trigger_broker_dispatch_backlog',
    help: 'Accepted deliveries not yet attempted, over all subscriptions.',
    registers: [registry],
    collect() {
      if (observe.dispatchBacklog) this.set(observe.dispatchBacklog());
    },
  });
  const adoptedSessions = new Gauge({
    name: 'trigger_broker_connector_adopted_sessions',
    help: 'Sessions of other shared-group members a connector is carrying while they are away (MQTT takeover).',
    labelNames: ['source', 'kind'] as const,
    registers: [registry],
  });
  const configReloads = new Counter({
    name: 'trigger_broker_config_reloads_total',
    help: 'Configuration reloads by result (applied, rejected).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  return {
    registry,
    eventsAccepted,
    eventsRejected,
    deliveries,
    replies,
    observe,
    deliveryDuration,
    commitBatch,
    commitDuration,
    configReloads,
    filterErrors,
    connectorState,
    adoptedSessions,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
