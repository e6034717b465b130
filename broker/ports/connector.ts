import type { Logger } from 'pino';
import type { CloudEvent } from '../cloudevents/event.js';
import type { Secret } from '../config/secrets.js';
import type { CeMappingSpec, SecretRef } from '../config/types.js';
import type { PathSegment } from '../config/yaml-document.js';
import type { TraceContext } from '../tracing/trace-context.js';
import type { JsonSchema } from './json-schema.js';

/**
 * The contract every connector (webhook, mqtt, kafka, nats, log) obeys, in the manner of
 * Benthos inputs: connect, read with acknowledgement, close. One shared test suite
 * (test/connectors/contract.ts) proves it for each registered connector against its real
 * broker (docs/architecture.md, "Ports").
 *
 * The rule that makes the delivery promise hold: a connector acknowledges a message to its
 * broker (MQTT PUBACK/PUBREC, Kafka offset commit, JetStream ack) only after `ingest` (or
 * `deadLetter`) has resolved for it, and never before.
 */
export interface ConnectorContext {
  /** The Source's name (`metadata.name`), used as the ingress label in metrics. */
  readonly sourceName: string;
  /**
   * Stores events durably and routes them. Resolves once committed. Rejects with a
   * BrokerError: `overloaded`/`unavailable` mean "not stored, try again later" (do not ack;
   * back off and retry, or let the broker redeliver); `schema_violation` and attribute errors
   * mean the message can never be stored as an event: record it with `deadLetter` and ack it.
   */
  ingest(events: readonly CloudEvent[], options?: IngestOptions): Promise<void>;
  /**
   * Records a message that cannot become a CloudEvent (a malformed binding message, invalid
   * JSON in structured mode, a non-UTF-8 header) in the dead-letter list, durably, with the
   * reason; the connector then acks it so that it never blocks its partition or subscription.
   */
  deadLetter(message: MalformedMessage, options?: IngestOptions): Promise<void>;
  /**
   * The positions this Source committed with its events (`IngestOptions.checkpoints`), as they
   * stood at the last commit: where a connector whose source keeps no position resumes.
   */
  checkpoints(): ReadonlyMap<string, string>;
  /** Called on every state change; /readyz and /metrics read it. */
  reportState(state: ConnectorState): void;
  /**
   * The members of a shared group whose sessions this connector is carrying while they are away
   * (the MQTT shared-group takeover), called whenever that list changes; /metrics reads it.
   * Optional: connectors whose brokers rebalance by themselves never call it.
   */
  reportAdoptedSessions?(members: readonly string[]): void;
  readonly log: Logger;
}

/** A read position of the connector's own, keyed as it likes; `value: null` forgets the key. */
export interface ConnectorCheckpoint {
  key: string;
  value: string | null;
}

export interface IngestOptions {
  /**
   * Positions committed in the same transaction as the events (exactly once into the store for
   * a source that keeps no position itself, such as a log file). Accepted with no events too.
   */
  checkpoints?: readonly ConnectorCheckpoint[];
  /**
   * The W3C trace context the message carried in its transport (an HTTP request's `traceparent`
   * and `tracestate` headers, `traceContextFromHeaders`), not in the event: an event without a
   * `traceparent` attribute takes it, and it is the parent of the ingest span (docs/architecture.md,
   * "Tracing"). Ignored by `deadLetter`.
   */
  trace?: TraceContext | undefined;
}

export interface MalformedMessage {
  /** Why the message was refused (the BrokerError detail). */
  reason: string;
  /** The raw payload, kept byte for byte. */
  payload: Uint8Array;
  /** Where it came from: topic, subject, partition/offset..., for the operator. */
  origin: Record<string, string | number>;
}

