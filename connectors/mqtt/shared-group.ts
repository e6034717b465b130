import { connect, type IClientOptions, type IConnackPacket, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { backoffMs } from '../../broker/dispatch/backoff.js';
import { AckGate, type GatedHandler } from './ack-gate.js';
import { disconnect, publishConfirmed } from './client-helpers.js';
import { describeConnectionError, describeServerDisconnect } from './connection-errors.js';

/**
 * MQTT 5 Will Delay Interval (3.1.3.2.2) of every membership Will, in seconds. A connection that
 * comes back within it (a network blip, mqtt.js reconnecting after 1 s) or whose session is taken
 * over within it announces nothing: Mosquitto 2.0 then drops the Will (checked in
 * test/connectors/mqtt.test.ts). Longer would leave a dead member's share waiting longer.
 */
export const WILL_DELAY_SECONDS = 2;
/**
 * How long a member waits after it sees another go offline before it checks again and adopts:
 * the member may be back in that time, and a member that has just (re)subscribed to the
 * membership topics gets the retained announcements of every member first.
 */
export const ADOPT_SETTLE_MS = 1_000;
/** Reconnection period of the connection that watches the membership topics. */
const WATCH_RECONNECT_MS = 2_000;
/** How long an announcement may wait for its PUBACK. */
const ANNOUNCE_TIMEOUT_MS = 2_000;
/** Waits before trying again to adopt a member whose session could not be reached: 1 s doubling to 30 s. */
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 30_000;
/** MQTT 5 reason code 0x8E (3.14.2.1): another connection took the session over. */
const SESSION_TAKEN_OVER = 0x8e;

/**
 * What a member announces (retained) on its membership topic. `offline` is also each
 * connection's Will, so a member that dies is announced offline by the MQTT broker; `adopted`
 * says which member (`by`) is taking its share while it is away.
 */
export interface Announcement {
  readonly state: 'online' | 'offline' | 'adopted';
  readonly clientId: string;
  /** The Source's topic filters: only a member reading the same ones may adopt this one. */
  readonly topics: readonly string[];
  /** The member's Session Expiry Interval, which its adopter connects with. */
  readonly sessionExpiry: number;
  readonly by?: string;
}

/** `PREFIX/GROUP/members`: the membership topics of a group are its children. */
export function membersTopic(prefix: string, group: string): string {
  return `${prefix}/${group}/members`;
}

/**
 * `PREFIX/GROUP/members/CLIENTID`, the clientId percent-encoded (encodeURIComponent), so that a
 * `/`, `+` or `#` in it cannot change the topic's levels.
 */
export function memberTopic(prefix: string, group: string, clientId: string): string {
  return `${membersTopic(prefix, group)}/${encodeURIComponent(clientId)}`;
}

/** The clientId a membership topic names, or undefined for any other topic. */
export function memberOf(prefix: string, group: string, topic: string): string | undefined {
  const parent = `${membersTopic(prefix, group)}/`;
  if (!topic.startsWith(parent)) return undefined;
  const level = topic.slice(parent.length);
  if (level === '' || level.includes('/')) return undefined;
  try {
    return decodeURIComponent(level);
  } catch {
    return undefined;
  }
}

/** Reads an announcement; undefined for anything else (an unknown state, not JSON). */
export function parseAnnouncement(payload: Buffer | string): Announcement | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString());
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { state, clientId, topics, sessionExpiry, by } = value as Record<string, unknown>;
  if (state !== 'online' && state !== 'offline' && state !== 'adopted') return undefined;
  if (typeof clientId !== 'string') return undefined;
  if (!Array.isArray(topics) || !topics.every((t) => typeof t === 'string')) return undefined;
  if (typeof sessionExpiry !== 'number' || !Number.isInteger(sessionExpiry) || sessionExpiry < 1)
    return undefined;
  return {
    state,
    clientId,
    topics: topics as string[],
    sessionExpiry,
    ...(typeof by === 'string' ? { by } : {}),
  };
}

