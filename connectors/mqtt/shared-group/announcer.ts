import type { IClientOptions, MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { publishConfirmed } from '../client-helpers.js';
import type { Announcement } from './announcement.js';
import { memberTopic } from './membership-topics.js';

/**
 * MQTT 5 Will Delay Interval (3.1.3.2.2) of every membership Will, in seconds. A connection that
 * comes back within it (a network blip, mqtt.js reconnecting after 1 s) or whose session is taken
 * over within it announces nothing: Mosquitto 2.0 then drops the Will (checked in
 * test/connectors/mqtt.test.ts). Longer would leave a dead member's share waiting longer.
 */
export const WILL_DELAY_SECONDS = 2;
/** How long an announcement may wait for its PUBACK. */
const ANNOUNCE_TIMEOUT_MS = 2_000;

/**
 * Puts announcements on one group's membership topics, either published now (retained) or left
 * as a connection's Will for the MQTT broker to publish when that connection dies.
 */
export class GroupAnnouncer {
  constructor(
    private readonly prefix: string,
    private readonly group: string,
    private readonly log: Logger,
  ) {}

  /** The membership topic of `clientId` in this group. */
  topicOf(clientId: string): string {
    return memberTopic(this.prefix, this.group, clientId);
  }

  /** The retained, delayed Will announcing `announcement` (an `offline` one) when a connection dies. */
  willOf(announcement: Announcement): NonNullable<IClientOptions['will']> {
    return {
      topic: this.topicOf(announcement.clientId),
      payload: Buffer.from(JSON.stringify(announcement)),
      qos: 1,
      retain: true,
      properties: { willDelayInterval: WILL_DELAY_SECONDS, contentType: 'application/json' },
    };
  }

  /**
   * Publishes `announcement` retained on `client` and waits for the PUBACK. Never throws: what the
   * caller is doing (coming up, adopting, stopping) goes on without it, and the warning says
   * which announcement the group missed.
   */
  async announce(client: MqttClient, announcement: Announcement): Promise<void> {
    const topic = this.topicOf(announcement.clientId);
    try {
      await publishConfirmed(
        client,
        topic,
        JSON.stringify(announcement),
        { qos: 1, retain: true, properties: { contentType: 'application/json' } },
        ANNOUNCE_TIMEOUT_MS,
      );
    } catch (error) {
      this.log.warn(
        { topic, state: announcement.state, err: error },
        `mqtt: could not announce member ${announcement.clientId} ${announcement.state} on ${topic}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
