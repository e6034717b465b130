import { setTimeout as sleep } from 'node:timers/promises';
import {
  connect,
  type IClientOptions,
  type IConnackPacket,
  type ISubscriptionMap,
  type MqttClient,
} from 'mqtt';
import type { MqttMessage } from '../../broker/bindings/mqtt.js';
import type { CloudEvent } from '../../broker/cloudevents/event.js';
import { backoffMs } from '../../broker/dispatch/backoff.js';
import { BrokerError } from '../../broker/errors.js';
import type { Connector, ConnectorContext } from '../../broker/ports/connector.js';
import { AckGate, IN_FLIGHT_MAXIMUM, type PublishPacket } from './ack-gate.js';
import { disconnect } from './client-helpers.js';
import { describeConnectionError, describeServerDisconnect } from './connection-errors.js';
import { IngestLane } from './ingest-lane.js';
import type { MqttEventReader } from './message-to-event.js';
import type { MqttSettings } from './settings.js';
import { SharedGroupTakeover } from './shared-group/takeover.js';
import { subscriptionFilter, topicMatches } from './topic-filter.js';

/** Reconnection waits: from 1 s, doubling, to 30 s, with jitter (mqtt.js reconnectPeriod). */
const RECONNECT_MIN_MS = 1_000;
const RECONNECT_MAX_MS = 30_000;
/** Waits between attempts to record a dead letter the broker could not take yet. */
const STORE_RETRY_MIN_MS = 100;
const STORE_RETRY_MAX_MS = 5_000;
/** How long stop() waits for a message being stored before leaving it unacknowledged. */
const STOP_GRACE_MS = 3_000;

/**
 * The `mqtt` Source: a persistent MQTT session (fixed clientId, no clean start) subscribed to
 * the Source's topics, each message turned into a CloudEvent and acknowledged only once it is
 * stored (see AckGate), with up to IN_FLIGHT_MAXIMUM messages of a connection in flight and
 * their events stored in batches (see IngestLane). Reconnects with backoff; a broker that is down
 * or refuses the credentials gives one error line per distinct cause and the `reconnecting`
 * state, never a crash.
 * In an MQTT 5 shared group, it also takes over the sessions of members that are away (see
 * SharedGroupTakeover), storing their messages the same way.
 */
export class MqttSource implements Connector {
  readonly kind = 'mqtt' as const;
  private client: MqttClient | undefined;
  private gate: AckGate | undefined;
  private takeover: SharedGroupTakeover | undefined;
  /** The connection is up, subscribed and announced: this member counts as online in its group. */
  private online = false;
  private context: ConnectorContext | undefined;
  private readonly stopping = new AbortController();
  private subscribed = false;
  private attempt = 0;
  private lastError: string | undefined;
  private lastLoggedError: string | undefined;
  private readonly warnedTopics = new Set<string>();
  /** Where the events of each connection are batched, by the connection's signal (see GatedHandler). */
  private readonly lanes = new WeakMap<AbortSignal, IngestLane>();

  constructor(
    readonly sourceName: string,
    private readonly settings: MqttSettings,
    private readonly read: MqttEventReader,
  ) {}

  async start(context: ConnectorContext): Promise<void> {
    if (this.client) throw new Error(`mqtt source ${this.sourceName} is already started`);
    this.context = context;
    const { settings } = this;
    // What every connection of this Source shares (its own, and those of adopted sessions).
    const connection: IClientOptions = {
      protocolVersion: settings.protocolVersion,
      connectTimeout: 10_000,
      ...(settings.username !== undefined ? { username: settings.username } : {}),
      ...(settings.password !== undefined ? { password: settings.password.bytes() } : {}),
      ...(settings.tls
        ? {
            rejectUnauthorized: settings.tls.rejectUnauthorized,
            ...(settings.tls.ca ? { ca: settings.tls.ca.bytes() } : {}),
            ...(settings.tls.cert ? { cert: settings.tls.cert.bytes() } : {}),
            ...(settings.tls.key ? { key: settings.tls.key.bytes() } : {}),
          }
        : {}),
    };
    if (settings.membershipTopic !== undefined && settings.sharedGroup !== undefined) {
      this.takeover = new SharedGroupTakeover({
        clientId: settings.clientId,
        group: settings.sharedGroup,
        prefix: settings.membershipTopic,
        topics: settings.topics,
        sessionExpirySeconds: settings.sessionExpirySeconds,
        url: settings.url,
        displayUrl: settings.displayUrl,
        connection,
        handle: (packet, connectionLost) => this.onMessage(packet, connectionLost),
        selfOnline: () => this.online && this.client?.connected === true,
        onAdoptedChanged: (members) => context.reportAdoptedSessions?.(members),
        log: context.log,
      });
    } else if (settings.sharedGroup !== undefined) {
      context.log.info(
        { group: settings.sharedGroup, protocolVersion: settings.protocolVersion },
        `mqtt: shared group ${settings.sharedGroup} over MQTT 3.1.1: while a member is away, its share of the messages waits in its session until it returns (taking it over needs protocolVersion 5)`,
      );
    }
    const options: IClientOptions = {
      ...connection,
      manualConnect: true,
      clientId: settings.clientId,
      // A persistent session: the MQTT broker keeps the subscriptions and queues QoS 1/2
      // messages while this process is away, and sends unacknowledged ones again.
      clean: false,
      reconnectPeriod: RECONNECT_MIN_MS,
      // A refused CONNECT (wrong password, say) is retried too: the operator may fix the broker side.
      reconnectOnConnackError: true,
      // Subscriptions are made in onConnect, which knows whether the session was kept.
      resubscribe: false,
      // In a shared group, the MQTT broker announces this member offline when the connection dies.
      ...(this.takeover ? { will: this.takeover.ownWill() } : {}),
      // MQTT 5: a session with expiry 0 ends with the connection (3.1.2.11.2), so one is needed;
      // and the MQTT broker sends at most the window's worth of unacknowledged messages (4.9).
      ...(settings.protocolVersion === 5
        ? {
            properties: {
              sessionExpiryInterval: settings.sessionExpirySeconds,
              receiveMaximum: IN_FLIGHT_MAXIMUM,
            },
          }
        : {}),
    };
    const client = connect(settings.url, options);
    this.client = client;
    this.gate = new AckGate(client, (packet, connectionLost) => this.onMessage(packet, connectionLost));
    client.on('connect', (connack) => void this.onConnect(client, connack));
    client.on('error', (error) => {
      this.lastError = describeConnectionError(error);
    });
    client.on('disconnect', (packet) => {
      this.lastError = describeServerDisconnect(packet.reasonCode);
    });
    client.on('close', () => this.onClose(client));
    context.reportState({ status: 'connecting' });
    this.takeover?.start();
    client.connect();
  }

