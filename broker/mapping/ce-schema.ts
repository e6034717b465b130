import type { JsonSchema } from '../ports/json-schema.js';

const template = (description: string, example: string): JsonSchema => ({
  type: 'string',
  minLength: 1,
  description,
  examples: [example],
});

/**
 * How an MQTT, Kafka or NATS Source treats a raw payload that comes without a content type
 * (bindings/raw-payload.ts); a paragraph of docs/reference/sources.md.
 */
export const RAW_PAYLOAD_DATA = [
  'A raw message (one that is not a CloudEvent under its binding) keeps its payload byte for byte',
  "as the event's data, and its content type (MQTT 5 Content Type, Kafka `content-type` header,",
  'NATS `Content-Type` header) becomes `datacontenttype`. MQTT 3.1.1 has no content type, and many',
  'Kafka and NATS producers send none. From an `mqtt`, `kafka` or `nats` Source, such a message',
  'whose payload is JSON (valid UTF-8 that parses as one JSON value, the test that makes',
  '`${body...}` read it as JSON) gets `datacontenttype: application/json`: its data is JSON to',
  '`pattern` filters over `data`, is written as `data` (not `data_base64`) in the JSON format, and',
  'is delivered in binary mode with `Content-Type: application/json`. Any other payload without a',
  'content type gets no `datacontenttype`: its data is opaque bytes (`data_base64`), which a',
  '`pattern` over `data` never matches. A `ce.datacontenttype` template always wins. The `webhook`',
  "Source takes the request's `Content-Type` as it is.",
].join('\n');

/**
 * The `ce` block of a Source: how a raw message becomes a CloudEvent. It belongs to the core
 * (every connector shares it), so it stands here and not in a connector's descriptor.
 */
export const CE_MAPPING_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  description:
    'How a raw message becomes a CloudEvent: ${...} templates over the raw message. A message that already is a CloudEvent under its protocol binding keeps its own attributes.',
  properties: {
    type: template(
      'The event type (required with a mapping, unless a preset supplies it).',
      'com.example.sensor.reading',
    ),
    source: template(
      'The event source (required with a mapping, unless a preset supplies it).',
      '/devices/${topic[1]}',
    ),
    subject: template('The event subject; left out when the template finds nothing.', '${body.deviceId}'),
    id: template('The event id; default: a fresh unique id for every message.', '${headers.x-request-id}'),
    time: template(
      'The event time, an RFC 3339 timestamp; default: the time the message was read.',
      '${body.ts}',
    ),
    dataschema: template('The dataschema attribute, a URI.', 'https://example.com/schemas/reading.json'),
    datacontenttype: template(
      "The data's media type; default: the message's own content type when it has one; from an MQTT, Kafka or NATS Source without one, `application/json` when the payload is JSON (see Data without a content type, below).",
      'application/json',
    ),
    extensions: {
      type: 'object',
      description: 'Extension attributes: lower-case alphanumeric names, each a template.',
      propertyNames: { pattern: '^[a-z0-9]+$' },
      additionalProperties: { type: 'string' },
      examples: [{ site: '${topic[0]}' }],
    },
  },
};
