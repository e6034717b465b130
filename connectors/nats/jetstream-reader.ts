import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ConnectorContext } from '../../broker/ports/connector.js';
import { reconnectWaitMs } from './connection.js';
import type { NatsEventReader } from './event-reader.js';
import { InFlightWindow } from './in-flight.js';
import { ensureConsumer, type JetStreamTarget } from './jetstream-consumer.js';
import { storeMessage } from './store-message.js';

/** Messages whose ingest is under way at once (each acked when its group commit lands). */
export const JETSTREAM_IN_FLIGHT = 256;
/** Messages a pull asks for; nats.js pulls again when three quarters are used. */
const PULL_BATCH = 256;
/** The longest a negatively acknowledged message waits before JetStream redelivers it. */
export const MAX_NAK_DELAY_MS = 30_000;

/** How long JetStream should wait before redelivering a message whose ingest failed. */
export function nakDelayMs(deliveryCount: number, retryAfterMs: number | undefined): number {
  const backoff = 500 * 2 ** Math.min(Math.max(deliveryCount - 1, 0), 10);
  return Math.min(Math.max(backoff, retryAfterMs ?? 0), MAX_NAK_DELAY_MS);
}

export interface JetStreamReaderEvents {
  /** The consumer is set up and messages flow. */
  ready(): void;
  /** Setup failed (no stream, JetStream off, a conflicting consumer); it is retried. */
  failing(error: string, attempt: number): void;
}

/**
 * A durable JetStream pull consumer: at least once. A message is acked only after `ingest`
 * resolved for it (or `deadLetter`, then it is terminated so it never comes back); when it
 * could not be stored it is negatively acked with a delay that grows with its delivery count,
 * and JetStream redelivers it (to this process or another sharing the durable), up to
 * `maxDeliver` deliveries when that is set.
 */
export class JetStreamReader {
  private readonly window = new InFlightWindow(JETSTREAM_IN_FLIGHT);
  /** Messages whose ingest is under way, told "still working" now and then (see `run`). */
  private readonly inHand = new Set<JsMsg>();
  private messages: ConsumerMessages | undefined;
  private failingSince: string | undefined;

  constructor(
    private readonly target: JetStreamTarget,
    private readonly read: NatsEventReader,
    private readonly context: ConnectorContext,
    private readonly events: JetStreamReaderEvents,
    private readonly signal: AbortSignal,
  ) {}

  /**
   * Sets the consumer up (retrying with backoff) and reads from it until the connection closes
   * or stop is asked. The consume iterator of nats.js rides through reconnects itself; when it
   * ends for another reason (the consumer or stream was deleted), setup runs again.
   */
  async run(nc: NatsConnection): Promise<void> {
    // An ingest slower than ackWait (a store under heavy load) must not make JetStream hand the
    // message to another process while this one still works on it: "in progress" acks restart
    // the ackWait timer. Only a process that went silent (crashed, cut off) loses its messages.
    const keepAlive = setInterval(() => {
      for (const message of this.inHand) message.working();
    }, this.target.ackWaitMs / 2);
    keepAlive.unref();
    try {
      await this.consumeUntilClosed(nc);
    } finally {
      clearInterval(keepAlive);
    }
  }

