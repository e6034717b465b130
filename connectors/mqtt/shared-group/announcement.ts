import { parseJson } from '../../../broker/cloudevents/json-depth.js';

/**
 * What a member announces (retained) on its membership topic, and how such a message is read.
 * Only the message format lives here: publishing it is the announcer's job.
 */

/**
 * `offline` is also each connection's Will, so a member that dies is announced offline by the
 * MQTT broker; `adopted` says which member (`by`) is taking its share while it is away.
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

/**
 * Reads an announcement; undefined for anything else (an unknown state, not JSON, JSON nested
 * too deep). Other processes write these topics, so nothing in a payload is trusted before it is
 * checked.
 */
export function parseAnnouncement(payload: Buffer | string): Announcement | undefined {
  let value: unknown;
  try {
    value = parseJson(payload.toString(), 'an announcement');
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

/** The announcement without its adopter, to announce the member in another state. */
export function withoutBy(announcement: Announcement): Omit<Announcement, 'by'> {
  const { by: _by, ...rest } = announcement;
  return rest;
}
