/** The `kafka` Source: its descriptor (registered in plugins.ts) and builder. */
import { compileCeMapping } from '../../broker/mapping/ce-mapping.js';
import type { Connector, ConnectorBuildContext, ConnectorDescriptor } from '../../broker/ports/connector.js';
import { createRecordConverter, KAFKA_TEMPLATE_ROOTS } from './record-event.js';
import { type KafkaSourceSpec, readKafkaSettings } from './settings.js';
import { KAFKA_SETTINGS_SCHEMA } from './settings-schema.js';
import { KafkaSource } from './source.js';

/**
 * Without a `ce` block only records that already are CloudEvents (binary or structured binding)
 * are taken; a raw record is then dead-lettered with a reason. With one, `type` and `source` are
 * required, as for every mapping.
 */
export function buildKafkaConnector(context: ConnectorBuildContext): Connector | undefined {
  const typed = context as ConnectorBuildContext<unknown> as ConnectorBuildContext<KafkaSourceSpec>;
  const settings = readKafkaSettings(typed);
  const cePath = [...context.path.slice(0, -1), 'ce'];
  const mapper =
    context.ce === undefined
      ? undefined
      : compileCeMapping(context.ce, KAFKA_TEMPLATE_ROOTS, cePath, context.report, {
          requireTypeAndSource: true,
        });
  if (settings === undefined) return undefined;
  return new KafkaSource(context.name, settings, createRecordConverter(mapper));
}

export const kafkaConnector: ConnectorDescriptor<Record<string, unknown>> = {
  kind: 'kafka',
  summary:
    'Consumes Kafka topics in a consumer group; offsets are committed only after the records are stored.',
  settings: KAFKA_SETTINGS_SCHEMA,
  templateRoots: KAFKA_TEMPLATE_ROOTS,
  build: buildKafkaConnector,
};
