/**
 * Turns one partition's batch into durable events and dead letters, then commits how far it
 * got. The rule (connectors/types.ts): an offset is committed only past records whose
 * `ingest` or `deadLetter` resolved.
 */
import type { CloudEvent } from '../../broker/cloudevents/event.js';
import { BrokerError } from '../../broker/errors.js';
import type { ConnectorContext } from '../../broker/ports/connector.js';
import { abortableSleep } from './abortable-sleep.js';
import type { FetchedBatch, KafkaRecord } from './client.js';
import { PartitionProgress } from './partition-progress.js';
import type { RecordConverter } from './record-event.js';

export interface BatchIngestOptions {
  /**
   * The most events per `ingest` call. A batch up to this size is one call, so one group commit
   * in the store carries it whole (docs/architecture.md, "The Kafka Source"); a larger one goes in
   * pieces, under way together, which the store commits together as far as the Source's store
   * budget lets them in at once. The cap keeps each call well under the broker's default
   * `maxPendingEvents` (10,000), which admits a larger call only when nothing else waits.
   */
  readonly chunkSize: number;
  /** `ingest` and `deadLetter` calls of one partition under way at once. */
  readonly maxInFlight: number;
  /** The wait before retry number `attempt` (1 for the first) of an ingest refused with `error`. */
  readonly retryDelayMs: (attempt: number, error: unknown) => number;
}

export const DEFAULT_BATCH_INGEST: BatchIngestOptions = {
  chunkSize: 2_500,
  maxInFlight: 4,
  // `overloaded` is flow control (docs/architecture.md, "Back-pressure"): the store's commits or
  // the deliveries are behind, and that ends within moments, so the batch is offered again soon
  // (20 ms, doubling to 250 ms): a longer wait would leave delivery idle once it caught up. A
  // failing store gets the longer backoff (100 ms, doubling to 5 s).
  retryDelayMs: (attempt, error) =>
    Math.round(
      (isOverloaded(error)
        ? Math.min(20 * 2 ** (attempt - 1), 250)
        : Math.min(100 * 2 ** (attempt - 1), 5_000)) *
        (0.8 + 0.4 * Math.random()),
    ),
};

/**
 * Records of the batch stored by one `ingest` call (by position in the batch, not necessarily
 * adjacent: a malformed record between two good ones does not split them), or one record that
 * cannot be an event.
 */
type WorkUnit =
  | { readonly kind: 'events'; readonly indices: readonly number[]; readonly events: CloudEvent[] }
  | { readonly kind: 'malformed'; readonly index: number; readonly reason: string };

/** The outcome of a retried operation: done, or given up because the batch must end. */
type Attempted = 'done' | 'abandoned';

export class BatchIngest {
  private readonly progress: PartitionProgress;
  /** Set when the batch must end early: the consumer stops, or the group rebalances. */
  private interruption: { reason: 'stopping' } | { reason: 'rebalance'; error: unknown } | undefined;

  constructor(
    private readonly batch: FetchedBatch,
    private readonly convert: RecordConverter,
    private readonly context: ConnectorContext,
    private readonly signal: AbortSignal,
    private readonly options: BatchIngestOptions = DEFAULT_BATCH_INGEST,
  ) {
    this.progress = new PartitionProgress(batch.records.map((r) => r.offset));
  }