function withoutBy(announcement: Announcement): Omit<Announcement, 'by'> {
  const { by: _by, ...rest } = announcement;
  return rest;
}

function sameTopics(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sorted = [...b].sort();
  return [...a].sort().every((topic, i) => topic === sorted[i]);
}

/**
 * The member that adopts `member`'s session: among the online members other than `member` that
 * read the same topics, the one with the lowest clientId. Every member computes it from the same
 * announcements, so the survivors agree on one adopter instead of taking the session from each other.
 */
export function designatedAdopter(
  members: ReadonlyMap<string, Announcement>,
  member: string,
): string | undefined {
  const target = members.get(member);
  if (target === undefined) return undefined;
  let chosen: string | undefined;
  for (const [clientId, announcement] of members) {
    if (clientId === member || announcement.state !== 'online') continue;
    if (!sameTopics(announcement.topics, target.topics)) continue;
    if (chosen === undefined || clientId < chosen) chosen = clientId;
  }
  return chosen;
}

export interface SharedGroupOptions {
  /** The Source's own clientId: the member this process is. */
  readonly clientId: string;
  readonly group: string;
  /** The membership topic prefix (`membershipTopic`). */
  readonly prefix: string;
  readonly topics: readonly string[];
  readonly sessionExpirySeconds: number;
  readonly url: string;
  readonly displayUrl: string;
  /** What every connection of the Source shares: protocol, credentials, TLS. */
  readonly connection: IClientOptions;
  /** The Source's message handler: an adopted session's messages are stored like its own. */
  readonly handle: GatedHandler;
  /** Whether this member's own connection is up (it then counts as an online member). */
  readonly selfOnline: () => boolean;
  /** Told the members whose sessions this one carries, whenever that list changes. */
  readonly onAdoptedChanged?: (members: readonly string[]) => void;
  readonly log: Logger;
}

interface Adoption {
  readonly member: string;
  /** The member's announcement when it was adopted. */
  readonly announcement: Announcement;
  readonly client: MqttClient;
  readonly gate: AckGate;
  /** The MQTT broker handed the member's session over (CONNACK with Session Present). */
  adopted: boolean;
  /** The member had no session left: nothing to adopt. */
  noSession: boolean;
  takenOver: boolean;
  lastError: string | undefined;
}

/**
 * Shared-group takeover (MQTT 5): with Mosquitto, a shared subscription held by a persistent
 * session keeps getting its turn of the group's messages while its member is away, queued in the
 * session until a client with the same clientId connects. So the members watch each other on
 * retained membership topics, and when one is offline, one survivor (designatedAdopter) connects
 * with the missing member's clientId, without clean start and without subscribing: it takes over
 * the session, its queued and unacknowledged messages and its turns, and stores them through the
 * Source's own handler (acknowledged only once stored). When the member comes back, its CONNECT
 * takes the session over again and the adopter's connection is closed; the adopter never
 * reconnects as the member, and adopts it again only after a new announcement about it.
 *
 * Announcements: each member's own connection has a retained Will `offline` (with a Will Delay,
 * so a quick reconnect announces nothing), publishes `online` once subscribed, and `offline` when
 * it stops cleanly (a stopped member's session still gets its turns). An adoption connection
 * publishes `adopted` and has the member's `offline` as its Will, so that when the adopter dies,
 * another survivor adopts the member; it publishes `offline` when it hands the session back on a
 * clean stop.
 */
export class SharedGroupTakeover {
  private readonly members = new Map<string, Announcement>();
  private readonly adoptions = new Map<string, Adoption>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** Members whose adoption ended: adopted again only after a new announcement about them. */
  private readonly awaitingNews = new Set<string>();
  /** Members whose session could not be reached, with the timer of the next attempt. */
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private readonly failures = new Map<string, { attempts: number; lastError: string }>();
  private readonly warnedTopics = new Set<string>();
  private watcher: MqttClient | undefined;
  private stopped = false;

