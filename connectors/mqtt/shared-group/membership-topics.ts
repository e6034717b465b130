/**
 * Where the members of a shared group announce themselves: one retained topic per member, all
 * children of `PREFIX/GROUP/members`, so that one subscription (`…/members/+`) sees the whole
 * group and a new subscriber gets every member's latest announcement at once.
 */

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
