import type { JsonSchema } from '../../broker/ports/json-schema.js';

/**
 * The `nats` block of a Source, as the manifest schema checks it; the generated
 * schemas/source.schema.json and docs/reference/sources.md are made from it (`npm run docs`).
 * Descriptions, defaults and examples document what settings.ts and jetstream-consumer.ts
 * apply; they take no part in validation (ajv runs without `useDefaults`).
 */
export const NATS_SETTINGS_SCHEMA: JsonSchema = {
  description:
    'Reads a NATS subject: a core subscription (at most once), or with `stream` a durable JetStream pull consumer whose messages are acked only after they are stored (at least once).',
  type: 'object',
  additionalProperties: false,
  required: ['servers', 'subject'],
  properties: {
    servers: {
      description:
        'NATS server addresses: nats://host:port, tls://host:port or a bare host:port, without credentials in them (use `token`, `user` and `password`, or `nkeySeed`).',
      type: 'array',
      minItems: 1,
      items: {
        type: 'string',
        minLength: 1,
      },
      examples: [
        ['nats://127.0.0.1:4222'],
        ['nats://nats-1.example.com:4222', 'nats://nats-2.example.com:4222'],
      ],
    },
    subject: {
      description:
        "Subject to read, with the wildcards `*` (one token) and `>` (the remaining tokens, last); with `stream` it is the durable consumer's filter subject.",
      type: 'string',
      minLength: 1,
      examples: ['devices.>', 'orders.*.created'],
    },
    stream: {
      description:
        'Read through a durable JetStream pull consumer on this existing stream (never created by the broker), each message acked once stored. No default: without it, a core NATS subscription, which is at most once.',
      type: 'string',
      minLength: 1,
      examples: ['DEVICES'],
    },
    durable: {
      description:
        'Name of the durable consumer (no ".", "*", ">", "/", "\\" or whitespace), created when missing and updated to match the manifest; processes running the same Source share it and split the stream. Needs `stream`. Default: trigger-broker-<metadata.name>.',
      type: 'string',
      minLength: 1,
      examples: ['trigger-broker-devices'],
    },
    maxDeliver: {
      description:
        'Deliveries of one message after which JetStream gives it up (a message that could not be stored by then is lost, with an error line). Needs `stream`. Default: unlimited.',
      type: 'integer',
      minimum: 1,
      examples: [10],
    },
    ackWait: {
      description:
        'How long JetStream waits for the ack of a delivered message before it redelivers it, as an ISO-8601 duration of at least PT1S; a message being stored gets "in progress" acks every half of it. Needs `stream`.',
      $ref: 'definitions.schema.json#/definitions/duration',
      default: 'PT30S',
      examples: ['PT30S', 'PT2M'],
    },
    deliverPolicy: {
      description:
        'Where the durable consumer starts when it is created: `all` from the first message in the stream, `new` with messages published after it; an existing consumer keeps its position. Needs `stream`.',
      enum: ['all', 'new'],
      default: 'all',
      examples: ['all', 'new'],
    },
    queue: {
      description:
        "Core subscriptions only (not with `stream`): a queue group name without whitespace, so that the processes subscribed with it split the subject's messages. No default (every process gets every message).",
      type: 'string',
      minLength: 1,
      examples: ['workers'],
    },
    token: {
      description:
        'Token authentication, as a secret reference. At most one of `token`, `user`/`password` and `nkeySeed`; no default (no authentication).',
      $ref: 'definitions.schema.json#/definitions/secret',
      examples: [{ fromEnv: 'NATS_TOKEN' }],
    },
    user: {
      description:
        'User name for user and password authentication; needs `password`. At most one of `token`, `user`/`password` and `nkeySeed`.',
      type: 'string',
      minLength: 1,
      examples: ['trigger-broker'],
    },
    password: {
      description: 'Password for user and password authentication, as a secret reference; needs `user`.',
      $ref: 'definitions.schema.json#/definitions/secret',
      examples: [{ fromEnv: 'NATS_PASSWORD' }],
    },
    nkeySeed: {
      description:
        'NKey authentication: a user seed (starting with "SU", as `nk -gen user` makes; surrounding whitespace ignored), as a secret reference. The broker signs the server\'s challenge with it; the server lists the user\'s public key. At most one of `token`, `user`/`password` and `nkeySeed`.',
      $ref: 'definitions.schema.json#/definitions/secret',
      examples: [{ fromFile: '/run/secrets/nats-user.nk' }],
    },
  },
};
