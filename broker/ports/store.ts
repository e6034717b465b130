import type { Logger } from 'pino';
import type { CloudEvent } from '../cloudevents/event.js';
import type { JsonSchema } from './json-schema.js';

/** Where a delivery stands: first at the subscription's sink, then (if that failed for good) at its dead-letter sink. */
export type DeliveryPhase = 'sink' | 'deadletter';

/** One event accepted for storage, with the subscriptions it must reach. */
export interface AppendItem {
  event: CloudEvent;
  subscriptions: readonly string[];
  /** Set when the event goes straight to the dead-letter list (an EventSchema with onInvalid: deadletter). */
  deadLetter?: { reason: string; error: string; origin: string };
}

/**
 * A connector's read position, committed in the same transaction as the events read up to it, so
 * that a source which keeps no position of its own (a log file) resumes after a crash exactly
 * where its stored events end: no line lost, none stored twice. `value: null` forgets the key.
 */
export interface Checkpoint {
  /** The Source's name: each Source sees only its own keys. */
  source: string;
  key: string;
  value: string | null;
}

export interface DueDelivery {
  seq: number;
  subscription: string;
  phase: DeliveryPhase;
  /** Attempts already made in this phase. */
  attempts: number;
  event: CloudEvent;
}

export interface DeadLetterRecord {
  subscription: string;
  seq: number;
  reason: string;
  /**
   * The status code the sink's protocol last answered (an HTTP sink's HTTP status), 0 for none
   * (a timeout, a refused connection, a non-HTTP sink): the `deadletterstatus` extension.
   */
  status: number;
  error: string;
  dest: string;
  attempts: number;
  at: number;
}

/** One dead letter: the subscription (or origin) it belongs to and its event's sequence number. */
export interface DeadLetterKey {
  subscription: string;
  seq: number;
}

/**
 * Which dead letters a list, replay or purge is about: every criterion given must hold (none:
 * every dead letter). Times are ms since the epoch, compared with when the entry was dead-lettered.
 */
export interface DeadLetterSelection {
  /** The dead letters of this subscription (or origin, such as `eventschema/NAME`). */
  subscription?: string;
  /** Events with one of these CloudEvents `id`s. */
  ids?: readonly string[];
  /** Entries whose reason contains this text. */
  reason?: string;
  /** Dead-lettered at or after. */
  since?: number;
  /** Dead-lettered at or before. */
  until?: number;
}

/** Where a page of dead letters ended, in their order (`at`, then subscription, then seq). */
export interface DeadLetterCursor {
  at: number;
  subscription: string;
  seq: number;
}

/** What a requeue or purge did with each entry it was given, in one transaction. */
export interface DeadLetterChange {
  /** Requeued (replay) or removed (purge). */
  done: DeadLetterKey[];
  /** Left as they are, and why: gone already, its copy for the dead-letter sink still pending, ... */
  skipped: (DeadLetterKey & { why: string })[];
}

export interface DeadLetterEntry extends DeadLetterRecord {
  event: CloudEvent;
  /** What became of the copy sent to the dead-letter sink: pending, delivered, failed: ..., or none. */
  deadLetterSinkOutcome: string;
}

/**
 * Whether the store can commit: `failing` from a commit that failed for a reason of the store's
 * own (a full disk, an I/O error, a damaged file; not a write that broke a constraint) until a
 * commit succeeds again. The backend finds out by itself when it recovers, even when nothing
 * else writes (the SQLite store tries a one-row write every second while failing), so readiness
 * and paused subscriptions come back without help.
 */
export type StoreHealth =
  | { readonly status: 'ok' }
  | { readonly status: 'failing'; readonly since: number; readonly error: string };

/**
 * The durable store behind the delivery promise. Writes are asynchronous so that an
 * implementation can group many callers' writes into one commit; a write's promise resolves
 * only once it is durable.
 */
