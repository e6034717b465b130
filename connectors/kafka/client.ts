/**
 * The only module that touches kafkajs. kafkajs is unmaintained, so everything else in the
 * Kafka Source talks to the small interface below (records, batches with commit, a consumer
 * session that ends when it crashes), and replacing the library means rewriting this file.
 */
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import kafkajs, {
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  Kafka,
  type KafkaConfig,
  type KafkaMessage,
  type LogEntry,
  logLevel,
  type SASLOptions,
} from 'kafkajs';
import type { Logger } from 'pino';
import { type Decompress, decompressLz4, decompressSnappy, decompressZstd } from './codecs.js';
import type { KafkaTlsOptions, SaslMechanism } from './settings.js';

/**
 * kafkajs reads gzip batches itself and refuses the other codecs unless one is registered, in
 * its one global table. Registered here once, when the module loads, for every session
 * (codecs.ts says which library reads which).
 */
function readOnlyCodec(name: string, decompress: Decompress) {
  const codec = {
    compress: async (): Promise<Buffer> => {
      throw new Error(`the Kafka Source only reads ${name} record batches`);
    },
    async decompress(compressed: Buffer): Promise<Buffer> {
      try {
        return await decompress(compressed);
      } catch (error) {
        const reason = (error as Error).message;
        throw new Error(`a ${name}-compressed record batch cannot be decompressed: ${reason}`, {
          cause: error,
        });
      }
    },
  };
  return () => codec;
}
// Through the default export: Node's ESM loader does not see these two among kafkajs's named exports.
const { CompressionCodecs, CompressionTypes } = kafkajs;
CompressionCodecs[CompressionTypes.Snappy] = readOnlyCodec('snappy', decompressSnappy);
CompressionCodecs[CompressionTypes.LZ4] = readOnlyCodec('lz4', decompressLz4);
CompressionCodecs[CompressionTypes.ZSTD] = readOnlyCodec('zstd', decompressZstd);

/** One Kafka record, as the rest of the Source sees it. */
export interface KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  /** A 64-bit offset, kept as decimal text so that no digit is lost. */
  readonly offset: string;
  readonly key: Buffer | null;
  /** Null for a tombstone (a record without value). */
  readonly value: Buffer | null;
  /** Milliseconds since the epoch: the record's CreateTime, or LogAppendTime when the topic says so. */
  readonly timestamp: number;
  /** Every header as it came, repeated names included; a value may be null. */
  readonly headers: readonly KafkaHeader[];
}

export interface KafkaHeader {
  readonly name: string;
  readonly value: Buffer | null;
}

/** The records of one partition fetched together, and the means to acknowledge them. */
export interface FetchedBatch {
  readonly topic: string;
  readonly partition: number;
  /** In offset order. */
  readonly records: readonly KafkaRecord[];
  /** Keeps the group membership alive during long work. Rejects when the group rebalances. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping: start no new work. */
  isRunning(): boolean;
  /**
   * Marks every record up to and including `offset` (one of this batch's) as processed: the
   * consumer fetches after it, and the group's committed offset moves past it.
   */
  commitThrough(offset: string): Promise<void>;
}

export interface ConnectionSettings {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly ssl: true | KafkaTlsOptions | undefined;
  readonly sasl: { mechanism: SaslMechanism; username: string; password: string } | undefined;
}

export interface ConsumerSettings {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly fromBeginning: boolean;
  readonly sessionTimeoutMs: number;
  /** Partitions processed at the same time. */
  readonly concurrency: number;
}

/** What a session tells its owner; each callback may come any number of times. */
export interface SessionObserver {
  /** The consumer joined its group and got these partitions. */
  joined(assignment: Readonly<Record<string, readonly number[]>>): void;
  /** A fetch came back (records or not): the consumer reads. */
  fetched(): void;
  /** A connection to a broker failed; the client retries on its own for a while. */
  connectionError(error: Error): void;
  /** The consumer gave up (its retries ran out, or the error cannot be retried); it is disconnected. */
  crashed(error: Error): void;
}

