/**
 * Which member takes over an absent member's session. Pure rules over the announcements, so
 * that every member, seeing the same announcements, reaches the same answer on its own.
 */
import type { Announcement } from './announcement.js';

/** Whether two members read the same topic filters, in any order. */
export function sameTopics(a: readonly string[], b: readonly string[]): boolean {
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