  constructor(private readonly options: SharedGroupOptions) {}

  /** The members whose sessions this one carries now, sorted. */
  adoptedMembers(): string[] {
    return [...this.adoptions.values()]
      .filter((adoption) => adoption.adopted)
      .map((adoption) => adoption.member)
      .sort();
  }

  private adoptedChanged(): void {
    this.options.onAdoptedChanged?.(this.adoptedMembers());
  }

  /** This member's own announcement in `state`. */
  private announcement(state: 'online' | 'offline'): Announcement {
    const { clientId, topics, sessionExpirySeconds } = this.options;
    return { state, clientId, topics, sessionExpiry: sessionExpirySeconds };
  }

  private topicOf(clientId: string): string {
    return memberTopic(this.options.prefix, this.options.group, clientId);
  }

  /** The retained, delayed Will announcing `announcement` (an `offline` one) when a connection dies. */
  private willOf(announcement: Announcement): NonNullable<IClientOptions['will']> {
    return {
      topic: this.topicOf(announcement.clientId),
      payload: Buffer.from(JSON.stringify(announcement)),
      qos: 1,
      retain: true,
      properties: { willDelayInterval: WILL_DELAY_SECONDS, contentType: 'application/json' },
    };
  }

  /** The Will of the member's own connection. */
  ownWill(): NonNullable<IClientOptions['will']> {
    return this.willOf(this.announcement('offline'));
  }