  /**
   * Ingests the batch and commits the done prefix. Retriable refusals (overloaded,
   * unavailable) are retried until they succeed or the batch must end; what was under way then
   * finishes, the done prefix is committed, the rest is read again later. A rebalance reported
   * by the heartbeat is rethrown after that commit, so the consumer rejoins its group.
   */
  async run(): Promise<void> {
    const units = this.plan();
    let next = 0;
    const worker = async () => {
      while (next < units.length && !this.mustEnd()) {
        const unit = units[next++]!;
        const outcome = await this.runUnit(unit);
        if (outcome === 'done') await this.heartbeat();
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.maxInFlight, units.length) }, worker));
    await this.commit();
    if (this.interruption?.reason === 'rebalance') throw this.interruption.error;
  }

  private plan(): WorkUnit[] {
    const units: WorkUnit[] = [];
    // The unit being filled, already in `units`.
    let chunk: { readonly kind: 'events'; indices: number[]; events: CloudEvent[] } | undefined;
    this.batch.records.forEach((record, index) => {
      const converted = this.convert(record);
      if (!converted.ok) {
        units.push({ kind: 'malformed', index, reason: converted.reason });
        return;
      }
      if (chunk === undefined) {
        chunk = { kind: 'events', indices: [], events: [] };
        units.push(chunk);
      }
      chunk.indices.push(index);
      chunk.events.push(converted.event);
      if (chunk.events.length >= this.options.chunkSize) chunk = undefined;
    });
    return units;
  }

  private async runUnit(unit: WorkUnit): Promise<Attempted> {
    if (unit.kind === 'events') return this.store(unit.indices, unit.events);
    const outcome = await this.deadLetter(this.batch.records[unit.index]!, unit.reason);
    if (outcome === 'done') this.progress.markDone(unit.index, unit.index + 1);
    return outcome;
  }

  /** Stores events (the records at `indices`) in one `ingest` and marks them done. */
  private async store(indices: readonly number[], events: readonly CloudEvent[]): Promise<Attempted> {
    const outcome = await this.retrying(() => this.context.ingest(events));
    if (outcome === 'done') this.progress.markEach(indices);
    if (typeof outcome === 'string') return outcome;
    // Refused for good. An ingest is stored whole or not at all, so one event can keep a whole
    // batch out (an EventSchema refuses it, say): halve until each such event is alone, then
    // dead-letter it. k refused events among n cost about 2k·log2(n) ingest calls.
    if (events.length === 1) {
      const reason = `${outcome.refused.code}: ${outcome.refused.detail}`;
      const dead = await this.deadLetter(this.batch.records[indices[0]!]!, reason);
      if (dead === 'done') this.progress.markEach(indices);
      return dead;
    }
    const half = Math.ceil(events.length / 2);
    if ((await this.store(indices.slice(0, half), events.slice(0, half))) === 'abandoned') return 'abandoned';
    await this.heartbeat();
    return this.store(indices.slice(half), events.slice(half));
  }

  private async deadLetter(record: KafkaRecord, reason: string): Promise<Attempted> {
    const where = { topic: record.topic, partition: record.partition, offset: record.offset };
    this.context.log.warn({ ...where, reason }, 'Kafka record cannot become a CloudEvent; dead-lettered');
    const outcome = await this.retrying(() =>
      this.context.deadLetter({ reason, payload: record.value ?? new Uint8Array(), origin: where }),
    );
    if (typeof outcome === 'string') return outcome;
    // A dead letter the store refuses for good has nowhere else to go: one log line, and on.
    this.context.log.error({ ...where, err: outcome.refused }, 'the store refused the dead letter');
    return 'done';
  }

  /**
   * Runs `operation` until it resolves, waiting between tries while it is refused with a
   * retriable error; a permanent refusal is returned. An error that is not a BrokerError is
   * taken for retriable: storing later is safe, skipping is not.
   */
  private async retrying(operation: () => Promise<void>): Promise<Attempted | { refused: BrokerError }> {
    for (let attempt = 1; ; attempt++) {
      let refusal: unknown;
      try {
        await operation();
        return 'done';
      } catch (error) {
        if (error instanceof BrokerError && !isRetriable(error)) return { refused: error };
        refusal = error;
        const fields = { topic: this.batch.topic, partition: this.batch.partition, attempt, err: error };
        const message = 'storing Kafka records was refused; retrying without committing their offsets';
        // Back-pressure is the broker working as meant, not a failure: no warning for it.
        if (attempt === 1 && !isOverloaded(error)) this.context.log.warn(fields, message);
        else this.context.log.debug(fields, message);
      }
      if (this.mustEnd()) return 'abandoned';
      await abortableSleep(this.options.retryDelayMs(attempt, refusal), this.signal);
      await this.heartbeat();
      if (this.mustEnd()) return 'abandoned';
    }
  }

  private mustEnd(): boolean {
    if (this.interruption === undefined && (this.signal.aborted || !this.batch.isRunning()))
      this.interruption = { reason: 'stopping' };
    return this.interruption !== undefined;
  }

  private async heartbeat(): Promise<void> {
    if (this.interruption !== undefined) return;
    try {
      await this.batch.heartbeat();
    } catch (error) {
      this.interruption = { reason: 'rebalance', error };
    }
  }

  private async commit(): Promise<void> {
    const through = this.progress.lastContiguousOffset();
    if (through === undefined) return;
    try {
      await this.batch.commitThrough(through);
    } catch (err) {
      // Not fatal: the records are stored; a later commit covers them, or they are read again
      // (at least once) by whoever owns the partition next.
      this.context.log.warn(
        { topic: this.batch.topic, partition: this.batch.partition, offset: through, err },
        'committing the Kafka offset failed; the records may be delivered again',
      );
    }
  }
}

function isOverloaded(error: unknown): boolean {
  return error instanceof BrokerError && error.code === 'overloaded';
}

function isRetriable(error: BrokerError): boolean {
  return error.code === 'overloaded' || error.code === 'unavailable';
}
