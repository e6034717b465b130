/**
 * The `kafka` Source: a consumer group member that turns records into durable events and
 * commits offsets only behind them. Each connection is a session (client.ts); a session that
 * cannot connect or crashes is closed and a new one opened after a backoff, so a wrong address,
 * refused credentials or a broker restart give one clear error line and reconnection, never a
 * crash of the process.
 */
import type { Connector, ConnectorContext, ConnectorState } from '../../broker/ports/connector.js';
import { abortableSleep } from './abortable-sleep.js';
import { BatchIngest, type BatchIngestOptions, DEFAULT_BATCH_INGEST } from './batch-ingest.js';
import { describeKafkaFailure, type FetchedBatch, KafkaSession, type SessionObserver } from './client.js';
import { IngestLane } from './ingest-lane.js';
import type { RecordConverter } from './record-event.js';
import type { KafkaSettings } from './settings.js';

export interface KafkaSourceOptions {
  /** Partitions processed at the same time (default 4). */
  readonly partitionConcurrency?: number;
  /** How often a `topicPattern` is matched again against the cluster's topics (default 30 s). */
  readonly topicRefreshMs?: number;
  /** The wait before reconnection attempt `attempt` (1 for the first). */
  readonly reconnectDelayMs?: (attempt: number) => number;
  readonly batch?: BatchIngestOptions;
  /**
   * Events of this Source under way in the store at once, all partitions together (default
   * 5,000: half the broker's default `limits.maxPendingEvents`, leaving room for other Sources).
   */
  readonly storeBudget?: number;
}

/** 0.5 s, doubling, at most 15 s, ±20% so that several brokers restarted together do not reconnect in step. */
function defaultReconnectDelay(attempt: number): number {
  return Math.round(Math.min(500 * 2 ** (attempt - 1), 15_000) * (0.8 + 0.4 * Math.random()));
}

/** Why a session ended. */
type SessionEnd =
  | { readonly kind: 'stopped' }
  | { readonly kind: 'failed'; readonly error: unknown }
  | { readonly kind: 'topics-changed'; readonly topics: readonly string[] };

export class KafkaSource implements Connector {
  readonly kind = 'kafka' as const;
  private context: ConnectorContext | undefined;
  private abort = new AbortController();
  private loop: Promise<void> | undefined;
  private state: ConnectorState = { status: 'stopped' };
  /** Failed attempts since the last time the consumer read. */
  private failures = 0;
  /** The message of the failure last logged at error level, so an outage logs one line, not one per attempt. */
  private loggedFailure: string | undefined;
  private readonly lane: IngestLane;

  constructor(
    readonly sourceName: string,
    private readonly settings: KafkaSettings,
    private readonly convert: RecordConverter,
    private readonly options: KafkaSourceOptions = {},
  ) {
    this.lane = new IngestLane(options.storeBudget ?? 5_000);
  }

  async start(context: ConnectorContext): Promise<void> {
    if (this.loop) return;
    this.context = context;
    this.abort = new AbortController();
    this.report({ status: 'connecting' });
    this.loop = this.runSessions(context);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.loop = undefined;
    this.report({ status: 'stopped' });
  }

