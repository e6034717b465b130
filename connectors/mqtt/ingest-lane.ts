import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { CloudEvent } from '../../broker/cloudevents/event.js';
import { backoffMs } from '../../broker/dispatch/backoff.js';
import { BrokerError, type ErrorCode } from '../../broker/errors.js';

/** Errors that mean "not stored, try again later"; any other BrokerError means "never storable". */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set(['overloaded', 'unavailable', 'internal']);

/** Waits between attempts to store events the store could not take (unavailable, internal). */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;
/**
 * Waits while the broker answers `overloaded`: delivery or the store is behind intake, and the
 * broker asks its sources to hold back until it catches up (docs/architecture.md,
 * "Back-pressure"). That is flow control, not a failure, and it ends within moments, so the lane
 * looks again soon: a longer wait would leave delivery idle once it has caught up.
 */
const OVERLOADED_MIN_MS = 20;
const OVERLOADED_MAX_MS = 250;

const exponential = (min: number, max: number) => (attempt: number) =>
  Math.min(max, backoffMs({ retry: 0, backoffPolicy: 'exponential', backoffDelayMs: min }, attempt));

/** What became of one event: stored, given up (the lane ended first), or refused for good. */
export type LaneOutcome = 'stored' | 'abandoned' | BrokerError;

export interface IngestLaneOptions {
  /** Stores events in one commit; resolves once they are durable (ConnectorContext.ingest). */
  readonly ingest: (events: readonly CloudEvent[]) => Promise<void>;
  /** Ends the lane: the Source stops, or the connection the messages came on closed. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** The wait before retry number `attempt` (1 for the first) of a failed ingest. */
  readonly retryDelayMs?: (attempt: number) => number;
  /** The same, while the broker answers `overloaded`. */
  readonly overloadedDelayMs?: (attempt: number) => number;
}

/**
 * Stores the events of one MQTT connection, many to one `ingest` call: events that arrive while
 * a commit is under way wait for it and then go together in the next call, so a stream of
 * messages costs one group commit per batch instead of one per message, and batches are
 * committed one after the other, in arrival order.
 *
 * The first batch goes once the messages that arrived together are all in: mqtt.js hands over
 * the PUBLISH packets of what it read from the socket on one chain of `process.nextTick`, and
 * the batch is sent from a microtask, which runs after that chain.
 *
 * A batch that could not be stored is tried again, whole, until it is stored or the lane ends (its
 * events then stay unacknowledged, and the MQTT broker sends them again on the next connection):
 * soon while the broker is `overloaded`, with a growing backoff while the store fails.
 * A batch is stored whole or not at all (Ingestor.ingest), so when it is refused for good (an
 * EventSchema rejects one of its events, say), its events are stored one by one to find the ones
 * that are refused. One lane per connection: a commit that hangs holds up that connection's
 * messages only, not those of the next connection, which the MQTT broker sends them again on.
 */
export class IngestLane {
  private waiting: Waiting[] = [];
  private draining = false;
  private readonly retryDelayMs: (attempt: number) => number;
  private readonly overloadedDelayMs: (attempt: number) => number;

  constructor(private readonly options: IngestLaneOptions) {
    this.retryDelayMs = options.retryDelayMs ?? exponential(RETRY_MIN_MS, RETRY_MAX_MS);
    this.overloadedDelayMs = options.overloadedDelayMs ?? exponential(OVERLOADED_MIN_MS, OVERLOADED_MAX_MS);
  }

  /** Stores `event` with the next batch; resolves with what became of it. */
  store(event: CloudEvent): Promise<LaneOutcome> {
    if (this.options.signal.aborted) return Promise.resolve('abandoned');
    return new Promise((resolve) => {
      this.waiting.push({ event, resolve });
      if (!this.draining) {
        this.draining = true;
        queueMicrotask(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting;
        this.waiting = [];
        await this.commit(batch);
      }
    } finally {
      this.draining = false;
    }
  }

  private async commit(batch: readonly Waiting[]): Promise<void> {
    const outcome = await this.attempt(batch.map((w) => w.event));
    if (!(outcome instanceof BrokerError) || batch.length === 1) {
      for (const w of batch) w.resolve(outcome);
      return;
    }
    for (const w of batch) w.resolve(await this.attempt([w.event]));
  }

  /**
   * Tries `events` until they are stored, refused for good, or the lane ends. An error that is
   * not a BrokerError is taken for a passing one: storing later is safe, skipping is not.
   */
  private async attempt(events: readonly CloudEvent[]): Promise<LaneOutcome> {
    const { ingest, signal, log } = this.options;
    let failures = 0;
    let overloads = 0;
    for (;;) {
      if (signal.aborted) return 'abandoned';
      let wait: number;
      try {
        await ingest(events);
        return 'stored';
      } catch (error) {
        if (error instanceof BrokerError && !RETRYABLE.has(error.code)) return error;
        if (error instanceof BrokerError && error.code === 'overloaded') {
          overloads += 1;
          wait = this.overloadedDelayMs(overloads);
          log.debug({ messages: events.length, err: error }, 'mqtt: the broker is overloaded; holding back');
        } else {
          failures += 1;
          wait = this.retryDelayMs(failures);
          if (failures === 1)
            log.warn(
              { messages: events.length, err: error },
              events.length === 1
                ? 'mqtt: a message could not be stored yet; it stays unacknowledged and is tried again'
                : `mqtt: ${events.length} messages could not be stored yet; they stay unacknowledged and are tried again`,
            );
        }
      }
      await sleep(wait, undefined, { signal }).catch(() => undefined);
    }
  }
}

interface Waiting {
  readonly event: CloudEvent;
  readonly resolve: (outcome: LaneOutcome) => void;
}
