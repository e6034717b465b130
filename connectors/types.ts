import type { Logger } from 'pino';
import type { CloudEvent } from '../broker/cloudevents/event.js';

/**
 * The contract every message connector (mqtt, kafka, nats, log) obeys, in the manner of
 * Benthos inputs: connect, read with acknowledgement, close. One shared test suite
 * (test/connectors/contract.ts) proves it for each connector against its real broker.
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
  ingest(events: readonly CloudEvent[]): Promise<void>;
  /**
   * Records a message that cannot become a CloudEvent (a malformed binding message, invalid
   * JSON in structured mode, a non-UTF-8 header) in the dead-letter list, durably, with the
   * reason; the connector then acks it so that it never blocks its partition or subscription.
   */
  deadLetter(message: MalformedMessage): Promise<void>;
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
  | { readonly status: 'stopped' };

export interface Connector {
  readonly sourceName: string;
  readonly kind: 'mqtt' | 'kafka' | 'nats' | 'log';
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
