/** The `nats` Source: its descriptor (registered in plugins.ts) and builder. */
import type { Connector, ConnectorBuildContext, ConnectorDescriptor } from '../../broker/ports/connector.js';
import { compileNatsEventReader, NATS_TEMPLATE_ROOTS } from './event-reader.js';
import { readNatsSettings } from './settings.js';
import { NATS_SETTINGS_SCHEMA } from './settings-schema.js';
import { NatsSource } from './source.js';

/** Checks the block and the `ce` mapping, builds the connector; problems go to `report`. */
export function buildNatsConnector(context: ConnectorBuildContext): Connector | undefined {
  const settings = readNatsSettings(context);
  const cePath = [...context.path.slice(0, -1), 'ce'];
  const read = compileNatsEventReader(context.ce, cePath, context.report);
  return settings === undefined ? undefined : new NatsSource(settings, read);
}

export const natsConnector: ConnectorDescriptor<Record<string, unknown>> = {
  kind: 'nats',
  summary:
    'Reads a NATS subject: core NATS (at most once), or with `stream` a durable JetStream pull consumer, each message acked only after it is stored.',
  settings: NATS_SETTINGS_SCHEMA,
  templateRoots: NATS_TEMPLATE_ROOTS,
  build: buildNatsConnector,
};