/** A connector's state, as a discriminated union (nats.js style). */
export type ConnectorState =
  | { readonly status: 'connecting' }
  | { readonly status: 'up' }
  | { readonly status: 'reconnecting'; readonly error: string; readonly attempt: number }
  /**
   * Running, but part of what it reads is unavailable (a log file gone or unreadable): reported
   * in /readyz and /metrics, without making the broker unready, since everything else flows.
   */
  | { readonly status: 'degraded'; readonly error: string }
  | { readonly status: 'stopped' };

export interface Connector {
  readonly sourceName: string;
  /** The Source block that configures it (`webhook`, `mqtt`, ...): its descriptor's kind. */
  readonly kind: string;
  /**
   * Starts reading. Resolves once the connector runs (not necessarily connected: a broker
   * that is down gives one clear log line and reconnection with backoff, never a crash).
   */
  start(context: ConnectorContext): Promise<void>;
  /**
   * Stops reading, waits for messages whose `ingest` is under way, acknowledges those that
   * were stored, and closes the connection. Unacknowledged messages are redelivered by the
   * broker later (at least once).
   */
  stop(): Promise<void>;
}

/**
 * A request for a connector that is fed by the broker's own HTTP port (the `webhook` Source at
 * `POST /webhooks/{name}`) rather than by a broker of its own: the raw body, untouched, so a
 * signature can be checked over it.
 */
export interface HttpIntakeRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: Buffer;
}

/**
 * A connector that the HTTP server hands requests to. Its "acknowledgement" is the response:
 * `receive` resolves (and the server answers 202) only after `ingest` resolved; it throws a
 * BrokerError otherwise, which the server turns into its JSON error answer.
 */
export interface HttpIntakeConnector extends Connector {
  /** Stores the request's events and resolves with how many were accepted. */
  receive(request: HttpIntakeRequest): Promise<number>;
}

export function isHttpIntake(connector: Connector): connector is HttpIntakeConnector {
  return typeof (connector as Partial<HttpIntakeConnector>).receive === 'function';
}

/** What a connector's builder gets from the configuration compiler. */
export interface ConnectorBuildContext<Spec = Record<string, unknown>> {
  /** The Source's `metadata.name`. */
  name: string;
  /** The connector block (`spec.mqtt`, `spec.kafka`, ...), already schema-valid. */
  spec: Spec;
  /** The Source's `ce` block. */
  ce: CeMappingSpec | undefined;
  /** Path of the connector block in the manifest, for problems: `['spec', 'mqtt']`. */
  path: readonly PathSegment[];
  /** Reports a configuration problem at a path inside the manifest (file:line:col). */
  report(path: readonly PathSegment[], message: string, options?: { offset?: number }): void;
  /** Resolves a secret reference; undefined in validate mode or when it is missing (then reported). */
  secret(ref: SecretRef, path: readonly PathSegment[]): Secret | undefined;
}

/**
 * How a connector plugs into the broker: one descriptor per connector, registered in the
 * composition root (plugins.ts). The manifest schema of the Source block, the list of kinds
 * and the reference tables in docs/ are generated from it (`npm run docs`).
 */
export interface ConnectorDescriptor<Spec = Record<string, unknown>> {
  /** The Source block that selects this connector: `spec.<kind>`. */
  readonly kind: string;
  /** One sentence for the reference: what the connector reads. */
  readonly summary: string;
  /**
   * The JSON Schema (draft-07) of the block. Every property has a `description`, an `examples`
   * list, and a `default` where the connector applies one.
   */
  readonly settings: JsonSchema;
  /**
   * Every root the `ce` templates of this kind may name (for a kind whose roots depend on its
   * block, all of them). With them the core still checks a Source's `ce` mapping when the
   * connector's own block failed its schema and is not built (config/set-aside.ts), so that one
   * run reports both.
   */
  readonly templateRoots?: readonly string[];
  /**
   * Builds the connector, reporting problems through the context (undefined when there are
   * any). Absent for a kind whose block is part of the manifest format but which this build
   * cannot run yet: such a Source is reported as not available.
   */
  readonly build?: (context: ConnectorBuildContext<Spec>) => Connector | undefined;
}
