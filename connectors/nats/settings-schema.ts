import type { JsonSchema } from '../../broker/ports/json-schema.js';

/**
 * The `nats` block of a Source, as the manifest schema checks it; the generated
 * schemas/source.schema.json and docs/reference/sources.md are made from it (`npm run docs`).
 */
export const NATS_SETTINGS_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['servers', 'subject'],
  properties: {
    servers: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'string',
        minLength: 1,
      },
    },
    subject: {
      type: 'string',
      minLength: 1,
    },
    stream: {
      type: 'string',
      minLength: 1,
    },
    durable: {
      type: 'string',
      minLength: 1,
    },
    maxDeliver: {
      type: 'integer',
      minimum: 1,
    },
    ackWait: {
      $ref: 'definitions.schema.json#/definitions/duration',
    },
    deliverPolicy: {
      enum: ['all', 'new'],
    },
    queue: {
      type: 'string',
      minLength: 1,
    },
    token: {
      $ref: 'definitions.schema.json#/definitions/secret',
    },
    user: {
      type: 'string',
      minLength: 1,
    },
    password: {
      $ref: 'definitions.schema.json#/definitions/secret',
    },
    nkeySeed: {
      $ref: 'definitions.schema.json#/definitions/secret',
    },
  },
};
