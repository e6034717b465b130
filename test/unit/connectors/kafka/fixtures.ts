// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are ce templates, whose ${...} is the manifest language
// What the kafka tests share whether or not a broker runs: the ce mapping, a Source's build
// context, and records as the client hands them over. Pure, so test/connectors/kafka.test.ts uses it too.
import type { CeMappingSpec } from '../../../../broker/config/types.js';
import type { PathSegment } from '../../../../broker/config/yaml-document.js';
import { compileCeMapping } from '../../../../broker/mapping/ce-mapping.js';
import type { ConnectorBuildContext } from '../../../../broker/ports/connector.js';
import type { KafkaHeader, KafkaRecord } from '../../../../connectors/kafka/client.js';
import { KAFKA_TEMPLATE_ROOTS } from '../../../../connectors/kafka/record-event.js';
import type { KafkaSourceSpec } from '../../../../connectors/kafka/settings.js';

export const RAW_CE: CeMappingSpec = { type: 'contract.raw', source: '/contract', id: '${body.id}' };

export function mapper(ce: CeMappingSpec | undefined) {
  if (ce === undefined) return undefined;
  return compileCeMapping(ce, KAFKA_TEMPLATE_ROOTS, ['spec', 'ce'], failOnProblem, {
    requireTypeAndSource: true,
  });
}

function failOnProblem(path: readonly PathSegment[], message: string): void {
  throw new Error(`unexpected configuration problem at ${path.join('.')}: ${message}`);
}

export function buildContext(
  spec: Partial<KafkaSourceSpec>,
  ce: CeMappingSpec | undefined = RAW_CE,
  problems: string[] = [],
): ConnectorBuildContext<KafkaSourceSpec> {
  return {
    name: 'orders',
    spec: { brokers: ['127.0.0.1:9'], ...spec },
    ce,
    path: ['spec', 'kafka'],
    report: (path, message) => problems.push(`${path.join('.')}: ${message}`),
    secret: () => undefined,
  };
}

export function record(
  fields: Partial<KafkaRecord> & { value?: Buffer | null; headers?: KafkaHeader[] },
): KafkaRecord {
  return {
    topic: 'orders',
    partition: 3,
    offset: '41',
    key: null,
    value: null,
    timestamp: Date.UTC(2026, 0, 2, 3, 4, 5),
    headers: [],
    ...fields,
  };
}

export const h = (name: string, value: string | Buffer | null): KafkaHeader => ({
  name,
  value: value === null ? null : Buffer.from(value),
});

export const BINARY_HEADERS = [
  h('ce_specversion', '1.0'),
  h('ce_id', 'evt-1'),
  h('ce_type', 'com.example.order.created'),
  h('ce_source', '/shop'),
];
