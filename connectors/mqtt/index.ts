/** The `mqtt` Source: its descriptor (registered in plugins.ts) and builder. */
import type { Connector, ConnectorBuildContext, ConnectorDescriptor } from '../../broker/ports/connector.js';
import { compileMqttEventReader, MQTT_TEMPLATE_ROOTS } from './message-to-event.js';
import { compileMqttSettings } from './settings.js';
import { MQTT_SETTINGS_SCHEMA } from './settings-schema.js';
import { MqttSource } from './source.js';

/** Checks the block and the `ce` mapping, builds the connector; problems go to `report`. */
export function buildMqttConnector(context: ConnectorBuildContext): Connector | undefined {
  const settings = compileMqttSettings(context);
  const cePath = [...context.path.slice(0, -1), 'ce'];
  const read = compileMqttEventReader(context.ce, cePath, context.report);
  return new MqttSource(context.name, settings, read);
}

export const mqttConnector: ConnectorDescriptor<Record<string, unknown>> = {
  kind: 'mqtt',
  summary:
    'Subscribes to MQTT 3.1.1 or 5 topics (optionally as a shared group); QoS 1/2 messages are acknowledged only after they are stored.',
  settings: MQTT_SETTINGS_SCHEMA,
  templateRoots: MQTT_TEMPLATE_ROOTS,
  build: buildMqttConnector,
};
