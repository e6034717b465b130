import { type FSWatcher, watch } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ActivitySampler, deliveryTotals, SAMPLE_INTERVAL_MS, SAMPLES_KEPT } from './activity.js';
import type { RuntimeConfig } from './compile/compile.js';
import { readConfig } from './compile/read.js';
import { ConfigError, formatProblem } from './config/problem.js';
import { ConnectorSupervisor } from './connector-supervisor.js';
import { type DeadLetterOutcome, purgeDeadLetters, replayDeadLetters } from './deadletters/operations.js';
import type { DeadLetterRequest } from './deadletters/request.js';
import { Dispatcher } from './dispatch/dispatcher.js';
import { ADMISSION_LIMITS, IntakeAdmission } from './dispatch/intake-admission.js';
import { LoopLoad } from './dispatch/loop-load.js';
import { explainEvent } from './explain.js';
import { countSqlErrorsWith } from './filters/dialects.js';
import { createHttpServer } from './http/server.js';
import { Ingestor } from './ingest.js';
import { createMetrics } from './metrics.js';
import type { PluginSet } from './ports/plugins.js';
import type { StoreHealth } from './ports/store.js';
import { readinessOf } from './readiness.js';
import { storeBackend, storeLocation } from './store-location.js';
import { storeLogs } from './store-logs.js';
import { NO_TRACING, type Tracing } from './tracing/tracing.js';

export interface StartOptions {
  configDir: string;
  /** The connectors, sinks and store backends this build registered (plugins.ts). */
  plugins: PluginSet;
  port?: number;
  host?: string;
  dataDir?: string;
  log: Logger;
  /** How long a shutdown waits for in-flight deliveries before handing them back. */
  shutdownGraceMs?: number;
  /**
   * Spans for ingest, routing and delivery (tracing/load.ts reads the OTEL_* environment); none
   * by default. The broker shuts it down when it stops.
   */
  tracing?: Tracing;
}

