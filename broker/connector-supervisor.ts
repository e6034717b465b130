import type { Logger } from 'pino';
import type { CloudEvent } from './cloudevents/event.js';
import { BrokerError } from './errors.js';
import type { Ingestor } from './ingest.js';
import type { Metrics } from './metrics.js';
import {
  type Connector,
  type ConnectorState,
  type HttpIntakeConnector,
  type IngestOptions,
  isHttpIntake,
  type MalformedMessage,
} from './ports/connector.js';
import type { Checkpoint } from './ports/store.js';

interface Running {
  connector: Connector;
  fingerprint: string;
  state: ConnectorState;
}

/**
 * Runs the message connectors of the current configuration and keeps them in step with
 * reloads: an unchanged Source keeps running, a changed one is stopped and started anew, a
 * removed one is stopped. It gives each connector its context (ingest, dead letters, state).
 */
export class ConnectorSupervisor {
  private readonly running = new Map<string, Running>();
  /** The apply under way, if any: an HTTP request for a Source being restarted waits for it. */
  private applying: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly ingestor: Ingestor,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  apply(connectors: readonly { connector: Connector; fingerprint: string }[]): Promise<void> {
    const previous = this.applying ?? Promise.resolve();
    const next = previous.then(() => this.applyNow(connectors));
    const settled = next
      .catch(() => undefined)
      .finally(() => {
        if (this.applying === settled) this.applying = undefined;
      });
    this.applying = settled;
    return next;
  }

  /**
   * The running connector fed by the HTTP port under `name` (a webhook Source), if any. While
   * a reload restarts Sources it answers once that is done, so a request never sees the gap
   * between the old connector's stop and the new one's start.
   */
  async httpIntake(name: string): Promise<HttpIntakeConnector | undefined> {
    if (this.applying) await this.applying;
    if (this.stopped) throw new BrokerError('unavailable', 'the broker is shutting down', { retryAfter: 5 });
    const entry = this.running.get(name);
    return entry && isHttpIntake(entry.connector) ? entry.connector : undefined;
  }

  private async applyNow(
    connectors: readonly { connector: Connector; fingerprint: string }[],
  ): Promise<void> {
    const wanted = new Map(connectors.map((c) => [c.connector.sourceName, c]));
    const stops: Promise<void>[] = [];
    for (const [name, current] of this.running) {
      const next = wanted.get(name);
      if (next && next.fingerprint === current.fingerprint) {
        wanted.delete(name);
        continue;
      }
      this.running.delete(name);
      stops.push(this.stopOne(current));
    }
    await Promise.all(stops);
    for (const { connector, fingerprint } of wanted.values()) {
      const entry: Running = { connector, fingerprint, state: { status: 'connecting' } };
      this.running.set(connector.sourceName, entry);
      await connector.start(this.contextFor(entry));
    }
  }

  /** Readiness: every connector is up. */
  states(): Map<string, ConnectorState> {
    return new Map([...this.running].map(([name, r]) => [name, r.state]));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map((r) => this.stopOne(r)));
  }

  private async stopOne(entry: Running): Promise<void> {
    try {
      await entry.connector.stop();
    } catch (err) {
      this.log.error({ source: entry.connector.sourceName, err }, 'connector did not stop cleanly');
    }
    this.setState(entry, { status: 'stopped' });
  }

  private setState(entry: Running, state: ConnectorState): void {
    entry.state = state;
    for (const status of ['connecting', 'up', 'reconnecting', 'degraded', 'stopped'] as const) {
      this.metrics.connectorState.set(
        { source: entry.connector.sourceName, kind: entry.connector.kind, status },
        status === state.status ? 1 : 0,
      );
    }
  }

  private contextFor(entry: Running) {
    const { connector } = entry;
    // Each Source's positions are its own: a key is stored under the Source's name.
    const scoped = (options?: IngestOptions): Checkpoint[] =>
      (options?.checkpoints ?? []).map((c) => ({ source: connector.sourceName, key: c.key, value: c.value }));
    const ingress = `${connector.kind}:${connector.sourceName}`;
    // An HTTP-fed connector's ingest spans are the server side of a request (tracing/tracing.ts).
    const via = isHttpIntake(connector) ? 'http' : 'messaging';
    const log = this.log.child({ source: connector.sourceName, connector: connector.kind });
    return {
      sourceName: connector.sourceName,
      log,
      ingest: (events: readonly CloudEvent[], options?: IngestOptions) =>
        this.ingestor.ingest(events, ingress, scoped(options), { trace: options?.trace, via }),
      deadLetter: (message: MalformedMessage, options?: IngestOptions) => {
        this.metrics.eventsRejected.inc({ ingress, reason: 'malformed_message' });
        return this.ingestor.ingestMalformed(connector.sourceName, message, scoped(options));
      },
      checkpoints: () => this.ingestor.checkpoints(connector.sourceName),
      reportState: (state: ConnectorState) => {
        if (state.status === 'reconnecting')
          log.warn({ error: state.error, attempt: state.attempt }, 'connector reconnecting');
        else if (state.status === 'degraded') log.warn({ error: state.error }, 'connector degraded');
        else if (state.status === 'up' && entry.state.status !== 'up') log.info('connector up');
        this.setState(entry, state);
      },
      reportAdoptedSessions: (members: readonly string[]) => {
        this.metrics.adoptedSessions.set(
          { source: connector.sourceName, kind: connector.kind },
          members.length,
        );
      },
    };
  }
}
