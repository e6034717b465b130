import type { JsonSchema } from '../ports/json-schema.js';

const template = (description: string, example: string): JsonSchema => ({
  type: 'string',
  minLength: 1,
  description,
  examples: [example],
});

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
      "The data's media type; default: the message's own content type when it has one.",
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