  /** Starts watching the group's membership topics (a connection of its own, clean start). */
  start(): void {
    const { options } = this;
    const filter = `${membersTopic(options.prefix, options.group)}/+`;
    const watcher = connect(options.url, {
      ...options.connection,
      manualConnect: true,
      clientId: `${options.clientId}-members`,
      clean: true,
      reconnectPeriod: WATCH_RECONNECT_MS,
      resubscribe: false,
      ...(options.connection.protocolVersion === 5 ? { properties: { sessionExpiryInterval: 0 } } : {}),
    });
    this.watcher = watcher;
    let refusal: string | undefined;
    watcher.on('connect', () => {
      refusal = undefined;
      void this.watch(watcher, filter);
    });
    watcher.on('message', (topic, payload) => this.onAnnouncement(topic, payload));
    watcher.on('error', (error: Error & { code?: unknown }) => {
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
    watcher.connect();
  }

  private async watch(watcher: MqttClient, filter: string): Promise<void> {
    // A fresh subscription sends every retained announcement again: the view is rebuilt from them.
    this.members.clear();
    try {
      const granted = await watcher.subscribeAsync(filter, { qos: 1, rh: 0 });
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

  /** Announces this member online on its own connection (after it has subscribed). */
  async announceOnline(client: MqttClient): Promise<void> {
    await this.announce(client, this.announcement('online'));
  }

  /** Announces this member offline on its own connection, before it disconnects cleanly. */
  async announceOffline(client: MqttClient): Promise<void> {
    await this.announce(client, this.announcement('offline'));
  }

  private async announce(client: MqttClient, announcement: Announcement): Promise<void> {
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
      this.options.log.warn(
        { topic, state: announcement.state, err: error },
        `mqtt: could not announce member ${announcement.clientId} ${announcement.state} on ${topic}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private onAnnouncement(topic: string, payload: Buffer): void {
    const { options } = this;
    const member = memberOf(options.prefix, options.group, topic);
    if (member === undefined) return;
    this.awaitingNews.delete(member);
    if (payload.length === 0) this.members.delete(member);
    else {
      const announcement = parseAnnouncement(payload);
      if (announcement === undefined) {
        options.log.debug({ topic }, 'mqtt: ignoring a membership message that is not an announcement');
        return;
      }
      this.members.set(member, announcement);
    }
    this.reconcile();
  }

  /** The announcements, with this member as it really is rather than as last announced. */
  private view(): Map<string, Announcement> {
    const view = new Map(this.members);
    if (this.options.selfOnline()) view.set(this.options.clientId, this.announcement('online'));
    else view.delete(this.options.clientId);
    return view;
  }

  /** Whether this member should adopt `member` now. */
  private shouldAdopt(view: ReadonlyMap<string, Announcement>, member: string): boolean {
    const announcement = view.get(member);
    if (this.stopped || member === this.options.clientId || announcement?.state !== 'offline') return false;
    if (this.adoptions.has(member) || this.awaitingNews.has(member) || this.retries.has(member)) return false;
    if (!sameTopics(announcement.topics, this.options.topics)) {
      if (!this.warnedTopics.has(member)) {
        this.warnedTopics.add(member);
        this.options.log.warn(
          { member, topics: announcement.topics },
          `mqtt: member ${member} of shared group ${this.options.group} is offline, but it reads other topics than this Source, so this member does not take over its session; if it is gone for good, clear its announcement (an empty retained message on ${this.topicOf(member)})`,
        );
      }
      return false;
    }
    return designatedAdopter(view, member) === this.options.clientId;
  }

  /**
   * Schedules the adoption of every offline member this member is the adopter of; each is
   * checked again after ADOPT_SETTLE_MS. Called whenever an announcement arrives or this
   * member's own connection comes up.
   */
  reconcile(): void {
    if (this.stopped) return;
    const view = this.view();
    for (const member of view.keys()) {
      if (this.pending.has(member) || !this.shouldAdopt(view, member)) continue;
      const timer = setTimeout(() => {
        this.pending.delete(member);
        const now = this.view();
        if (this.shouldAdopt(now, member)) this.adopt(member, now.get(member)!);
      }, ADOPT_SETTLE_MS);
      timer.unref();
      this.pending.set(member, timer);
    }
  }

  private adopt(member: string, announcement: Announcement): void {
    const { options } = this;
    const client = connect(options.url, {
      ...options.connection,
      manualConnect: true,
      clientId: member,
      // Resume the member's session, never start a new one; and no subscription: the session
      // already holds the shared subscription.
      clean: false,
      resubscribe: false,
      // Never reconnect as the member: a closed adoption means the member came back or another
      // member took over; a failed one is announced by this connection's Will.
      reconnectPeriod: 0,
      properties: { sessionExpiryInterval: announcement.sessionExpiry },
      will: this.willOf({ ...withoutBy(announcement), state: 'offline' }),
    });
    const adoption: Adoption = {
      member,
      announcement,
      client,
      gate: new AckGate(client, options.handle),
      adopted: false,
      noSession: false,
      takenOver: false,
      lastError: undefined,
    };
    this.adoptions.set(member, adoption);
    client.on('connect', (connack) => void this.onAdoptionConnected(adoption, announcement, connack));
    client.on('error', (error) => {
      adoption.lastError = describeConnectionError(error);
    });
    client.on('disconnect', (packet) => {
      if (packet.reasonCode === SESSION_TAKEN_OVER) adoption.takenOver = true;
      else adoption.lastError = describeServerDisconnect(packet.reasonCode);
    });
    client.on('close', () => this.onAdoptionClosed(adoption));
    client.connect();
  }

  private async onAdoptionConnected(
    adoption: Adoption,
    announcement: Announcement,
    connack: IConnackPacket,
  ): Promise<void> {
    const { options } = this;
    const { member, client } = adoption;
    if (this.stopped) return;
    if (!connack.sessionPresent) {
      // The member's session is gone (it expired): this CONNECT made an empty one, which ends
      // with the connection instead of staying for ever.
      adoption.noSession = true;
      options.log.info(
        { member, group: options.group },
        `mqtt: member ${member} of shared group ${options.group} has no session on the MQTT broker any more: nothing to take over`,
      );
      await client.endAsync(false, { reasonCode: 0, properties: { sessionExpiryInterval: 0 } }).catch(() => {
        client.end(true);
      });
      return;
    }
    adoption.adopted = true;
    this.adoptedChanged();
    this.failures.delete(member);
    options.log.info(
      { member, group: options.group, url: options.displayUrl },
      `mqtt: member ${member} of shared group ${options.group} is offline: taking over its session (its queued messages and its share) until it returns`,
    );
    await this.announce(client, { ...withoutBy(announcement), state: 'adopted', by: options.clientId });
  }

  private onAdoptionClosed(adoption: Adoption): void {
    const { options } = this;
    const { member, client } = adoption;
    if (this.adoptions.get(member) !== adoption) return;
    this.adoptions.delete(member);
    client.end(true);
    if (adoption.adopted) this.adoptedChanged();
    if (this.stopped) return;
    if (!adoption.adopted && !adoption.noSession) {
      this.retryLater(adoption);
      return;
    }
    // Whatever closed it, the next move comes as an announcement: the member back online,
    // another member's `adopted`, or this connection's Will `offline` when it failed.
    this.awaitingNews.add(member);
    if (adoption.adopted) {
      // Mosquitto 2.0 closes a taken-over connection without a DISCONNECT; newer brokers send 0x8E.
      const why = adoption.takenOver
        ? 'the session was taken over'
        : `the connection closed${adoption.lastError ? ` (${adoption.lastError})` : ''}`;
      options.log.info(
        { member, group: options.group },
        `mqtt: released the session of member ${member} of shared group ${options.group}: ${why}; the member is back, or another member took over`,
      );
    }
  }

  /**
   * The session was never reached (the MQTT broker refused or did not answer): tried again with
   * backoff while this member is still the adopter, with one warning per distinct cause.
   */
  private retryLater(adoption: Adoption): void {
    const { options } = this;
    const { member } = adoption;
    const error = adoption.lastError ?? 'the connection closed before the MQTT broker answered';
    const failure = this.failures.get(member) ?? { attempts: 0, lastError: '' };
    failure.attempts += 1;
    if (failure.lastError !== error)
      options.log.warn(
        { member, group: options.group, error },
        `mqtt: could not take over the session of member ${member} of shared group ${options.group}: ${error}; trying again with backoff`,
      );
    failure.lastError = error;
    this.failures.set(member, failure);
    const wait = Math.min(
      RETRY_MAX_MS,
      backoffMs({ retry: 0, backoffPolicy: 'exponential', backoffDelayMs: RETRY_MIN_MS }, failure.attempts),
    );
    const timer = setTimeout(() => {
      this.retries.delete(member);
      this.reconcile();
    }, wait);
    timer.unref();
    this.retries.set(member, timer);
  }

  /** Resolves once no adopted message is being stored, or after `timeoutMs`; true when idle. */
  async settled(timeoutMs: number): Promise<boolean> {
    const results = await Promise.all([...this.adoptions.values()].map((a) => a.gate.settled(timeoutMs)));
    return results.every(Boolean);
  }

  /**
   * Stops adopting: each adopted session is announced offline (so another survivor takes it) and
   * disconnected cleanly, which keeps it and its unacknowledged messages; the watch connection closes.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of [...this.pending.values(), ...this.retries.values()]) clearTimeout(timer);
    this.pending.clear();
    this.retries.clear();
    const adoptions = [...this.adoptions.values()];
    this.adoptions.clear();
    this.adoptedChanged();
    await Promise.all(
      adoptions.map(async (adoption) => {
        if (adoption.adopted && adoption.client.connected) {
          this.options.log.info(
            { member: adoption.member, group: this.options.group },
            `mqtt: handing the session of member ${adoption.member} of shared group ${this.options.group} back to the group`,
          );
          await this.announce(adoption.client, { ...withoutBy(adoption.announcement), state: 'offline' });
        }
        await disconnect(adoption.client);
      }),
    );
    await this.watcher?.endAsync(true);
  }
}
