import {
  contentModeOf,
  decodeBinary,
  decodeStructured,
  type MqttMessage,
  payloadData,
} from '../../broker/bindings/mqtt.js';
import { impliedContentType, type RawPayload } from '../../broker/bindings/raw-payload.js';
import type { CloudEvent } from '../../broker/cloudevents/event.js';
import { JSON_VALUES, validateAttributes } from '../../broker/cloudevents/validate.js';
import type { CeMappingSpec } from '../../broker/config/types.js';
import type { PathSegment } from '../../broker/config/yaml-document.js';
import { BrokerError } from '../../broker/errors.js';
import { type CeMapper, compileCeMapping, type MappingDefaults } from '../../broker/mapping/ce-mapping.js';

/** The template roots of an MQTT message (README, "Source"). */
export const MQTT_TEMPLATE_ROOTS = ['topic', 'userProperties', 'headers', 'body'] as const;

/** Turns one MQTT message into a CloudEvent; throws BrokerError when it cannot become one. */
export type MqttEventReader = (message: MqttMessage) => CloudEvent;

type Report = (path: readonly PathSegment[], message: string, options?: { offset?: number }) => void;

/**
 * Compiles a Source's `ce` block for MQTT messages. A binding-encoded message keeps its own
 * attributes; any other message is mapped by `ce`. Without a `ce` block the Source takes
 * CloudEvents only, and a raw message is refused.
 */
export function compileMqttEventReader(
  ce: CeMappingSpec | undefined,
  cePath: readonly PathSegment[],
  report: Report,
): MqttEventReader {
  const mapper: CeMapper | undefined =
    ce === undefined
      ? undefined
      : compileCeMapping(ce, MQTT_TEMPLATE_ROOTS, cePath, report, { requireTypeAndSource: true });
  return (message) => {
    const mode = contentModeOf(message, { mapped: mapper !== undefined });
    switch (mode.mode) {
      case 'structured':
        return decodeStructured(message);
      case 'binary':
        return decodeBinary(message);
      case 'raw':
        if (!mapper) {
          throw new BrokerError(
            'malformed_event',
            'the message is not a CloudEvent under the MQTT binding (no "specversion" user property, Content Type ' +
              `"${message.contentType?.slice(0, 80)}") and the Source has no ce mapping for raw messages`,
          );
        }
        return mapRawMessage(message, mode, mapper);
    }
  };
}

/**
 * Renders `ce` over the raw message. Roots: `topic` (its levels, so `${topic[1]}`),
 * `userProperties` (MQTT 5, names as sent), `headers` (the same, names lower-cased, as for the
 * other connectors), `body`. The data is the payload byte for byte; datacontenttype defaults to
 * the message's Content Type, and without one (MQTT 3.1.1) to application/json for a JSON payload
 * (bindings/raw-payload.ts).
 */
function mapRawMessage(message: MqttMessage, payload: RawPayload, mapper: CeMapper): CloudEvent {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(message.userProperties)) headers[name.toLowerCase()] = value;
  const defaults: MappingDefaults = {};
  const contentType = message.contentType?.trim();
  const datacontenttype =
    contentType === undefined || contentType === '' ? impliedContentType(payload) : contentType;
  if (datacontenttype !== undefined) defaults.datacontenttype = datacontenttype;
  const body = payload.body;
  const attributes = mapper(
    { topic: message.topic.split('/'), userProperties: message.userProperties, headers, body },
    defaults,
  );
  return { attributes: validateAttributes(attributes, JSON_VALUES), data: payloadData(message.payload) };
}
