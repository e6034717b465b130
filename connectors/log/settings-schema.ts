import type { JsonSchema } from '../../broker/ports/json-schema.js';

/**
 * The `log` block of a Source, as the manifest schema checks it; the generated
 * schemas/source.schema.json and docs/reference/sources.md are made from it (`npm run docs`).
 */
export const LOG_SETTINGS_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    paths: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'string',
        minLength: 1,
      },
    },
    syslog: {
      type: 'object',
      additionalProperties: false,
      properties: {
        udp: {
          type: 'integer',
          minimum: 0,
          maximum: 65535,
        },
        tcp: {
          type: 'integer',
          minimum: 0,
          maximum: 65535,
        },
      },
    },
    startAt: {
      enum: ['end', 'beginning'],
    },
    format: {
      enum: ['plain', 'json', 'regex'],
    },
    regex: {
      type: 'string',
      minLength: 1,
    },
    multiline: {
      type: 'object',
      additionalProperties: false,
      required: ['continuation'],
      properties: {
        continuation: {
          type: 'string',
          minLength: 1,
        },
      },
    },
  },
};
