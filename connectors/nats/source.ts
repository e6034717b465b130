import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Connector, ConnectorContext, ConnectorState } from '../../broker/ports/connector.js';
import { type ConnectionListener, NatsLink } from './connection.js';
import { CoreReader } from './core-reader.js';
import type { NatsEventReader } from './event-reader.js';
import { JetStreamReader } from './jetstream-reader.js';
import type { NatsSettings } from './settings.js';

/** How long stop() waits for the last acks to reach the server before closing anyway. */
const FLUSH_ON_STOP_MS = 2_000;

/**
 * A `nats` Source: a core NATS subscription (at most once), or with `stream` a durable
 * JetStream pull consumer (at least once). Either way each message becomes a CloudEvent by the
 * NATS binding or the Source's `ce` mapping, and is stored before it is acknowledged.
 */
export class NatsSource implements Connector {
  readonly kind = 'nats' as const;
  readonly sourceName: string;
  private abort = new AbortController();
  private running: Promise<void> | undefined;
  private reader: CoreReader | JetStreamReader | undefined;
  private connection: NatsConnection | undefined;

  constructor(
    private readonly settings: NatsSettings,
    private readonly read: NatsEventReader,
  ) {
    this.sourceName = settings.sourceName;
  }

  async start(context: ConnectorContext): Promise<void> {
    if (this.running !== undefined) throw new Error(`nats source ${this.sourceName} is already running`);
    this.abort = new AbortController();
    const state = new StateReporter(context);
    state.set({ status: 'connecting' });
    this.logGuarantee(context);
    this.running = this.run(context, state).catch((error: unknown) => {
      context.log.error({ err: error }, 'nats source stopped unexpectedly');
    });
  }

  async stop(): Promise<void> {
    const running = this.running;
    if (running === undefined) return;
    this.abort.abort();
    await this.reader?.stop();
    const nc = this.connection;
    if (nc !== undefined && !nc.isClosed()) {
      // The acks of the last messages are written but maybe not sent yet.
      await Promise.race([nc.flush().catch(() => undefined), sleep(FLUSH_ON_STOP_MS)]);
      await nc.close().catch(() => undefined);
    }
    await running;
    this.running = undefined;
    this.reader = undefined;
    this.connection = undefined;
  }

  private async run(context: ConnectorContext, state: StateReporter): Promise<void> {
    const signal = this.abort.signal;
    const { mode, subject } = this.settings;
    let readerReady = false;
    const listener: ConnectionListener = {
      connected: () => {
        if (readerReady) state.set({ status: 'up' });
      },
      reconnecting: (error, attempt) => state.set({ status: 'reconnecting', error, attempt }),
    };
    const link = new NatsLink(this.settings, context.log, listener);
    try {
      while (!signal.aborted) {
        const nc = await link.connect(signal);
        if (nc === undefined) break;
        this.connection = nc;
        const watching = link.watch(nc);
        if (mode.kind === 'core') {
          const reader = new CoreReader(subject, mode.queue, this.read, context, signal);
          this.reader = reader;
          const subscribed = await reader.subscribe(nc).then(
            () => true,
            () => false, // the connection went away before the server confirmed; it will resubscribe
          );
          readerReady = true;
          if (subscribed) state.set({ status: 'up' });
          await watching;
        } else {
          const target = { ...mode, subject };
          const reader = new JetStreamReader(
            target,
            this.read,
            context,
            {
              ready: () => {
                readerReady = true;
                state.set({ status: 'up' });
              },
              failing: (error, attempt) => {
                readerReady = false;
                state.set({ status: 'reconnecting', error, attempt });
              },
            },
            signal,
          );
          this.reader = reader;
          await Promise.all([reader.run(nc), watching]);
        }
        readerReady = false;
        if (!signal.aborted) {
          context.log.warn('the NATS connection closed; connecting again');
          state.set({ status: 'reconnecting', error: 'the NATS connection closed', attempt: 0 });
        }
      }
    } finally {
      state.set({ status: 'stopped' });
    }
  }

  private logGuarantee(context: ConnectorContext): void {
    const { mode, subject, servers } = this.settings;
    if (mode.kind === 'core') {
      context.log.info(
        { servers, subject, queue: mode.queue, delivery: 'at-most-once' },
        'core NATS subscription: at most once. Core NATS has no acknowledgement, so messages published while ' +
          'this broker is down or disconnected, or that cannot be stored, are lost; set "stream" to read ' +
          'through a JetStream durable consumer (at least once)',
      );
    } else {
      context.log.info(
        { servers, subject, stream: mode.stream, durable: mode.durable, delivery: 'at-least-once' },
        `JetStream durable consumer ${mode.durable} on stream ${mode.stream}: at least once, each message acked once stored`,
      );
    }
  }
}

/** Passes state changes on, without repeating an unchanged state. */
class StateReporter {
  private last: string | undefined;

  constructor(private readonly context: ConnectorContext) {}

  set(state: ConnectorState): void {
    const key = JSON.stringify(state);
    if (key === this.last) return;
    this.last = key;
    this.context.reportState(state);
  }
}