  async stop(): Promise<void> {
    const { client, gate, context } = this;
    if (!client || !gate || !context || this.stopping.signal.aborted) return;
    // From here on no new message is taken, and retries of unstored ones give up: those stay
    // unacknowledged in the session and the MQTT broker sends them again.
    this.stopping.abort();
    this.online = false; // adopts no one from here on
    const { takeover } = this;
    const idle = await Promise.all([gate.settled(STOP_GRACE_MS), takeover?.settled(STOP_GRACE_MS) ?? true]);
    if (!idle.every(Boolean))
      context.log.warn(
        'a message was still being stored when the source stopped; it stays unacknowledged and the MQTT broker will send it again',
      );
    if (takeover) {
      // Adopted sessions go back to the group, and so does this member's own: its session keeps
      // getting its share of the group's messages while it is stopped.
      await takeover.stop();
      if (client.connected) await takeover.announceOffline(client);
    }
    await disconnect(client);
    context.reportState({ status: 'stopped' });
  }

  private async onConnect(client: MqttClient, connack: IConnackPacket): Promise<void> {
    const { settings, context } = this;
    if (!context || this.stopping.signal.aborted) return;
    this.lastError = undefined;
    this.lastLoggedError = undefined;
    this.attempt = 0;
    client.options.reconnectPeriod = RECONNECT_MIN_MS;
    context.log.info(
      { url: settings.displayUrl, clientId: settings.clientId, sessionPresent: connack.sessionPresent },
      'mqtt connected',
    );
    if (this.subscribed && !connack.sessionPresent)
      context.log.warn(
        { url: settings.displayUrl, clientId: settings.clientId },
        'mqtt: the MQTT broker did not keep the session (no persistence, or it expired): messages published while disconnected are lost',
      );
    // Subscribe once per start (the topics may have changed since the session was made), and
    // again whenever the MQTT broker did not keep the session.
    if (!this.subscribed || !connack.sessionPresent) {
      try {
        await this.subscribe(client);
      } catch (error) {
        // The connection closed during SUBSCRIBE: the next connection tries again.
        context.log.debug({ err: error }, 'mqtt subscribe interrupted');
        return;
      }
      this.subscribed = true;
    }
    if (!client.connected || this.stopping.signal.aborted) return;
    context.reportState({ status: 'up' });
    if (this.takeover) {
      await this.takeover.announceOnline(client);
      if (!client.connected || this.stopping.signal.aborted) return;
      this.online = true;
      this.takeover.reconcile();
    }
  }

  private async subscribe(client: MqttClient): Promise<void> {
    const { settings, context } = this;
    const subscriptions: ISubscriptionMap = {};
    for (const topic of settings.topics) {
      subscriptions[subscriptionFilter(topic, settings.sharedGroup)] = {
        qos: settings.qos,
        // MQTT 5 Retain Handling (3.8.3.1): 2 = never send retained messages; 1 = only when the
        // subscription is new, so that a restart with a kept session does not take them again.
        ...(settings.protocolVersion === 5 ? { rh: settings.retained === 'ignore' ? 2 : 1 } : {}),
      };
    }
    const granted = await client.subscribeAsync(subscriptions);
    for (const grant of granted) {
      if (grant.qos >= 0x80) {
        context?.log.error(
          { topic: grant.topic, reasonCode: grant.qos },
          `the MQTT broker refused the subscription to ${grant.topic} (reason code ${grant.qos}); check the topic and the broker ACL`,
        );
      } else if (grant.qos < settings.qos) {
        context?.log.warn(
          { topic: grant.topic, requested: settings.qos, granted: grant.qos },
          `the MQTT broker granted QoS ${grant.qos} for ${grant.topic}, below the requested ${settings.qos}`,
        );
      }
    }
  }