  private async runSessions(context: ConnectorContext): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const end = await this.runOneSession(context, signal);
      if (end.kind === 'stopped' || signal.aborted) break;
      if (end.kind === 'topics-changed') {
        context.log.info(
          { topics: end.topics },
          'the topics matching topicPattern changed; rejoining the group',
        );
        continue;
      }
      this.failures += 1;
      const failure = describeKafkaFailure(end.error, this.settings.brokers);
      if (failure.message !== this.loggedFailure) {
        this.loggedFailure = failure.message;
        context.log.error(
          { brokers: this.settings.brokers, groupId: this.settings.groupId, kind: failure.kind },
          `${failure.message}; retrying with backoff`,
        );
      }
      this.report({ status: 'reconnecting', error: failure.message, attempt: this.failures });
      await abortableSleep((this.options.reconnectDelayMs ?? defaultReconnectDelay)(this.failures), signal);
    }
  }

  /** Opens a session, consumes until it fails, the topics change or the Source stops, and closes it. */
  private async runOneSession(context: ConnectorContext, signal: AbortSignal): Promise<SessionEnd> {
    let endSession: (end: SessionEnd) => void = () => undefined;
    const ended = new Promise<SessionEnd>((resolve) => {
      endSession = resolve;
    });
    const onAbort = () => endSession({ kind: 'stopped' });
    signal.addEventListener('abort', onAbort, { once: true });
    const session = new KafkaSession(this.settings, this.observer(context, endSession), context.log);
    let refresh: NodeJS.Timeout | undefined;
    let closing = false;
    try {
      const starting = (async (): Promise<SessionEnd | undefined> => {
        const topics = await this.topicsToRead(session);
        if (topics.length === 0) {
          this.reportReading();
          context.log.info(
            { topicPattern: this.describeTopics() },
            'no topic matches topicPattern yet; looking again periodically',
          );
        } else {
          await session.consume(
            {
              groupId: this.settings.groupId,
              topics,
              fromBeginning: this.settings.fromBeginning,
              sessionTimeoutMs: this.settings.sessionTimeoutMs,
              concurrency: this.options.partitionConcurrency ?? 4,
            },
            (batch) => this.ingestBatch(batch, context, signal),
          );
        }
        if (this.settings.topics.kind === 'pattern' && !closing)
          refresh = this.watchTopics(session, topics, endSession);
        return undefined;
      })();
      const early = await Promise.race([
        starting.catch((error: unknown): SessionEnd => ({ kind: 'failed', error })),
        ended,
      ]);
      return early ?? (await ended);
    } finally {
      closing = true;
      signal.removeEventListener('abort', onAbort);
      clearInterval(refresh);
      await session.close();
    }
  }

  private observer(context: ConnectorContext, endSession: (end: SessionEnd) => void): SessionObserver {
    return {
      joined: (assignment) =>
        context.log.info({ groupId: this.settings.groupId, assignment }, 'joined the Kafka consumer group'),
      fetched: () => this.reportReading(),
      connectionError: (error) => {
        // The client retries on its own first; until a fetch succeeds again the Source is not up.
        if (this.state.status !== 'up') return;
        const failure = describeKafkaFailure(error, this.settings.brokers);
        this.report({ status: 'reconnecting', error: failure.message, attempt: 1 });
      },
      crashed: (error) => endSession({ kind: 'failed', error }),
    };
  }

  private reportReading(): void {
    this.failures = 0;
    this.loggedFailure = undefined;
    this.report({ status: 'up' });
  }

  private async topicsToRead(session: KafkaSession): Promise<readonly string[]> {
    const selection = this.settings.topics;
    if (selection.kind === 'names') return selection.names;
    return (await session.listTopics()).filter((name) => selection.pattern.test(name)).sort();
  }

  /** With topicPattern: ends the session when the set of matching topics changes, to rejoin with it. */
  private watchTopics(
    session: KafkaSession,
    current: readonly string[],
    endSession: (end: SessionEnd) => void,
  ): NodeJS.Timeout {
    const key = current.join('\n');
    let busy = false;
    return setInterval(() => {
      if (busy) return;
      busy = true;
      this.topicsToRead(session)
        .then((topics) => {
          if (topics.join('\n') !== key) endSession({ kind: 'topics-changed', topics });
        })
        // A failed listing changes nothing; the consumer reports its own connection trouble.
        .catch(() => undefined)
        .finally(() => {
          busy = false;
        });
    }, this.options.topicRefreshMs ?? 30_000);
  }

  private describeTopics(): string {
    const selection = this.settings.topics;
    return selection.kind === 'names' ? selection.names.join(', ') : selection.text;
  }

  private ingestBatch(batch: FetchedBatch, context: ConnectorContext, signal: AbortSignal): Promise<void> {
    const lane = this.lane;
    const laned: ConnectorContext = {
      ...context,
      ingest: (events, options) => lane.run(events.length, () => context.ingest(events, options)),
    };
    return new BatchIngest(
      batch,
      this.convert,
      laned,
      signal,
      this.options.batch ?? DEFAULT_BATCH_INGEST,
    ).run();
  }

  private report(state: ConnectorState): void {
    const previous = this.state;
    this.state = state;
    const same =
      previous.status === state.status &&
      (state.status !== 'reconnecting' ||
        (previous.status === 'reconnecting' &&
          previous.attempt === state.attempt &&
          previous.error === state.error));
    if (!same) this.context?.reportState(state);
  }
}
