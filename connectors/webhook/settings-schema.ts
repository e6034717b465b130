import type { JsonSchema } from '../../broker/ports/json-schema.js';

/**
 * The `webhook` block of a Source, as the manifest schema checks it; the generated
 * schemas/source.schema.json and docs/reference/sources.md are made from it (`npm run docs`).
 */
export const WEBHOOK_SETTINGS_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    preset: {
      enum: ['github'],
    },
    signature: {
      type: 'object',
      additionalProperties: false,
      required: ['secret'],
      properties: {
        secret: {
          $ref: 'definitions.schema.json#/definitions/secret',
        },
        header: {
          type: 'string',
          minLength: 1,
        },
        algorithm: {
          enum: ['sha1', 'sha256', 'sha512'],
        },
        prefix: {
          type: 'string',
        },
        encoding: {
          enum: ['hex', 'base64'],
        },
        timestamp: {
          type: 'object',
          additionalProperties: false,
          required: ['header'],
          properties: {
            header: {
              type: 'string',
              minLength: 1,
            },
            toleranceSeconds: {
              type: 'integer',
              minimum: 1,
              default: 300,
            },
          },
        },
      },
    },
  },
};
