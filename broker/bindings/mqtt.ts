/**
 * The MQTT protocol binding for CloudEvents (mqtt-binding.md): tells a binding-encoded message
 * from a raw one, and reads the event of a binding-encoded one. Binary mode is the shared codec
 * under MQTT's rules; structured mode is the JSON event format in the payload.
 */
import type { CloudEvent, EventData } from '../cloudevents/event.js';
import { decodeJsonEvent, JSON_EVENT_MEDIA_TYPE } from '../cloudevents/json-format.js';
import { parseMediaType } from '../cloudevents/media-type.js';
import { BrokerError } from '../errors.js';
import { type BindingField, type BindingRules, decodeBinaryMessage } from './binary-mode.js';
import { readRawPayload } from './raw-payload.js';

/** One MQTT PUBLISH as the connector sees it. */
export interface MqttMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  /** The MQTT 5 Content Type property; MQTT 3.1.1 has none. */
  readonly contentType: string | undefined;
  /** MQTT 5 User Properties; a name sent more than once maps to all its values. */
  readonly userProperties: Readonly<Record<string, string | string[]>>;
}

export type MqttContentMode =
  | { readonly mode: 'structured' }
  | { readonly mode: 'binary' }
  /**
   * Not a CloudEvent: `body` is the payload as the `ce` templates see it (parsed JSON, else
   * text), `json` whether it is JSON (raw-payload.ts).
   */
  | { readonly mode: 'raw'; readonly body: unknown; readonly json: boolean };

/**
 * Binary mode (3.1): every attribute in a User Property of the same name (3.1.3.1; names that
 * cannot be attribute names are the application's), holding its canonical string (3.1.3.2),
 * datacontenttype in the Content Type property (3.1.1). The spec's own example also repeats
 * datacontenttype as a User Property; it is taken when the Content Type property is absent,
 * and the property wins when both are there.
 *
 * A repeated user property keeps the wording `user property "x" occurs N times` that
 * dead-letter readers match on.
 */
export const MQTT_RULES: BindingRules = {
  name: 'MQTT',
  attributePrefix: '',
  caseInsensitiveNames: false,
  contentType: {
    travelsIn: 'content type field',
    attributeField: 'fallback',
    field: 'Content Type',
    label: 'MQTT Content Type property',
    reference: 'mqtt-binding 3.1.1',
  },
  percentEncoding: false,
  textReference: 'MQTT 5.0 section 1.5.4',
  fieldLabel: (field) => `MQTT user property ${field}`,
  wording: {
    repeated: (field, count) =>
      `user property ${JSON.stringify(field)} occurs ${count} times; a CloudEvents attribute occurs at most once`,
  },
};

/**
 * Decides how to read a message.
 *
 * - Content Type prefixed with `application/cloudevents` (3. "MQTT PUBLISH Message Mapping"):
 *   structured; only the JSON event format is supported, other formats are refused rather than
 *   mistaken for data.
 * - A `specversion` User Property: binary mode (3.1), the spec's "has the mandatory attributes as
 *   message properties" test, narrowed to the one attribute every version has.
 * - No Content Type at all: the message may come from an MQTT 3.1.1 publisher (even when this
 *   connector speaks MQTT 5, a 3.1.1 publisher's message carries no properties), for which
 *   structured mode with `application/cloudevents+json` is implied (3.2.1). Without a `ce`
 *   mapping every such message is read as structured; with one, only a payload that is a JSON
 *   object with a `specversion` member is, and anything else is raw data for the mapping.
 * - Anything else is raw.
 */
export function contentModeOf(message: MqttMessage, options: { mapped: boolean }): MqttContentMode {
  requireUtf8Properties(message);
  const contentType = message.contentType;
  if (contentType !== undefined && /^\s*application\/cloudevents/i.test(contentType)) {
    const mediaType = parseMediaType(contentType);
    if (mediaType?.type === 'application' && mediaType.subtype === 'cloudevents+json')
      return { mode: 'structured' };
    throw new BrokerError(
      'unsupported_media_type',
      `Content Type "${contentType.slice(0, 80)}" names a CloudEvents format this broker does not read; ` +
        `the MQTT binding carries one event per message in ${JSON_EVENT_MEDIA_TYPE}`,
    );
  }
  if (Object.hasOwn(message.userProperties, 'specversion')) return { mode: 'binary' };
  if (contentType === undefined && !options.mapped) return { mode: 'structured' };
  const { body, json } = readRawPayload(message.payload);
  if (contentType === undefined && isJsonObjectWithSpecversion(body)) return { mode: 'structured' };
  return { mode: 'raw', body, json };
}

/**
 * Structured mode (3.2): the payload is one event in the JSON event format. Without a Content
 * Type (an MQTT 3.1.1 publisher) application/cloudevents+json is implied (3.2.1).
 */
export function decodeStructured(message: MqttMessage): CloudEvent {
  return decodeJsonEvent(message.payload, {
    value: message.contentType ?? JSON_EVENT_MEDIA_TYPE,
    label: MQTT_RULES.contentType.label,
  });
}

/** Binary mode (3.1), by MQTT_RULES: the user properties and Content Type, the payload as the data, untouched. */
export function decodeBinary(message: MqttMessage): CloudEvent {
  return decodeBinaryMessage(
    {
      fields: userPropertyFields(message.userProperties),
      contentType: () => message.contentType,
      body: message.payload,
    },
    MQTT_RULES,
  );
}

/** Raw payload bytes as event data; an empty payload is no data. */
export function payloadData(payload: Uint8Array): EventData {
  return payload.byteLength === 0 ? { kind: 'none' } : { kind: 'bytes', bytes: payload };
}

/** Every user property value as a field: one per value of a repeated name. */
function* userPropertyFields(properties: MqttMessage['userProperties']): Generator<BindingField> {
  for (const [name, value] of Object.entries(properties)) {
    if (!Array.isArray(value)) yield { name, value };
    else for (const single of value) yield { name, value: single };
  }
}

function isJsonObjectWithSpecversion(body: unknown): boolean {
  return (
    typeof body === 'object' && body !== null && !Array.isArray(body) && Object.hasOwn(body, 'specversion')
  );
}

/**
 * MQTT strings are UTF-8 (MQTT 5.0 1.5.4). mqtt.js decodes them without checking and turns each
 * invalid byte into U+FFFD, so a replacement character is the only trace left of one: a User
 * Property or Content Type holding U+FFFD is refused as not valid UTF-8 (the real character is
 * refused with it; no sensible producer sends it in metadata).
 */
function requireUtf8Properties(message: MqttMessage): void {
  const check = (what: string, text: string) => {
    if (text.includes('\ufffd'))
      throw new BrokerError('invalid_attribute', `${what} is not valid UTF-8 (MQTT 5.0 section 1.5.4)`);
  };
  if (message.contentType !== undefined) check('the Content Type property', message.contentType);
  for (const [name, value] of Object.entries(message.userProperties)) {
    check(`a user property name`, name);
    for (const item of Array.isArray(value) ? value : [value])
      check(`user property ${JSON.stringify(name.replace(/\ufffd/g, '?'))}`, item);
  }
}
