import type { JsonSchema } from '../../broker/ports/json-schema.js';

/**
 * The `mqtt` block of a Source, as the manifest schema checks it; the generated
 * schemas/source.schema.json and docs/reference/sources.md are made from it (`npm run docs`).
 */
export const MQTT_SETTINGS_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'topics'],
  properties: {
    url: {
      type: 'string',
      pattern: '^(mqtts?|wss?|tcp|ssl)://',
    },
    protocolVersion: {
      enum: [4, 5],
    },
    topics: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'string',
        minLength: 1,
      },
    },
    qos: {
      enum: [0, 1, 2],
    },
    clientId: {
      type: 'string',
      minLength: 1,
    },
    sharedGroup: {
      type: 'string',
      pattern: '^[^/+#]+$',
    },
    membershipTopic: {
      description:
        'MQTT 5 shared groups: the prefix of the topics on which members announce themselves (PREFIX/GROUP/members/CLIENTID), so that a survivor takes over the session of a member that is away.',
      type: 'string',
      minLength: 1,
    },
    retained: {
      enum: ['take', 'ignore'],
    },
    username: {
      type: 'string',
    },
    password: {
      $ref: 'definitions.schema.json#/definitions/secret',
    },
    sessionExpiry: {
      $ref: 'definitions.schema.json#/definitions/duration',
    },
    tls: {
      description: 'TLS options for an mqtts:// url; CA, certificate and key are read like secrets.',
      type: 'object',
      additionalProperties: false,
      properties: {
        ca: {
          $ref: 'definitions.schema.json#/definitions/secret',
        },
        cert: {
          $ref: 'definitions.schema.json#/definitions/secret',
        },
        key: {
          $ref: 'definitions.schema.json#/definitions/secret',
        },
        rejectUnauthorized: {
          type: 'boolean',
        },
      },
    },
  },
};