export interface RunningBroker {
  port: number;
  host: string;
  stop(): Promise<void>;
  /** Re-reads the configuration now (also done on file changes). Resolves true when applied. */
  reload(): boolean;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Starts the broker: configuration (refused whole when any manifest has a problem), store,
 * dispatcher, HTTP server and the configuration watcher.
 */
export async function startBroker(options: StartOptions): Promise<RunningBroker> {
  const { log } = options;
  const tracing = options.tracing ?? NO_TRACING;
  const configDir = resolve(options.configDir);
  const { plugins } = options;
  const first = readConfig(options.configDir, 'resolve', plugins);
  if (!first.config) throw new ConfigError(first.problems);
  let config: RuntimeConfig = first.config;

  const settings = config.broker;
  // The rule `deadletters` follows too, so that it finds this store for the same arguments.
  const location = storeLocation({ type: settings.storeType, path: settings.storePath }, options.dataDir);
  const storeDir = location.dir;
  let metricsRef: ReturnType<typeof createMetrics> | undefined;
  const storeLog = storeLogs(log);
  const store = storeBackend(plugins, location.type).open({
    dir: storeDir,
    synchronous: settings.synchronous,
    log,
    onCommit: (writes, seconds) => {
      metricsRef?.commitBatch.observe(writes);
      metricsRef?.commitDuration.observe(seconds);
      storeLog.commits.succeeded();
    },
    onCommitFailed: (err) => storeLog.commits.failed({ error: (err as Error)?.message ?? String(err) }),
  });
  let dispatcherRef: Dispatcher | undefined;
  const metrics = createMetrics(
    () => (store.isOpen() ? store.depths() : new Map()),
    () => dispatcherRef?.subscriptionNames() ?? [],
    {
      ok: () => storeLog.depths.succeeded(),
      failed: (err) => storeLog.depths.failed({ error: (err as Error)?.message ?? String(err) }),
    },
  );
  metricsRef = metrics;
  countSqlErrorsWith((kind) => metrics.filterErrors.inc({ kind }));
  // Replies go back in through the ingestor, which notifies the dispatcher of what it stored.
  const dispatcher: Dispatcher = new Dispatcher(
    store,
    metrics,
    log,
    (event, subscription, trace): Promise<void> => ingestor.ingestReply(event, subscription, trace),
    tracing,
  );
  dispatcherRef = dispatcher;
  const loopLoad = new LoopLoad();
  metrics.observe.loopUtilisation = () => loopLoad.utilisation;
  metrics.observe.dispatchBacklog = () => dispatcher.dispatchBacklog();
  const admission = new IntakeAdmission(
    { dispatchBacklog: () => dispatcher.dispatchBacklog(), saturated: () => loopLoad.saturated },
    () => ({ ...ADMISSION_LIMITS, maxBacklog: config.broker.maxDispatchBacklog }),
  );
  const ingestor: Ingestor = new Ingestor(store, dispatcher, metrics, () => config, log, admission, tracing);
  let stopping = false;

  const connectors = new ConnectorSupervisor(ingestor, metrics, log);
  // The console's recent activity (GET /admin/status): sampled only while the admin API is on.
  const activity = new ActivitySampler({
    totals: () => deliveryTotals(metrics),
    depths: () => (store.isOpen() ? store.depths() : new Map()),
    names: () => config.subscriptions.map((s) => s.name),
  });
  activity.setEnabled(config.broker.adminTokens !== undefined);

  const app: FastifyInstance = createHttpServer({
    config: () => config,
    intake: (name) => connectors.httpIntake(name),
    ingestor,
    metrics,
    log,
    // About intake (readiness.ts): the store and HTTP intake; a Source only with `required: true`.
    readiness: () => {
      const states = connectors.states();
      return readinessOf(
        store.isOpen() ? storeCheck(store.health()) : 'closed',
        stopping ? 'stopping' : 'ok',
        config.connectors.map(({ connector, required }) => ({
          name: connector.sourceName,
          kind: connector.kind,
          required,
          state: states.get(connector.sourceName),
        })),
      );
    },
    // The admin API (/admin/..., on only with Broker spec.admin.tokens): dead letters replayed
    // here go through the store's writer, one transaction per batch, and wake their workers.
    admin: {
      deadLetters: (selection, limit) => store.deadLetters({ ...selection, limit }),
      replay: async (request) => {
        const outcome = await replayDeadLetters(store, request, {
          subscriptions: new Set(config.subscriptions.map((s) => s.name)),
          requeued: (counts) => dispatcher.notify(counts),
          stopping: () => stopping,
        });
        if (!outcome.dryRun) log.info(adminLogFields(request, outcome), 'dead letters replayed');
        return outcome;
      },
      purge: async (request) => {
        const outcome = await purgeDeadLetters(store, request, { stopping: () => stopping });
        if (!outcome.dryRun) log.info(adminLogFields(request, outcome), 'dead letters purged');
        return outcome;
      },
      explain: (event) => explainEvent(config, event),
      status: async () => {
        const states = connectors.states();
        return {
          now: Date.now(),
          sampleSeconds: SAMPLE_INTERVAL_MS / 1000,
          windowSeconds: (SAMPLES_KEPT * SAMPLE_INTERVAL_MS) / 1000,
          sources: config.connectors.map(({ connector, required }) => ({
            name: connector.sourceName,
            kind: connector.kind,
            required,
            ...(states.get(connector.sourceName) ?? { status: 'connecting' as const }),
          })),
          subscriptions: await activity.subscriptions(),
        };
      },
    },
  });

  dispatcher.apply(config.subscriptions);
  await connectors.apply(config.connectors);
  const host = options.host ?? settings.host ?? '0.0.0.0';
  const port = options.port ?? settings.port ?? 8080;
  await app.listen({ port, host });
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  if (!settings.authTokens && !LOOPBACK.has(host)) {
    log.warn(
      { host },
      'POST /events is open to anyone who can reach this address: set Broker spec.auth.tokens to require a bearer token',
    );
  }
  log.info(
    {
      port: boundPort,
      host,
      store: storeDir,
      subscriptions: config.subscriptions.length,
      sources: config.connectors.length,
    },
    'trigger-broker listening',
  );

  const reload = (): boolean => {
    if (stopping) return false;
    const next = readConfig(options.configDir, 'resolve', plugins);
    if (!next.config) {
      metrics.configReloads.inc({ result: 'rejected' });
      for (const p of next.problems)
        log.error(
          { problem: formatProblem(p) },
          'configuration change rejected; the last good configuration keeps running',
        );
      return false;
    }
    const before = config.broker;
    config = next.config;
    dispatcher.apply(config.subscriptions);
    connectors
      .apply(config.connectors)
      .catch((err: unknown) => log.error({ err }, 'connector reload failed'));
    metrics.configReloads.inc({ result: 'applied' });
    activity.setEnabled(config.broker.adminTokens !== undefined);
    const restartOnly = (['port', 'host', 'storeType', 'storePath', 'synchronous'] as const).filter(
      (k) => before[k] !== config.broker[k],
    );
    if (restartOnly.length > 0)
      log.warn({ settings: restartOnly }, 'these Broker settings take effect at the next start');
    log.info(
      { subscriptions: config.subscriptions.length, sources: config.connectors.length },
      'configuration reloaded',
    );
    return true;
  };

  /**
   * The watcher reloads from a timer, where an exception would end the process: a bad manifest
   * must cost a logged error, never the running broker. Known manifest faults are problems and
   * never get here; this catches the unexpected.
   */
  const reloadFromWatcher = (): void => {
    try {
      reload();
    } catch (err) {
      metrics.configReloads.inc({ result: 'rejected' });
      log.error({ err }, 'configuration reload failed unexpectedly; the broker keeps running');
    }
  };

  let debounce: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(configDir, { recursive: true }, () => {
      if (debounce) clearTimeout(debounce);
      debounce = setTimeout(reloadFromWatcher, 200);
    });
    watcher.on('error', (err) => log.error({ err }, 'configuration watcher failed; changes need a restart'));
  } catch (err) {
    log.error({ err }, 'cannot watch the configuration directory; changes need a restart');
  }

