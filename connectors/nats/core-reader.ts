import { setTimeout as sleep } from 'node:timers/promises';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { ConnectorContext } from '../../broker/ports/connector.js';
import type { NatsEventReader } from './event-reader.js';
import { InFlightWindow } from './in-flight.js';
import { storeMessage } from './store-message.js';

/** Messages held in memory while their ingest is under way or waiting for a retry. */
export const CORE_MAX_IN_FLIGHT = 10_000;
/** Ingest attempts for one message before it is given up (core NATS cannot redeliver it). */
export const CORE_MAX_ATTEMPTS = 8;

/**
 * A core NATS subscription (wildcards `*` and `>`, optionally in a queue group): at most once.
 * Core NATS has no acknowledgement, so a message published while the broker is down or
 * disconnected is never seen, and one whose ingest keeps failing is lost. To narrow the second
 * case, a message that could not be stored for a passing reason (overload, a store hiccup) is
 * retried in memory with backoff, a bounded number of times; beyond CORE_MAX_IN_FLIGHT held
 * messages, new ones are dropped with a warning rather than growing memory without bound.
 */
export class CoreReader {
  private readonly window = new InFlightWindow(CORE_MAX_IN_FLIGHT);
  private subscription: Subscription | undefined;
  private dropped = 0;

  constructor(
    private readonly subject: string,
    private readonly queue: string | undefined,
    private readonly read: NatsEventReader,
    private readonly context: ConnectorContext,
    private readonly signal: AbortSignal,
  ) {}

  /**
   * Subscribes, and resolves once the server has the subscription (a flush round trip), so that
   * "up" means messages published from now on arrive. The subscription lives as long as the
   * connection: nats.js renews it on reconnect.
   */
  async subscribe(nc: NatsConnection): Promise<void> {
    this.subscription = nc.subscribe(this.subject, {
      ...(this.queue === undefined ? {} : { queue: this.queue }),
      callback: (error, message) => {
        if (error !== null) {
          this.context.log.warn({ error: error.message }, 'NATS subscription error');
          return;
        }
        this.accept(message);
      },
    });
    await nc.flush();
  }

  /** Stops taking messages, and waits for the held ones (retries end early on stop). */
  async stop(): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    await this.window.idle();
  }

  private accept(message: Msg): void {
    if (this.signal.aborted) return;
    if (!this.window.tryAcquire()) {
      this.dropped += 1;
      if (this.dropped === 1 || this.dropped % 1000 === 0) {
        this.context.log.warn(
          { subject: message.subject, dropped: this.dropped },
          `core NATS message dropped: ${CORE_MAX_IN_FLIGHT} messages are already waiting to be stored`,
        );
      }
      return;
    }
    void this.handle(message).finally(() => this.window.release());
  }

  private async handle(message: Msg): Promise<void> {
    const view = { subject: message.subject, headers: message.headers, data: message.data };
    for (let attempt = 1; ; attempt++) {
      const outcome = await storeMessage(this.context, this.read, view, {}, { subject: message.subject });
      if (outcome.kind === 'stored') return;
      if (outcome.kind === 'dead-lettered') {
        this.context.log.warn(
          { subject: message.subject, reason: outcome.reason },
          'NATS message is not a valid event; kept in the dead-letter list',
        );
        return;
      }
      if (attempt >= CORE_MAX_ATTEMPTS || this.signal.aborted) {
        this.context.log.warn(
          { subject: message.subject, error: outcome.error, attempts: attempt },
          'core NATS message lost: it could not be stored and core NATS cannot redeliver it',
        );
        return;
      }
      const wait = Math.max(outcome.retryAfterMs ?? 0, 100 * 2 ** (attempt - 1));
      await sleep(Math.min(wait, 5_000), undefined, { signal: this.signal }).catch(() => undefined);
    }
  }
}
