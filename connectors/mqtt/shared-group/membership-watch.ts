import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { describeConnectionError } from '../connection-errors.js';
import { type Announcement, parseAnnouncement } from './announcement.js';
import { memberOf, membersTopic } from './membership-topics.js';

/** Reconnection period of the connection that watches the membership topics. */
const WATCH_RECONNECT_MS = 2_000;

export interface MembershipWatchOptions {
  /** The Source's own clientId; the watch connects as `<clientId>-members`. */
  readonly clientId: string;
  readonly group: string;
  /** The membership topic prefix (`membershipTopic`). */
  readonly prefix: string;
  readonly url: string;
  /** What every connection of the Source shares: protocol, credentials, TLS. */
  readonly connection: IClientOptions;
  /**
   * Called for every message on a member's topic, `changed` when it changed `members` (a message
   * that is not an announcement changes nothing, but is still news about that member).
   */
  readonly onNews: (member: string, changed: boolean) => void;
  readonly log: Logger;
}

/**
 * The group as its members last announced themselves: a connection of its own (clean start, no
 * session, so it never holds messages for anyone) subscribed to the group's membership topics,
 * whose retained messages give every member's latest announcement.
 */
export class MembershipWatch {
  private readonly latest = new Map<string, Announcement>();
  private client: MqttClient | undefined;

  constructor(private readonly options: MembershipWatchOptions) {}

  /** Each member's latest announcement, by clientId. */
  get members(): ReadonlyMap<string, Announcement> {
    return this.latest;
  }

  start(): void {
    const { options } = this;
    const filter = `${membersTopic(options.prefix, options.group)}/+`;
    const client = connect(options.url, {
      ...options.connection,
      manualConnect: true,
      clientId: `${options.clientId}-members`,
      clean: true,
      reconnectPeriod: WATCH_RECONNECT_MS,
      resubscribe: false,
      ...(options.connection.protocolVersion === 5 ? { properties: { sessionExpiryInterval: 0 } } : {}),
    });
    this.client = client;
    let refusal: string | undefined;
    client.on('connect', () => {
      refusal = undefined;
      void this.subscribe(client, filter);
    });
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('error', (error: Error & { code?: unknown }) => {
      const description = describeConnectionError(error);
      // The Source's own connection reports an MQTT broker that is down or unreachable; a CONNACK
      // refusing this connection alone (an ACL on clientIds, say) is reported here, once.
      if (typeof error.code !== 'number' || description === refusal) {
        options.log.debug({ error: description }, 'mqtt: shared-group watch connection');
        return;
      }
      refusal = description;
      options.log.warn(
        { clientId: `${options.clientId}-members`, error: description },
        `mqtt: the MQTT broker refused the connection that watches shared group ${options.group} (${description}): members cannot take over each other's sessions until it connects`,
      );
    });
    client.connect();
  }

  async stop(): Promise<void> {
    await this.client?.endAsync(true);
  }

  private async subscribe(client: MqttClient, filter: string): Promise<void> {
    // A fresh subscription sends every retained announcement again: the view is rebuilt from them.
    this.latest.clear();
    try {
      const granted = await client.subscribeAsync(filter, { qos: 1, rh: 0 });
      for (const grant of granted)
        if (grant.qos >= 0x80)
          this.options.log.error(
            { topic: filter, reasonCode: grant.qos },
            `the MQTT broker refused the subscription to ${filter} (reason code ${grant.qos}): members of shared group ${this.options.group} cannot take over each other's sessions; check the broker ACL or set membershipTopic`,
          );
    } catch (error) {
      this.options.log.debug({ err: error }, 'mqtt: shared-group watch subscription interrupted');
    }
  }

  private onMessage(topic: string, payload: Buffer): void {
    const { options } = this;
    const member = memberOf(options.prefix, options.group, topic);
    if (member === undefined) return;
    // An empty retained message clears the topic: the member is gone from the group.
    if (payload.length === 0) this.latest.delete(member);
    else {
      const announcement = parseAnnouncement(payload);
      if (announcement === undefined) {
        options.log.debug({ topic }, 'mqtt: ignoring a membership message that is not an announcement');
        options.onNews(member, false);
        return;
      }
      this.latest.set(member, announcement);
    }
    options.onNews(member, true);
  }
}