  const pruneTimer = setInterval(() => {
    store.prune(Date.now() - config.broker.retentionMs).then(
      (removed) => {
        if (removed > 0) log.info({ removed }, 'pruned delivered events past retention');
      },
      (err: unknown) => {
        if (store.isOpen()) log.error({ err }, 'pruning failed');
      },
    );
  }, 60_000);
  pruneTimer.unref();

  return {
    port: boundPort,
    host,
    reload,
    async stop() {
      if (stopping) return;
      stopping = true;
      log.info('shutting down: intake stopped, finishing in-flight deliveries');
      watcher?.close();
      if (debounce) clearTimeout(debounce);
      clearInterval(pruneTimer);
      activity.setEnabled(false);
      // Held intake goes on (a connector held there stores and acks its messages; an HTTP request
      // meets the closed ingestor), so nothing waits out its hold while the broker stops.
      admission.close();
      // Connectors first: they stop reading and ack what was stored before intake closes.
      await connectors.stop();
      ingestor.close();
      const grace = options.shutdownGraceMs ?? 5000;
      // Stop accepting and wait for requests in progress (their events are committed or refused).
      await Promise.race([app.close(), new Promise((r) => setTimeout(r, grace).unref())]);
      await dispatcher.stop(grace);
      store.close();
      loopLoad.stop();
      storeLog.close();
      await Promise.all(plugins.sinks.map((sink) => sink.close?.().catch(() => undefined)));
      // Last: every delivery span has ended by now; what is left is exported (bounded wait).
      await tracing.shutdown();
      log.info('stopped');
    },
  };
}

/** What a replay or purge through the admin API logs: what was asked and what was done. */
function adminLogFields(request: DeadLetterRequest, outcome: DeadLetterOutcome): Record<string, unknown> {
  return {
    selection: request.selection,
    ...(request.to === undefined ? {} : { to: request.to }),
    selected: outcome.selected,
    done: outcome.done,
    skipped: outcome.skipped,
  };
}

/**
 * The store's readiness: not ready while it cannot commit, since every event sent would be
 * refused (503); ready again after its next successful commit (the store tries one by itself).
 */
function storeCheck(health: StoreHealth): string {
  if (health.status === 'ok') return 'ok';
  return `cannot commit since ${new Date(health.since).toISOString()}: ${health.error}`;
}
