import type { JsonSchema } from '../../broker/ports/json-schema.js';

/**
 * The `kafka` block of a Source, as the manifest schema checks it; the generated
 * schemas/source.schema.json and docs/reference/sources.md are made from it (`npm run docs`).
 * Descriptions, defaults and examples document what settings.ts and client.ts apply; they take
 * no part in validation (ajv runs without `useDefaults`).
 */
export const KAFKA_SETTINGS_SCHEMA: JsonSchema = {
  description:
    'Consumes Kafka topics in a consumer group; offsets are committed per partition only once the records up to them are stored.',
  type: 'object',
  additionalProperties: false,
  required: ['brokers'],
  properties: {
    brokers: {
      description: 'Bootstrap servers as host:port; the client discovers the rest of the cluster from them.',
      type: 'array',
      minItems: 1,
      items: {
        type: 'string',
        minLength: 1,
      },
      examples: [['127.0.0.1:9092'], ['kafka-1.example.com:9093', 'kafka-2.example.com:9093']],
    },
    topics: {
      description:
        'Names of the topics to read (duplicates ignored). Give exactly one of `topics` and `topicPattern`.',
      type: 'array',
      minItems: 1,
      items: {
        type: 'string',
        minLength: 1,
      },
      examples: [['orders'], ['orders', 'payments']],
    },
    topicPattern: {
      description:
        "A JavaScript regular expression that must match the whole topic name (as Kafka's Java client does); topics whose name starts with `__` are left out. The topics are listed again every 30 s, and the Source rejoins its group when the matching set changes. Give exactly one of `topics` and `topicPattern`.",
      type: 'string',
      minLength: 1,
      examples: ['orders\\..*', 'sensor-[0-9]+'],
    },
    groupId: {
      description:
        'Consumer group: processes sharing it split the partitions, and when one dies the others take over its partitions once its session times out. Default: trigger-broker-<metadata.name>.',
      type: 'string',
      minLength: 1,
      examples: ['trigger-broker-orders'],
    },
    clientId: {
      description:
        'Client id sent to Kafka with every request (it appears in broker logs, metrics and quotas). Default: trigger-broker-<metadata.name>.',
      type: 'string',
      minLength: 1,
      examples: ['trigger-broker-orders'],
    },
    fromBeginning: {
      description:
        'Where a group without a committed offset for a partition starts: true from the oldest record kept, false with new records only. A committed offset always wins.',
      type: 'boolean',
      default: false,
      examples: [true, false],
    },
    sessionTimeout: {
      description:
        'How long a member that stops sending heartbeats keeps its partitions before the group gives them to others, as an ISO-8601 duration of at least PT6S; heartbeats go every third of it, at most every 3 s.',
      $ref: 'definitions.schema.json#/definitions/duration',
      default: 'PT30S',
      examples: ['PT30S', 'PT10S'],
    },
    ssl: {
      description:
        "true for TLS with Node's default CAs, or TLS options; CA, certificate and key are read like secrets. Absent or false: plaintext.",
      oneOf: [
        {
          description:
            "true: TLS with Node's defaults (its default CA list, no client certificate); false: plaintext.",
          type: 'boolean',
        },
        {
          description: "TLS with these options, handed to Node's tls.connect.",
          type: 'object',
          additionalProperties: false,
          properties: {
            rejectUnauthorized: {
              description:
                "Refuse a Kafka broker whose certificate does not verify against the CAs (Node's default, true); false is for testing only.",
              type: 'boolean',
              default: true,
              examples: [true, false],
            },
            servername: {
              description:
                'Server name sent in the TLS handshake (SNI) and checked against the certificate. Default: the host name of the Kafka broker being connected to (none for an IP address).',
              type: 'string',
              minLength: 1,
              examples: ['kafka.example.com'],
            },
            ca: {
              description:
                "PEM certificate(s) of the CA that signed the Kafka brokers' certificates, as a secret reference; replaces Node's default CA list. No default (Node's default CAs).",
              $ref: 'definitions.schema.json#/definitions/secret',
              examples: [{ fromFile: '/etc/trigger-broker/kafka-ca.pem' }],
            },
            cert: {
              description:
                'PEM client certificate for mutual TLS, as a secret reference; give `key` with it. No default (no client certificate).',
              $ref: 'definitions.schema.json#/definitions/secret',
              examples: [{ fromFile: '/etc/trigger-broker/kafka-client.pem' }],
            },
            key: {
              description: 'PEM private key of the client certificate, as a secret reference. No default.',
              $ref: 'definitions.schema.json#/definitions/secret',
              examples: [{ fromFile: '/etc/trigger-broker/kafka-client-key.pem' }],
            },
            passphrase: {
              description:
                'Passphrase of an encrypted `key`, as a secret reference. No default (the key is not encrypted).',
              $ref: 'definitions.schema.json#/definitions/secret',
              examples: [{ fromEnv: 'KAFKA_KEY_PASSPHRASE' }],
            },
          },
        },
      ],
      default: false,
      examples: [true, { ca: { fromFile: '/etc/trigger-broker/kafka-ca.pem' } }],
    },
    sasl: {
      description:
        'SASL authentication with a user name and password. No default (no authentication); use it with `ssl`, as `plain` sends the password as it is.',
      type: 'object',
      additionalProperties: false,
      required: ['mechanism', 'username', 'password'],
      properties: {
        mechanism: {
          description: 'SASL mechanism the Kafka brokers accept for this user.',
          enum: ['plain', 'scram-sha-256', 'scram-sha-512'],
          examples: ['scram-sha-512', 'plain'],
        },
        username: {
          description: 'SASL user name.',
          type: 'string',
          examples: ['trigger-broker'],
        },
        password: {
          description: 'SASL password, as a secret reference.',
          $ref: 'definitions.schema.json#/definitions/secret',
          examples: [{ fromEnv: 'KAFKA_PASSWORD' }],
        },
      },
      examples: [
        { mechanism: 'scram-sha-512', username: 'trigger-broker', password: { fromEnv: 'KAFKA_PASSWORD' } },
      ],
    },
  },
};
