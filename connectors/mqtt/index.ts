import type { ConnectorBuildContext } from '../registry.js';
import type { Connector } from '../types.js';
import { compileMqttEventReader } from './message-to-event.js';
import { compileMqttSettings } from './settings.js';
import { MqttSource } from './source.js';

/** Builds the `mqtt` Source of a manifest (the CONNECTOR_BUILDERS entry); problems go to `report`. */
export function buildMqttConnector(context: ConnectorBuildContext): Connector | undefined {
  const settings = compileMqttSettings(context);
  const cePath = [...context.path.slice(0, -1), 'ce'];
  const read = compileMqttEventReader(context.ce, cePath, context.report);
  return new MqttSource(context.name, settings, read);
}