export interface EventStore {
  /** Stores events (and, in the same transaction, the connector positions they were read up to). */
  append(items: readonly AppendItem[], checkpoints?: readonly Checkpoint[]): Promise<number[]>;
  /** The positions a Source committed with its events (key -> value). */
  checkpoints(source: string): Map<string, string>;
  /** Deliveries of `subscription` due at `now`, oldest first, skipping those in `exclude`. */
  due(subscription: string, now: number, limit: number, exclude: ReadonlySet<number>): DueDelivery[];
  /** The earliest `next_at` after `now` for the subscription, if any. */
  nextDueAfter(subscription: string, now: number): number | undefined;
  /** The delivery reached its destination: forget it. */
  complete(subscription: string, seq: number, phase: DeliveryPhase): Promise<void>;
  /** A retryable failure: try again at `nextAt`. */
  reschedule(
    subscription: string,
    seq: number,
    attempts: number,
    nextAt: number,
    error: string,
    status: number,
  ): Promise<void>;
  /**
   * The sink failed for good: record the dead letter and either hand the delivery to the
   * dead-letter sink (phase `deadletter`, due now) or drop it.
   */
  deadLetter(record: DeadLetterRecord, toDeadLetterSink: boolean): Promise<void>;
  /** The dead-letter sink also failed for good: keep the note on the dead-letter entry. */
  deadLetterSinkFailed(subscription: string, seq: number, error: string): Promise<void>;
  /** Pending deliveries per subscription. */
  depths(): Map<string, number>;
  /** Pending deliveries of one subscription (cheaper than `depths` for one). */
  pending(subscription: string): number;
  deadLetterRecord(subscription: string, seq: number): DeadLetterRecord | undefined;
  /**
   * Dead letters oldest first (`at`, subscription, seq): those `options` selects, after `after`
   * when given, at most `limit` (default 1000).
   */
  deadLetters(
    options?: DeadLetterSelection & { limit?: number; after?: DeadLetterCursor },
  ): DeadLetterEntry[];
  /**
   * Puts dead letters back in the queue, in one transaction (a crash leaves each either still a
   * dead letter or queued, never both, never neither): for each entry that is still a dead
   * letter, a fresh delivery (attempt 0, due now) of the same stored event (so the same `id`) to
   * `to` (default: the entry's own subscription), and the entry removed. An entry is skipped when
   * it is no longer a dead letter, when its copy for the dead-letter sink is still pending, or
   * when the target already has a delivery of that event queued.
   */
  requeueDeadLetters(entries: readonly DeadLetterKey[], to?: string): Promise<DeadLetterChange>;
  /**
   * Removes dead letters, in one transaction. An entry whose copy for the dead-letter sink is
   * still pending is skipped (it is removed once that delivery settles); the event is pruned with
   * the delivered ones once nothing refers to it.
   */
  purgeDeadLetters(entries: readonly DeadLetterKey[]): Promise<DeadLetterChange>;
  /** Removes delivered events older than `before` (ms since the epoch); returns how many. */
  prune(before: number): Promise<number>;
  isOpen(): boolean;
  /** Whether commits succeed (readiness, and whether subscriptions may start deliveries). */
  health(): StoreHealth;
  close(): void;
}

/** What the broker hands a store backend when it opens the store. */
export interface StoreOpenOptions {
  /** The data directory for backends that keep files (`--data`, `Broker.spec.store.path`). */
  dir: string;
  /** `Broker.spec.store.synchronous`. */
  synchronous: 'full' | 'normal';
  /** Open an existing store for reading only (the `deadletters` command, beside a running broker). */
  readonly?: boolean;
  /**
   * Open only a store that exists, never create one (`deadletters replay` and `purge` without a
   * running broker). A store opened for writing is held for this process alone: opening it for
   * writing while a broker (or another command) holds it throws, naming the directory.
   */
  mustExist?: boolean;
  /** Called after every group commit with how many writes it held and how long it took. */
  onCommit?: (writes: number, seconds: number) => void;
  /** Called when a commit fails for a reason of the store's own (see `StoreHealth`). */
  onCommitFailed?: (error: unknown) => void;
  /**
   * Where the backend says what the operator must know that is not an error of a call: a new,
   * empty store created where the data directory already held files.
   */
  log?: Logger;
}

/**
 * What `open` throws when another process holds the store for writing (a running broker, or a
 * `deadletters replay` on its directory): the caller can say what to do instead.
 */
export class StoreInUseError extends Error {
  readonly dir: string;
  constructor(dir: string) {
    super(
      `the store in ${dir} is in use by another process (a running broker, or a deadletters command): ` +
        'only one process may write to it at a time',
    );
    this.name = 'StoreInUseError';
    this.dir = dir;
  }
}

/** How a store backend plugs into the broker, selected by `Broker.spec.store.type`. */
export interface StoreDescriptor {
  readonly kind: string;
  readonly summary: string;
  /**
   * JSON Schema (draft-07) of `Broker.spec.store` for this backend, `type` included; every
   * property has a description and examples. Generated into schemas/store.schema.json.
   */
  readonly settings: JsonSchema;
  /**
   * Opens (or creates) the store. Throws when the store must not be used, such as a damaged
   * file, with a message that names the file and says what to do: `start` prints it and exits 1.
   */
  open(options: StoreOpenOptions): EventStore;
}