/** Why a session failed, in words for an operator. */
export interface KafkaFailure {
  readonly kind: 'unreachable' | 'authentication' | 'authorization' | 'topic' | 'other';
  readonly message: string;
}

/** One connection to the cluster: lists topics, runs at most one consumer, and closes. */
export class KafkaSession {
  private readonly kafka: Kafka;
  private consumer: Consumer | undefined;
  private closed = false;

  constructor(
    connection: ConnectionSettings,
    private readonly observer: SessionObserver,
    log: Logger,
  ) {
    const config: KafkaConfig = {
      clientId: connection.clientId,
      brokers: [...connection.brokers],
      connectionTimeout: 3_000,
      requestTimeout: 30_000,
      // A few quick retries inside the client ride out a broker restart; past them the
      // consumer crashes and the Source starts a new session with its own, longer backoff.
      retry: { initialRetryTime: 300, maxRetryTime: 5_000, retries: 4 },
      logLevel: logLevel.INFO,
      logCreator: () => (entry: LogEntry) => forwardLog(log, entry),
      socketFactory: ({ host, port, ssl, onConnect }) => {
        const socket = openSocket(host, port, ssl, onConnect);
        socket.on('error', (error) => {
          if (!this.closed) this.observer.connectionError(error);
        });
        return socket;
      },
    };
    if (connection.ssl !== undefined) config.ssl = connection.ssl === true ? true : { ...connection.ssl };
    if (connection.sasl !== undefined) config.sasl = saslOptions(connection.sasl);
    this.kafka = new Kafka(config);
  }

  /** Every topic name in the cluster, internal ones (`__consumer_offsets`...) left out. */
  async listTopics(): Promise<string[]> {
    const admin = this.kafka.admin({ retry: { retries: 2 } });
    await admin.connect();
    try {
      return (await admin.listTopics()).filter((name) => !name.startsWith('__'));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /**
   * Connects, joins the group and runs `handle` for every fetched batch (several partitions
   * at once, one batch per partition at a time). Offsets are committed only through
   * FetchedBatch.commitThrough. Resolves once the consumer runs; failures after that come
   * through the observer's `crashed`.
   */
  async consume(settings: ConsumerSettings, handle: (batch: FetchedBatch) => Promise<void>): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: settings.groupId,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: Math.min(3_000, Math.floor(settings.sessionTimeoutMs / 3)),
      // An idle fetch waits this long on the broker; it also bounds how long a stop waits.
      maxWaitTimeInMs: 1_000,
      retry: { restartOnFailure: async () => false },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      if (!this.closed) this.observer.joined(event.payload.memberAssignment);
    });
    consumer.on(consumer.events.FETCH, () => {
      if (!this.closed) this.observer.fetched();
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (!this.closed) this.observer.crashed(event.payload.error);
    });
    // close() may come while any of these steps is under way; the consumer must not go on
    // (and join the group) after it, so each step is followed by a look at `closed`.
    const steps = [
      () => consumer.connect(),
      () => consumer.subscribe({ topics: [...settings.topics], fromBeginning: settings.fromBeginning }),
      () =>
        consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: settings.concurrency,
          eachBatch: (payload) => handle(toFetchedBatch(payload)),
        }),
    ];
    for (const step of steps) {
      if (this.closed) break;
      await step();
    }
    if (this.closed) await consumer.disconnect().catch(() => undefined);
  }

  /** Stops the consumer (waiting for the batches in hand) and closes every connection. */
  async close(): Promise<void> {
    this.closed = true;
    await this.consumer?.disconnect().catch(() => undefined);
  }
}

function saslOptions(sasl: NonNullable<ConnectionSettings['sasl']>): SASLOptions {
  const { username, password } = sasl;
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}

