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
  /** Events per `ingest` call: one group commit in the store carries them all. */
  readonly chunkSize: number;
  /** `ingest` calls of one partition under way at once. */
  readonly maxInFlight: number;
  /** The wait before retry number `attempt` (1 for the first) of a refused ingest. */
  readonly retryDelayMs: (attempt: number) => number;
}

export const DEFAULT_BATCH_INGEST: BatchIngestOptions = {
  chunkSize: 250,
  maxInFlight: 4,
  retryDelayMs: (attempt) =>
    Math.round(Math.min(100 * 2 ** (attempt - 1), 5_000) * (0.8 + 0.4 * Math.random())),
};

/** A stretch of the batch handled by one `ingest` call, or one record that cannot be an event. */
type WorkUnit =
  | { readonly kind: 'events'; readonly from: number; readonly to: number; readonly events: CloudEvent[] }
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
        if (outcome === 'done') {
          if (unit.kind === 'events') this.progress.markDone(unit.from, unit.to);
          else this.progress.markDone(unit.index, unit.index + 1);
          await this.heartbeat();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.maxInFlight, units.length) }, worker));
    await this.commit();
    if (this.interruption?.reason === 'rebalance') throw this.interruption.error;
  }

  private plan(): WorkUnit[] {
    const units: WorkUnit[] = [];
    let chunk: { from: number; events: CloudEvent[] } | undefined;
    const flush = (to: number) => {
      if (chunk) units.push({ kind: 'events', from: chunk.from, to, events: chunk.events });
      chunk = undefined;
    };
    this.batch.records.forEach((record, index) => {
      const converted = this.convert(record);
      if (!converted.ok) {
        flush(index);
        units.push({ kind: 'malformed', index, reason: converted.reason });
        return;
      }
      chunk ??= { from: index, events: [] };
      chunk.events.push(converted.event);
      if (chunk.events.length >= this.options.chunkSize) flush(index + 1);
    });
    flush(this.batch.records.length);
    return units;
  }

  private async runUnit(unit: WorkUnit): Promise<Attempted> {
    if (unit.kind === 'malformed') return this.deadLetter(this.batch.records[unit.index]!, unit.reason);
    const whole = await this.retrying(() => this.context.ingest(unit.events));
    if (typeof whole === 'string') return whole;
    // One event of the chunk can never be stored (an EventSchema refuses it, say), and a batch is
    // stored whole or not at all: find it by storing the events one by one.
    for (let i = 0; i < unit.events.length; i++) {
      const record = this.batch.records[unit.from + i]!;
      const single = await this.retrying(() => this.context.ingest([unit.events[i]!]));
      if (single === 'abandoned') return 'abandoned';
      if (typeof single === 'object') {
        const reason = `${single.refused.code}: ${single.refused.detail}`;
        if ((await this.deadLetter(record, reason)) === 'abandoned') return 'abandoned';
      }
    }
    return 'done';
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
      try {
        await operation();
        return 'done';
      } catch (error) {
        if (error instanceof BrokerError && !isRetriable(error)) return { refused: error };
        const fields = { topic: this.batch.topic, partition: this.batch.partition, attempt, err: error };
        const message = 'storing Kafka records was refused; retrying without committing their offsets';
        if (attempt === 1) this.context.log.warn(fields, message);
        else this.context.log.debug(fields, message);
      }
      if (this.mustEnd()) return 'abandoned';
      await abortableSleep(this.options.retryDelayMs(attempt), this.signal);
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

function isRetriable(error: BrokerError): boolean {
  return error.code === 'overloaded' || error.code === 'unavailable';
}
