import type { JsonSchema } from '../../broker/ports/json-schema.js';

/**
 * The `kafka` block of a Source, as the manifest schema checks it; the generated
 * schemas/source.schema.json and docs/reference/sources.md are made from it (`npm run docs`).
 */
export const KAFKA_SETTINGS_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['brokers'],
  properties: {
    brokers: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'string',
        minLength: 1,
      },
    },
    topics: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'string',
        minLength: 1,
      },
    },
    topicPattern: {
      type: 'string',
      minLength: 1,
    },
    groupId: {
      type: 'string',
      minLength: 1,
    },
    clientId: {
      type: 'string',
      minLength: 1,
    },
    fromBeginning: {
      type: 'boolean',
    },
    sessionTimeout: {
      $ref: 'definitions.schema.json#/definitions/duration',
    },
    ssl: {
      description:
        "true for TLS with the system's CAs, or TLS options; CA, certificate and key are read like secrets.",
      oneOf: [
        {
          type: 'boolean',
        },
        {
          type: 'object',
          additionalProperties: false,
          properties: {
            rejectUnauthorized: {
              type: 'boolean',
            },
            servername: {
              type: 'string',
              minLength: 1,
            },
            ca: {
              $ref: 'definitions.schema.json#/definitions/secret',
            },
            cert: {
              $ref: 'definitions.schema.json#/definitions/secret',
            },
            key: {
              $ref: 'definitions.schema.json#/definitions/secret',
            },
            passphrase: {
              $ref: 'definitions.schema.json#/definitions/secret',
            },
          },
        },
      ],
    },
    sasl: {
      type: 'object',
      additionalProperties: false,
      required: ['mechanism', 'username', 'password'],
      properties: {
        mechanism: {
          enum: ['plain', 'scram-sha-256', 'scram-sha-512'],
        },
        username: {
          type: 'string',
        },
        password: {
          $ref: 'definitions.schema.json#/definitions/secret',
        },
      },
    },
  },
};