  private onClose(client: MqttClient): void {
    const { context, settings } = this;
    this.online = false;
    if (!context || this.stopping.signal.aborted) return;
    this.attempt += 1;
    const error = this.lastError ?? 'the connection to the MQTT broker closed';
    this.lastError = undefined;
    // mqtt.js has already scheduled the next attempt with the current period; this one sets the
    // wait after that, so waits grow 1 s, 2 s, 4 s ... up to 30 s while the broker stays away.
    client.options.reconnectPeriod = Math.min(
      RECONNECT_MAX_MS,
      backoffMs(
        { retry: 0, backoffPolicy: 'exponential', backoffDelayMs: RECONNECT_MIN_MS },
        this.attempt + 1,
      ),
    );
    if (error !== this.lastLoggedError) {
      this.lastLoggedError = error;
      context.log.error(
        { url: settings.displayUrl, clientId: settings.clientId, error },
        `mqtt: ${settings.displayUrl}: ${error}; reconnecting with backoff`,
      );
    }
    context.reportState({ status: 'reconnecting', error, attempt: this.attempt });
  }

  /** Stores one message (or its dead letter); true when it may be acknowledged. */
  private async onMessage(packet: PublishPacket, connectionLost: AbortSignal): Promise<boolean> {
    const { context, settings } = this;
    if (!context || this.stopping.signal.aborted) return false;
    if (packet.retain && settings.retained === 'ignore') return true;
    if (!settings.topics.some((filter) => topicMatches(filter, packet.topic))) {
      this.warnLeftover(packet.topic);
      return true;
    }
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const message: MqttMessage = {
      topic: packet.topic,
      payload,
      contentType: packet.properties?.contentType,
      userProperties: packet.properties?.userProperties ?? {},
    };
    let event: CloudEvent | undefined;
    let malformed: string | undefined;
    try {
      event = this.read(message);
    } catch (error) {
      // The handler must always settle with a decision: a message left undecided would hold
      // up every later message of the connection.
      if (error instanceof BrokerError) malformed = `${error.code}: ${error.detail}`;
      else {
        context.log.error({ err: error, topic: packet.topic }, 'mqtt: unexpected error reading a message');
        malformed = `internal: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    if (event) {
      const outcome = await this.laneOf(context, connectionLost).store(event);
      if (outcome === 'stored') return true;
      if (outcome === 'abandoned') return false;
      // Refused for good (an EventSchema with onInvalid: reject, say): kept as a dead letter and
      // acknowledged, so the session goes on.
      malformed = `${outcome.code}: ${outcome.detail}`;
    }
    return this.storeDeadLetter(context, packet, payload, malformed ?? 'unreadable message', connectionLost);
  }

  /** The lane that batches the events of the connection `connectionLost` belongs to. */
  private laneOf(context: ConnectorContext, connectionLost: AbortSignal): IngestLane {
    let lane = this.lanes.get(connectionLost);
    if (!lane) {
      lane = new IngestLane({
        ingest: (events) => context.ingest(events),
        signal: AbortSignal.any([this.stopping.signal, connectionLost]),
        log: context.log,
      });
      this.lanes.set(connectionLost, lane);
    }
    return lane;
  }

  /** Records a message that cannot be stored as an event; true once it may be acknowledged. */
  private async storeDeadLetter(
    context: ConnectorContext,
    packet: PublishPacket,
    payload: Buffer,
    reason: string,
    connectionLost: AbortSignal,
  ): Promise<boolean> {
    for (let attempt = 1; !this.stopping.signal.aborted && !connectionLost.aborted; attempt++) {
      try {
        await context.deadLetter({ reason, payload, origin: { topic: packet.topic, qos: packet.qos } });
        return true;
      } catch (error) {
        if (attempt === 1)
          context.log.warn(
            { topic: packet.topic, err: error },
            'mqtt: the message could not be stored yet; it stays unacknowledged and is tried again',
          );
      }
      const wait = Math.min(
        STORE_RETRY_MAX_MS,
        backoffMs({ retry: 0, backoffPolicy: 'exponential', backoffDelayMs: STORE_RETRY_MIN_MS }, attempt),
      );
      const give = AbortSignal.any([this.stopping.signal, connectionLost]);
      await sleep(wait, undefined, { signal: give }).catch(() => undefined);
    }
    return false;
  }

  /**
   * A kept session still holds the subscriptions of an earlier configuration; their messages
   * are not this Source's any more, so they are acknowledged and dropped, with one warning per topic.
   */
  private warnLeftover(topic: string): void {
    if (this.warnedTopics.has(topic) || this.warnedTopics.size >= 100) return;
    this.warnedTopics.add(topic);
    this.context?.log.warn(
      { topic, topics: this.settings.topics },
      "mqtt: dropping a message on a topic outside this Source's topics (a subscription left in the persistent session by an earlier configuration)",
    );
  }
}