function toFetchedBatch(payload: EachBatchPayload): FetchedBatch {
  const { batch } = payload;
  const { topic, partition } = batch;
  return {
    topic,
    partition,
    records: batch.messages.map((message) => toRecord(topic, partition, message)),
    heartbeat: () => payload.heartbeat(),
    isRunning: () => payload.isRunning() && !payload.isStale(),
    async commitThrough(offset) {
      // resolveOffset also steps over transaction markers after the batch's last record.
      payload.resolveOffset(offset);
      // kafkajs keys its resolved offsets by partition as an object key: a string.
      const next = payload
        .uncommittedOffsets()
        .topics.find((t) => t.topic === topic)
        ?.partitions.find((p) => Number(p.partition) === partition)?.offset;
      if (next !== undefined)
        await payload.commitOffsetsIfNecessary({
          topics: [{ topic, partitions: [{ partition, offset: next }] }],
        });
    },
  };
}

function toRecord(topic: string, partition: number, message: KafkaMessage): KafkaRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    timestamp: Number(message.timestamp),
    headers: message.headers ? flattenHeaders(message.headers) : [],
  };
}

function flattenHeaders(headers: IHeaders): KafkaHeader[] {
  const list: KafkaHeader[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const values = Array.isArray(value) ? value : [value];
    for (const one of values) {
      list.push({ name, value: one === undefined || one === null ? null : Buffer.from(one) });
    }
  }
  return list;
}

function openSocket(host: string, port: number, ssl: object | undefined, onConnect: () => void): Socket {
  const socket = ssl
    ? tlsConnect({ host, port, ...(isIP(host) === 0 ? { servername: host } : {}), ...ssl }, onConnect)
    : netConnect({ host, port }, onConnect);
  socket.setKeepAlive(true, 60_000);
  return socket;
}

/**
 * kafkajs logs every retry and crash at error level; the Source reports those itself, once
 * and in plain words, so the library's lines go to debug.
 */
function forwardLog(log: Logger, entry: LogEntry): void {
  if (!log.isLevelEnabled('debug')) return;
  const { message, timestamp: _timestamp, stack: _stack, ...extra } = entry.log;
  log.debug({ kafkajs: entry.namespace, ...extra }, message);
}

/** Describes a kafkajs error for an operator: one kind, one sentence, no secret. */
export function describeKafkaFailure(error: unknown, brokers: readonly string[]): KafkaFailure {
  const chain: Error[] = [];
  for (let e: unknown = error; e instanceof Error && chain.length < 8; e = e.cause) chain.push(e);
  const root = chain.at(-1);
  const text = root?.message ?? String(error);
  const where = brokers.join(', ');
  const has = (test: (e: Error & { type?: string; code?: string }) => boolean) =>
    chain.some((e) => test(e as Error & { type?: string; code?: string }));
  if (has((e) => e.name === 'KafkaJSSASLAuthenticationError' || e.type === 'SASL_AUTHENTICATION_FAILED'))
    return { kind: 'authentication', message: `Kafka at ${where} refused the credentials: ${text}` };
  if (has((e) => typeof e.type === 'string' && e.type.endsWith('AUTHORIZATION_FAILED')))
    return { kind: 'authorization', message: `Kafka at ${where} denied access: ${text}` };
  if (has((e) => e.type === 'UNKNOWN_TOPIC_OR_PARTITION'))
    return { kind: 'topic', message: `a topic does not exist on Kafka at ${where}: ${text}` };
  if (
    has(
      (e) =>
        e.name === 'KafkaJSConnectionError' ||
        e.name === 'KafkaJSConnectionClosedError' ||
        e.name === 'KafkaJSBrokerNotFound' ||
        e.name === 'KafkaJSRequestTimeoutError' ||
        e.name === 'KafkaJSNoBrokerAvailableError' ||
        /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|EAI_AGAIN/.test(e.code ?? e.message),
    )
  )
    return { kind: 'unreachable', message: `cannot reach Kafka at ${where}: ${text}` };
  return { kind: 'other', message: `Kafka at ${where}: ${text}` };
}
