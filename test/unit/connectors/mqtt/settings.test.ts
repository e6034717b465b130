// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are ce templates of the manifest language, not JavaScript template literals
import { describe, expect, it } from 'vitest';
import { build } from './fixtures.js';

describe('mqtt Source settings', () => {
  it('reports manifest problems at their path', () => {
    const { problems } = build(
      {
        url: 'mqtt://user:pw@127.0.0.1:1883',
        topics: ['ok/#', 'bad/#/x'],
        protocolVersion: 4,
        sessionExpiry: 'PT1H',
      },
      { type: '${nope}' },
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'spec.mqtt.url', message: expect.stringMatching(/credentials do not belong in the URL/) },
        {
          path: 'spec.mqtt.topics.1',
          message: expect.stringMatching(/"#" must be a whole level and the last/),
        },
        { path: 'spec.mqtt.sessionExpiry', message: expect.stringMatching(/MQTT 5 setting/) },
        { path: 'spec.ce.type', message: expect.stringMatching(/unknown root 'nope'/) },
        { path: 'spec.ce', message: expect.stringMatching(/ce.source is required/) },
      ]),
    );
  });

  it('checks membershipTopic: a topic name prefix, for an MQTT 5 shared group only', () => {
    const problemsOf = (mqtt: Record<string, unknown>) =>
      build({ url: 'mqtt://127.0.0.1:1883', topics: ['t'], ...mqtt }).problems;
    expect(problemsOf({ sharedGroup: 'g', membershipTopic: 'ops/trigger-broker' })).toEqual([]);
    for (const [membershipTopic, message] of [
      ['$SYS/groups', /must not start with "\$"/],
      ['groups/+', /no "\+" or "#"/],
      ['groups/#', /no "\+" or "#"/],
      ['groups/', /must not be empty or end with "\/"/],
    ] as const)
      expect(problemsOf({ sharedGroup: 'g', membershipTopic })).toEqual([
        { path: 'spec.mqtt.membershipTopic', message: expect.stringMatching(message) },
      ]);
    expect(problemsOf({ membershipTopic: 'groups' })).toEqual([
      { path: 'spec.mqtt.membershipTopic', message: expect.stringMatching(/set sharedGroup too/) },
    ]);
    expect(problemsOf({ sharedGroup: 'g', protocolVersion: 4, membershipTopic: 'groups' })).toEqual([
      { path: 'spec.mqtt.membershipTopic', message: expect.stringMatching(/MQTT 5 setting/) },
    ]);
  });
});
