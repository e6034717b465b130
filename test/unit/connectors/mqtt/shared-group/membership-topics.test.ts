import { describe, expect, it } from 'vitest';
import { memberOf, memberTopic } from '../../../../../connectors/mqtt/shared-group/membership-topics.js';
import { topicFilterProblem, topicMatches } from '../../../../../connectors/mqtt/topic-filter.js';

describe('mqtt shared-group membership', () => {
  it('names each member by its clientId, encoded so that "/", "+" and "#" stay inside one level', () => {
    const clientId = 'host/a+b#c d%';
    const topic = memberTopic('trigger-broker/groups', 'workers', clientId);
    expect(topic).toBe('trigger-broker/groups/workers/members/host%2Fa%2Bb%23c%20d%25');
    expect(topicFilterProblem(topic)).toBeUndefined();
    expect(topicMatches('trigger-broker/groups/workers/members/+', topic)).toBe(true);
    expect(memberOf('trigger-broker/groups', 'workers', topic)).toBe(clientId);
    expect(memberOf('trigger-broker/groups', 'other', topic)).toBeUndefined();
    expect(memberOf('trigger-broker/groups', 'workers', `${topic}/x`)).toBeUndefined();
    expect(memberOf('trigger-broker/groups', 'workers', 'trigger-broker/groups/workers/members/%E0')).toBe(
      undefined,
    );
  });
});
