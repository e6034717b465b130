import type { JsonSchema } from '../../broker/ports/json-schema.js';

/**
 * The `webhook` block of a Source, as the manifest schema checks it; the generated
 * schemas/source.schema.json and docs/reference/sources.md are made from it (`npm run docs`).
 * Descriptions, defaults and examples document what source.ts and signature.ts apply; they
 * take no part in validation (ajv runs without `useDefaults`).
 */
export const WEBHOOK_SETTINGS_SCHEMA: JsonSchema = {
  description:
    'Raw HTTP requests POSTed to /webhooks/{metadata.name}, optionally verified by an HMAC signature, and turned into CloudEvents by the `ce` mapping or the GitHub preset; a request that already is a CloudEvent keeps its attributes.',
  type: 'object',
  additionalProperties: false,
  properties: {
    preset: {
      description:
        '`github`: GitHub deliveries are mapped as the CloudEvents GitHub adapter specifies (type `com.github.<event>.<action>`, id from X-GitHub-Delivery, source, subject and time from the payload), so `ce` may be left out, and `signature.header` and `signature.prefix` default to GitHub\'s (X-Hub-Signature-256, "sha256="). No default: without a preset, `ce` must give at least `type` and `source`.',
      enum: ['github'],
      examples: ['github'],
    },
    signature: {
      description:
        'Verifies every request with an HMAC of its raw body (or of `TIMESTAMP.BODY` with `timestamp`) computed with a shared secret and compared in constant time; a request that fails gets 401 `bad_signature` (or `stale_signature`). Without this block requests are not verified, with the GitHub preset too.',
      type: 'object',
      additionalProperties: false,
      required: ['secret'],
      properties: {
        secret: {
          description:
            'The HMAC key shared with the sender, as a secret reference (`fromEnv` or `fromFile`; a trailing newline of the file is dropped).',
          $ref: 'definitions.schema.json#/definitions/secret',
          examples: [{ fromEnv: 'GITHUB_WEBHOOK_SECRET' }, { fromFile: '/run/secrets/webhook-secret' }],
        },
        header: {
          description:
            'Request header that carries the signature, matched case-insensitively; it may list several comma-separated signatures (as while a secret is rotated), and any one that matches is enough. Default: X-Signature, or X-Hub-Signature-256 with `preset: github`.',
          type: 'string',
          minLength: 1,
          examples: ['X-Signature', 'X-Hub-Signature-256', 'Stripe-Signature'],
        },
        algorithm: {
          description: 'Hash function of the HMAC, which also fixes the signature length.',
          enum: ['sha1', 'sha256', 'sha512'],
          default: 'sha256',
          examples: ['sha256', 'sha1'],
        },
        prefix: {
          description:
            'Text before each signature in the header, stripped before decoding; a signature without it does not count. When `timestamp.header` names the signature header itself (Stripe style), it is the key of the signature items and must look like `key=`. Default: "" (none), or "sha256=" with `preset: github`.',
          type: 'string',
          examples: ['sha256=', 'v1=', ''],
        },
        encoding: {
          description: 'How the signature bytes are written in the header: hexadecimal or base64.',
          enum: ['hex', 'base64'],
          default: 'hex',
          examples: ['hex', 'base64'],
        },
        timestamp: {
          description:
            'Replay protection: the sender also signs a Unix time in seconds, the signed text becomes `TIMESTAMP.BODY`, and a request whose time is more than `toleranceSeconds` away from now is refused with 401 `stale_signature`. No default (no timestamp check).',
          type: 'object',
          additionalProperties: false,
          required: ['header'],
          properties: {
            header: {
              description:
                'Header that carries the timestamp (Unix seconds). When it is the same header as `signature.header`, that header is read as a Stripe-style list `t=TIMESTAMP,v1=SIGNATURE,...`, and `prefix` names the signature key.',
              type: 'string',
              minLength: 1,
              examples: ['X-Timestamp', 'Stripe-Signature'],
            },
            toleranceSeconds: {
              description:
                'Largest difference, in seconds and either side of now, between the signed timestamp and the time of receipt.',
              type: 'integer',
              minimum: 1,
              default: 300,
              examples: [300, 60],
            },
          },
          examples: [{ header: 'X-Timestamp', toleranceSeconds: 300 }],
        },
      },
      examples: [
        { secret: { fromEnv: 'GITHUB_WEBHOOK_SECRET' } },
        {
          secret: { fromEnv: 'STRIPE_WEBHOOK_SECRET' },
          header: 'Stripe-Signature',
          prefix: 'v1=',
          timestamp: { header: 'Stripe-Signature', toleranceSeconds: 300 },
        },
      ],
    },
  },
};
