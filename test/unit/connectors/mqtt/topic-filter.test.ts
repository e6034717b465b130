import { describe, expect, it } from 'vitest';
import {
  subscriptionFilter,
  topicFilterProblem,
  topicMatches,
} from '../../../../connectors/mqtt/topic-filter.js';

describe('mqtt topic filters (MQTT 5.0 4.7)', () => {
  it('matches + and # as the spec says', () => {
    expect(topicMatches('sensors/+/temperature', 'sensors/k/temperature')).toBe(true);
    expect(topicMatches('sensors/+/temperature', 'sensors/k/x/temperature')).toBe(false);
    expect(topicMatches('sensors/#', 'sensors')).toBe(true);
    expect(topicMatches('sensors/#', 'sensors/a/b')).toBe(true);
    expect(topicMatches('+/+', '/finance')).toBe(true);
    expect(topicMatches('#', '$SYS/uptime')).toBe(false);
    expect(topicMatches('$SYS/#', '$SYS/uptime')).toBe(true);
    expect(topicMatches('a/b', 'a/b/c')).toBe(false);
  });

  it('refuses malformed filters and writes shared subscriptions', () => {
    expect(topicFilterProblem('a/#/b')).toMatch(/last/);
    expect(topicFilterProblem('a/b#')).toMatch(/whole level/);
    expect(topicFilterProblem('a/b+/c')).toMatch(/whole level/);
    expect(topicFilterProblem('$share/g/a')).toMatch(/sharedGroup/);
    expect(topicFilterProblem('a/+/#')).toBeUndefined();
    expect(subscriptionFilter('a/+', 'workers')).toBe('$share/workers/a/+');
  });
});
