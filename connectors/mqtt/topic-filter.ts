/**
 * MQTT topic filters (MQTT 5.0 section 4.7, the same rules as 3.1.1 section 4.7): `/` separates
 * levels, `+` matches exactly one level, `#` matches the parent level and every level below it.
 */

/** Why a filter is not valid, or undefined when it is. */
export function topicFilterProblem(filter: string): string | undefined {
  if (filter.length === 0) return 'a topic filter must not be empty';
  if (filter.startsWith('$share/'))
    return 'write the topic itself and set sharedGroup instead of a "$share/GROUP/..." filter';
  if (filter.includes('\u0000')) return 'a topic filter must not contain the null character U+0000';
  const levels = filter.split('/');
  for (const [i, level] of levels.entries()) {
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1))
      return `"#" must be a whole level and the last one (4.7.1.2), as in "sensors/#"`;
    if (level.includes('+') && level !== '+')
      return `"+" must be a whole level (4.7.1.3), as in "sensors/+/temperature"`;
  }
  return undefined;
}

/**
 * True when a topic name matches a filter. A topic starting with `$` (such as `$SYS/...`) is not
 * matched by a filter starting with a wildcard (4.7.2).
 */
export function topicMatches(filter: string, topic: string): boolean {
  const filterLevels = filter.split('/');
  const topicLevels = topic.split('/');
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  for (let i = 0; i < filterLevels.length; i++) {
    const wanted = filterLevels[i]!;
    if (wanted === '#') return true;
    const level = topicLevels[i];
    if (level === undefined) return false;
    if (wanted !== '+' && wanted !== level) return false;
  }
  return filterLevels.length === topicLevels.length;
}

/** The filter to subscribe with: `$share/GROUP/FILTER` for a shared subscription (MQTT 5.0 4.8.2). */
export function subscriptionFilter(filter: string, sharedGroup: string | undefined): string {
  return sharedGroup === undefined ? filter : `$share/${sharedGroup}/${filter}`;
}