  private async consumeUntilClosed(nc: NatsConnection): Promise<void> {
    let attempt = 0;
    let lastLogged: string | undefined;
    while (!this.signal.aborted && !nc.isClosed()) {
      let messages: ConsumerMessages;
      try {
        const jsm: JetStreamManager = await jetstreamManager(nc, { timeout: 5_000 });
        const setup = await ensureConsumer(jsm, this.target, nc.info?.version);
        if (setup !== 'unchanged') {
          this.context.log.info(
            { stream: this.target.stream, durable: this.target.durable, subject: this.target.subject },
            `JetStream consumer ${setup}`,
          );
        }
        const consumer = await jetstream(nc).consumers.get(this.target.stream, this.target.durable);
        messages = await consumer.consume({ max_messages: PULL_BATCH });
      } catch (error) {
        attempt += 1;
        const reason = error instanceof Error ? error.message : String(error);
        if (reason !== lastLogged) {
          this.context.log.error(
            { stream: this.target.stream, durable: this.target.durable, error: reason },
            `JetStream consumer not ready: ${reason}`,
          );
          lastLogged = reason;
        }
        this.events.failing(reason, attempt);
        await sleep(reconnectWaitMs(attempt), undefined, { signal: this.signal }).catch(() => undefined);
        continue;
      }
      attempt = 0;
      lastLogged = undefined;
      this.messages = messages;
      this.events.ready();
      this.watchNotifications(messages);
      try {
        for await (const message of messages) {
          if (this.signal.aborted) {
            // Stopping: hand it back at once, so a process sharing the durable takes it.
            message.nak();
            continue;
          }
          await this.window.acquire();
          this.inHand.add(message);
          void this.handle(message).finally(() => {
            this.inHand.delete(message);
            this.window.release();
          });
        }
      } catch (error) {
        if (!this.signal.aborted) {
          this.context.log.warn(
            { error: error instanceof Error ? error.message : String(error) },
            'JetStream consumer stopped delivering; setting it up again',
          );
        }
      }
      this.messages = undefined;
    }
  }

  /** Stops pulling, hands back what was pulled but not started, and waits for the ingests under way. */
  async stop(): Promise<void> {
    await this.messages?.close();
    await this.window.idle();
  }

  private watchNotifications(messages: ConsumerMessages): void {
    void (async () => {
      for await (const note of messages.status()) {
        switch (note.type) {
          case 'consumer_deleted':
          case 'consumer_not_found':
          case 'stream_not_found':
            // Without its consumer the iterator only waits; set it up again (recreated if the
            // stream is there, else the missing stream is reported).
            this.context.log.warn({ notification: note.type }, 'JetStream consumer is gone');
            messages.stop();
            break;
          case 'heartbeats_missed':
            this.context.log.debug({ count: note.count }, 'JetStream heartbeats missed');
            break;
          default:
            break;
        }
      }
    })().catch(() => undefined);
  }

  private async handle(message: JsMsg): Promise<void> {
    const outcome = await storeMessage(
      this.context,
      this.read,
      message,
      // Stable across redeliveries, so duplicates around a crash carry the same id and time.
      { id: `${this.target.stream}:${message.seq}`, time: message.time.toISOString() },
      { subject: message.subject, stream: this.target.stream, sequence: message.seq },
    );
    switch (outcome.kind) {
      case 'stored':
        message.ack();
        this.recovered();
        return;
      case 'dead-lettered':
        this.context.log.warn(
          { subject: message.subject, sequence: message.seq, reason: outcome.reason },
          'NATS message is not a valid event; kept in the dead-letter list',
        );
        // term() without a reason: servers before 2.11 do not read "+TERM reason" as a term
        // and would redeliver the message after ackWait.
        message.term();
        return;
      case 'retry-later': {
        if (this.signal.aborted) {
          message.nak();
          return;
        }
        const deliveries = message.info.deliveryCount;
        const lastChance = this.target.maxDeliver !== undefined && deliveries >= this.target.maxDeliver;
        if (lastChance) {
          this.context.log.error(
            { subject: message.subject, sequence: message.seq, deliveries, error: outcome.error },
            'NATS message given up: it could not be stored and has reached maxDeliver, so JetStream will not redeliver it',
          );
        } else if (this.failingSince === undefined) {
          this.failingSince = outcome.error;
          this.context.log.warn(
            { subject: message.subject, sequence: message.seq, error: outcome.error },
            'NATS messages cannot be stored for now; JetStream will redeliver them with backoff',
          );
        }
        message.nak(nakDelayMs(deliveries, outcome.retryAfterMs));
        return;
      }
    }
  }

  private recovered(): void {
    if (this.failingSince === undefined) return;
    this.failingSince = undefined;
    this.context.log.info('NATS messages are being stored again');
  }
}
