import { describe, expect, it } from 'vitest';
import type { ConnectorBuildContext } from '../../../../broker/ports/connector.js';
import { buildKafkaConnector } from '../../../../connectors/kafka/index.js';
import { readKafkaSettings } from '../../../../connectors/kafka/settings.js';
import { buildContext, RAW_CE } from './fixtures.js';

describe('kafka settings', () => {
  it('defaults groupId and clientId from the Source name and matches topicPattern against whole names', () => {
    const settings = readKafkaSettings(buildContext({ topicPattern: 'orders\\..*' }))!;
    expect(settings.groupId).toBe('trigger-broker-orders');
    expect(settings.clientId).toBe('trigger-broker-orders');
    expect(settings.fromBeginning).toBe(false);
    const pattern = settings.topics.kind === 'pattern' ? settings.topics.pattern : /never/;
    expect(pattern.test('orders.eu')).toBe(true);
    expect(pattern.test('old-orders.eu')).toBe(false);
  });

  it('reports topics with topicPattern, neither, a bad pattern and too short a session', () => {
    const problems: string[] = [];
    readKafkaSettings(buildContext({ topics: ['a'], topicPattern: 'b' }, RAW_CE, problems));
    readKafkaSettings(buildContext({}, RAW_CE, problems));
    readKafkaSettings(buildContext({ topicPattern: '(' }, RAW_CE, problems));
    readKafkaSettings(buildContext({ topics: ['a'], sessionTimeout: 'PT1S' }, RAW_CE, problems));
    expect(problems).toEqual([
      'spec.kafka.topicPattern: give either topics or topicPattern, not both',
      'spec.kafka: a kafka Source needs topics (a list of names) or topicPattern (a regular expression)',
      expect.stringMatching(/^spec\.kafka\.topicPattern: not a regular expression/),
      'spec.kafka.sessionTimeout: bad duration "PT1S": must be at least PT6S (the broker refuses shorter sessions)',
    ]);
  });

  it('the builder reports a ce block without type at spec.ce', () => {
    const problems: string[] = [];
    const built = buildKafkaConnector(
      buildContext({ topics: ['a'] }, { source: '/x' }, problems) as unknown as ConnectorBuildContext,
    );
    expect(built).toBeDefined();
    expect(problems).toEqual([expect.stringMatching(/^spec\.ce: ce\.type is required/)]);
  });
});
