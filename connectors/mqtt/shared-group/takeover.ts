import type { IClientOptions, MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { GatedHandler } from '../ack-gate.js';
import { designatedAdopter, sameTopics } from './adopter-choice.js';
import { AdoptionRetries } from './adoption-retries.js';
import { type AdoptionContext, AdoptionSession } from './adoption-session.js';
import type { Announcement } from './announcement.js';
import { GroupAnnouncer } from './announcer.js';
import { MembershipWatch } from './membership-watch.js';

/**
 * How long a member waits after it sees another go offline before it checks again and adopts:
 * the member may be back in that time, and a member that has just (re)subscribed to the
 * membership topics gets the retained announcements of every member first.
 */
export const ADOPT_SETTLE_MS = 1_000;

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

/**
 * Shared-group takeover (MQTT 5): with Mosquitto, a shared subscription held by a persistent
 * session keeps getting its turn of the group's messages while its member is away, queued in the
 * session until a client with the same clientId connects. So the members watch each other on
 * retained membership topics (MembershipWatch), and when one is offline, one survivor
 * (designatedAdopter) connects with the missing member's clientId, without clean start and
 * without subscribing (AdoptionSession): it takes over the session, its queued and
 * unacknowledged messages and its turns, and stores them through the Source's own handler
 * (acknowledged only once stored). When the member comes back, its CONNECT takes the session
 * over again and the adopter's connection is closed; the adopter never reconnects as the member,
 * and adopts it again only after a new announcement about it.
 *
 * Announcements: each member's own connection has a retained Will `offline` (with a Will Delay,
 * so a quick reconnect announces nothing), publishes `online` once subscribed, and `offline` when
 * it stops cleanly (a stopped member's session still gets its turns). An adoption connection
 * publishes `adopted` and has the member's `offline` as its Will, so that when the adopter dies,
 * another survivor adopts the member; it publishes `offline` when it hands the session back on a
 * clean stop.
 *
 * This class only decides who is adopted when; the modules beside it each do one part.
 */
export class SharedGroupTakeover {
  private readonly announcer: GroupAnnouncer;
  private readonly watch: MembershipWatch;
  private readonly retries: AdoptionRetries;
  /** What each AdoptionSession shares, with its way back to this takeover. */
  private readonly adoptionContext: AdoptionContext;
  /** One session per member being adopted (a white-box test reads it to kill one's socket). */
  private readonly adoptions = new Map<string, AdoptionSession>();
  /** Members seen offline, with the ADOPT_SETTLE_MS timer of the check that may adopt them. */
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** Members whose adoption ended: adopted again only after a new announcement about them. */
  private readonly awaitingNews = new Set<string>();
  /** Members whose different topics were warned about, so each is warned about once. */
  private readonly warnedTopics = new Set<string>();
  private stopped = false;

  constructor(private readonly options: SharedGroupOptions) {
    const { clientId, group, prefix, url, displayUrl, connection, handle, log } = options;
    this.announcer = new GroupAnnouncer(prefix, group, log);
    this.watch = new MembershipWatch({
      clientId,
      group,
      prefix,
      url,
      connection,
      log,
      onNews: (member, changed) => {
        this.awaitingNews.delete(member);
        if (changed) this.reconcile();
      },
    });
    this.retries = new AdoptionRetries(group, log);
    this.adoptionContext = {
      clientId,
      group,
      url,
      displayUrl,
      connection,
      handle,
      log,
      announcer: this.announcer,
      stopped: () => this.stopped,
      onAdopted: (session) => {
        this.adoptedChanged();
        this.retries.succeeded(session.member);
      },
      onClosed: (session) => this.onAdoptionClosed(session),
    };
  }

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

  /** The Will of the member's own connection. */
  ownWill(): NonNullable<IClientOptions['will']> {
    return this.announcer.willOf(this.announcement('offline'));
  }

  /** Starts watching the group's membership topics (a connection of its own, clean start). */
  start(): void {
    this.watch.start();
  }

  /** Announces this member online on its own connection (after it has subscribed). */
  async announceOnline(client: MqttClient): Promise<void> {
    await this.announcer.announce(client, this.announcement('online'));
  }

  /** Announces this member offline on its own connection, before it disconnects cleanly. */
  async announceOffline(client: MqttClient): Promise<void> {
    await this.announcer.announce(client, this.announcement('offline'));
  }

  /** The announcements, with this member as it really is rather than as last announced. */
  private view(): Map<string, Announcement> {
    const view = new Map(this.watch.members);
    if (this.options.selfOnline()) view.set(this.options.clientId, this.announcement('online'));
    else view.delete(this.options.clientId);
    return view;
  }

  /** Whether this member should adopt `member` now. */
  private shouldAdopt(view: ReadonlyMap<string, Announcement>, member: string): boolean {
    const announcement = view.get(member);
    if (this.stopped || member === this.options.clientId || announcement?.state !== 'offline') return false;
    if (this.adoptions.has(member) || this.awaitingNews.has(member) || this.retries.isWaiting(member))
      return false;
    if (!sameTopics(announcement.topics, this.options.topics)) {
      if (!this.warnedTopics.has(member)) {
        this.warnedTopics.add(member);
        this.options.log.warn(
          { member, topics: announcement.topics },
          `mqtt: member ${member} of shared group ${this.options.group} is offline, but it reads other topics than this Source, so this member does not take over its session; if it is gone for good, clear its announcement (an empty retained message on ${this.announcer.topicOf(member)})`,
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
    const adoption = new AdoptionSession(member, announcement, this.adoptionContext);
    this.adoptions.set(member, adoption);
    adoption.connect();
  }

  private onAdoptionClosed(adoption: AdoptionSession): void {
    const { options } = this;
    const { member } = adoption;
    // Not (or no longer) this member's adoption of it: stop() has taken it over already.
    if (this.adoptions.get(member) !== adoption) return;
    this.adoptions.delete(member);
    adoption.dispose();
    if (adoption.adopted) this.adoptedChanged();
    if (this.stopped) return;
    if (!adoption.adopted && !adoption.noSession) {
      // The session was never reached: tried again with backoff while this member is still the adopter.
      this.retries.failed(member, adoption.unreachedReason(), () => this.reconcile());
      return;
    }
    // Whatever closed it, the next move comes as an announcement: the member back online,
    // another member's `adopted`, or this connection's Will `offline` when it failed.
    this.awaitingNews.add(member);
    if (adoption.adopted)
      options.log.info(
        { member, group: options.group },
        `mqtt: released the session of member ${member} of shared group ${options.group}: ${adoption.releaseReason()}; the member is back, or another member took over`,
      );
  }

  /** Resolves once no adopted message is being stored, or after `timeoutMs`; true when idle. */
  async settled(timeoutMs: number): Promise<boolean> {
    const results = await Promise.all([...this.adoptions.values()].map((a) => a.settled(timeoutMs)));
    return results.every(Boolean);
  }

  /**
   * Stops adopting: each adopted session is handed back to the group (announced offline, so
   * another survivor takes it, and disconnected cleanly, which keeps it and its unacknowledged
   * messages); the watch connection closes.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    this.retries.clear();
    const adoptions = [...this.adoptions.values()];
    this.adoptions.clear();
    this.adoptedChanged();
    await Promise.all(adoptions.map((adoption) => adoption.handBack()));
    await this.watch.stop();
  }
}
