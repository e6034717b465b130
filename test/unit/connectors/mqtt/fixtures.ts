// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are ce templates of the manifest language, not JavaScript template literals
// What the mqtt tests share whether or not a broker runs: building a Source from a manifest
// block, and reading messages and errors. Pure, so test/connectors/mqtt.test.ts uses it too.

import type { MqttMessage } from '../../../../broker/bindings/mqtt.js';
import type { CloudEvent } from '../../../../broker/cloudevents/event.js';
import { resolveSecret } from '../../../../broker/config/secrets.js';
import type { CeMappingSpec } from '../../../../broker/config/types.js';
import type { PathSegment } from '../../../../broker/config/yaml-document.js';
import { BrokerError } from '../../../../broker/errors.js';
import type { Connector } from '../../../../broker/ports/connector.js';
import { buildMqttConnector } from '../../../../connectors/mqtt/index.js';

export const RAW_CE: CeMappingSpec = { type: 'contract.raw', source: '/contract', id: '${body.id}' };

export interface Built {
  connector: Connector | undefined;
  problems: { path: string; message: string }[];
}

/** Builds an mqtt Source the way the configuration compiler does. */
export function build(
  spec: Record<string, unknown>,
  ce: CeMappingSpec | undefined = RAW_CE,
  name = 'mqtt-test',
): Built {
  const problems: Built['problems'] = [];
  const connector = buildMqttConnector({
    name,
    spec,
    ce,
    path: ['spec', 'mqtt'],
    report: (path: readonly PathSegment[], message: string) =>
      problems.push({ path: path.join('.'), message }),
    secret: (ref, path) => {
      try {
        return resolveSecret(ref, process.cwd());
      } catch (error) {
        problems.push({ path: path.join('.'), message: (error as Error).message });
        return undefined;
      }
    },
  });
  return { connector, problems };
}

export function dataText(event: CloudEvent): string {
  if (event.data.kind === 'bytes') return Buffer.from(event.data.bytes).toString('utf8');
  if (event.data.kind === 'json') return JSON.stringify(event.data.value);
  return '';
}

export function message(partial: Partial<MqttMessage>): MqttMessage {
  return { topic: 'a/b', payload: Buffer.alloc(0), contentType: undefined, userProperties: {}, ...partial };
}

export function brokerError(fn: () => unknown): BrokerError {
  try {
    fn();
  } catch (error) {
    if (error instanceof BrokerError) return error;
    throw error;
  }
  throw new Error('expected a BrokerError');
}
