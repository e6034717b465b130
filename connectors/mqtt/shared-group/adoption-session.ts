import { connect, type IClientOptions, type IConnackPacket, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { AckGate, type GatedHandler, IN_FLIGHT_MAXIMUM } from '../ack-gate.js';
import { disconnect } from '../client-helpers.js';
import { describeConnectionError, describeServerDisconnect } from '../connection-errors.js';
import { type Announcement, withoutBy } from './announcement.js';
import type { GroupAnnouncer } from './announcer.js';

/** MQTT 5 reason code 0x8E (3.14.2.1): another connection took the session over. */
const SESSION_TAKEN_OVER = 0x8e;

/** What every adoption of a takeover shares, and how an adoption reports back to it. */
export interface AdoptionContext {
  /** This member's own clientId, named as the adopter (`by`) in the `adopted` announcement. */
  readonly clientId: string;
  readonly group: string;
  readonly url: string;
  readonly displayUrl: string;
  /** What every connection of the Source shares: protocol, credentials, TLS. */
  readonly connection: IClientOptions;
  /** The Source's message handler: an adopted session's messages are stored like its own. */
  readonly handle: GatedHandler;
  readonly announcer: GroupAnnouncer;
  /** Whether the takeover has stopped: a connection that comes up after that adopts nothing. */
  readonly stopped: () => boolean;
  /** The member's session is now this connection's. */
  readonly onAdopted: (session: AdoptionSession) => void;
  /** The connection closed, for whatever reason; the session's state says how it went. */
  readonly onClosed: (session: AdoptionSession) => void;
  readonly log: Logger;
}

/**
 * One attempt to carry an absent member's session: a connection with the member's clientId,
 * without clean start and without subscribing, which takes over the session, its queued and
 * unacknowledged messages and its turns in the shared subscription, and stores them through the
 * Source's own handler (acknowledged only once stored). It ends when the member comes back (its
 * CONNECT takes the session over again), when the takeover stops (handBack), or when it fails;
 * it never reconnects.
 */
export class AdoptionSession {
  readonly client: MqttClient;
  private readonly gate: AckGate;
  /** What the CONNACK said: the session is this connection's now, or there was none to take. */
  private outcome: 'connecting' | 'adopted' | 'no-session' = 'connecting';
  private takenOver = false;
  private lastError: string | undefined;

  constructor(
    readonly member: string,
    /** The member's announcement when it was adopted. */
    readonly announcement: Announcement,
    private readonly context: AdoptionContext,
  ) {
    this.client = connect(context.url, {
      ...context.connection,
      manualConnect: true,
      clientId: member,
      // Resume the member's session, never start a new one; and no subscription: the session
      // already holds the shared subscription.
      clean: false,
      resubscribe: false,
      // Never reconnect as the member: a closed adoption means the member came back or another
      // member took over; a failed one is announced by this connection's Will.
      reconnectPeriod: 0,
      // The MQTT broker sends at most the window's worth of unacknowledged messages (MQTT 5.0 4.9).
      properties: { sessionExpiryInterval: announcement.sessionExpiry, receiveMaximum: IN_FLIGHT_MAXIMUM },
      // If this process dies, the member is announced offline again, and another survivor adopts it.
      will: context.announcer.willOf({ ...withoutBy(announcement), state: 'offline' }),
    });
    this.gate = new AckGate(this.client, context.handle);
    this.client.on('connect', (connack) => void this.onConnected(connack));
    this.client.on('error', (error) => {
      this.lastError = describeConnectionError(error);
    });
    this.client.on('disconnect', (packet) => {
      if (packet.reasonCode === SESSION_TAKEN_OVER) this.takenOver = true;
      else this.lastError = describeServerDisconnect(packet.reasonCode);
    });
    this.client.on('close', () => context.onClosed(this));
  }

  /** The MQTT broker handed the member's session over (CONNACK with Session Present). */
  get adopted(): boolean {
    return this.outcome === 'adopted';
  }

  /** The member had no session left: nothing to adopt. */
  get noSession(): boolean {
    return this.outcome === 'no-session';
  }

  connect(): void {
    this.client.connect();
  }

  /** Why the session could not be reached, for a connection that closed before adopting it. */
  unreachedReason(): string {
    return this.lastError ?? 'the connection closed before the MQTT broker answered';
  }

  /** Why an adopted session was let go, once its connection has closed. */
  releaseReason(): string {
    // Mosquitto 2.0 closes a taken-over connection without a DISCONNECT; newer brokers send 0x8E.
    return this.takenOver
      ? 'the session was taken over'
      : `the connection closed${this.lastError ? ` (${this.lastError})` : ''}`;
  }

  /** Resolves once no adopted message is being stored, or after `timeoutMs`; true when idle. */
  settled(timeoutMs: number): Promise<boolean> {
    return this.gate.settled(timeoutMs);
  }

  /** Ends the client for good once its connection has closed (it would never reconnect anyway). */
  dispose(): void {
    this.client.end(true);
  }

  /**
   * Gives the session back to the group: announced offline (so another survivor takes it) and
   * disconnected cleanly, which keeps it and its unacknowledged messages.
   */
  async handBack(): Promise<void> {
    const { context, client } = this;
    if (this.adopted && client.connected) {
      context.log.info(
        { member: this.member, group: context.group },
        `mqtt: handing the session of member ${this.member} of shared group ${context.group} back to the group`,
      );
      await context.announcer.announce(client, { ...withoutBy(this.announcement), state: 'offline' });
    }
    await disconnect(client);
  }

  private async onConnected(connack: IConnackPacket): Promise<void> {
    const { context, member, client } = this;
    if (context.stopped()) return;
    if (!connack.sessionPresent) {
      // The member's session is gone (it expired): this CONNECT made an empty one, which ends
      // with the connection instead of staying for ever.
      this.outcome = 'no-session';
      context.log.info(
        { member, group: context.group },
        `mqtt: member ${member} of shared group ${context.group} has no session on the MQTT broker any more: nothing to take over`,
      );
      await client.endAsync(false, { reasonCode: 0, properties: { sessionExpiryInterval: 0 } }).catch(() => {
        client.end(true);
      });
      return;
    }
    this.outcome = 'adopted';
    context.onAdopted(this);
    context.log.info(
      { member, group: context.group, url: context.displayUrl },
      `mqtt: member ${member} of shared group ${context.group} is offline: taking over its session (its queued messages and its share) until it returns`,
    );
    await context.announcer.announce(client, {
      ...withoutBy(this.announcement),
      state: 'adopted',
      by: context.clientId,
    });
  }
}
