import type { JsonSchema } from '../../broker/ports/json-schema.js';

/**
 * The `mqtt` block of a Source, as the manifest schema checks it; the generated
 * schemas/source.schema.json and docs/reference/sources.md are made from it (`npm run docs`).
 * Descriptions, defaults and examples document what settings.ts and source.ts apply; they take
 * no part in validation (ajv runs without `useDefaults`). Careful with the `description` of a
 * field that has a `pattern`: the manifest validator prints it as the error for a value that
 * does not match (`invalid value: DESCRIPTION`), so it starts with the rule.
 */
export const MQTT_SETTINGS_SCHEMA: JsonSchema = {
  description:
    'Subscribes to MQTT 3.1.1 or 5 topics with a persistent session (fixed client id, no clean start), optionally as a shared group, and acknowledges each QoS 1/2 message only after its event is stored.',
  type: 'object',
  additionalProperties: false,
  required: ['url', 'topics'],
  properties: {
    url: {
      description:
        'An mqtt://, mqtts://, tcp://, ssl://, ws:// or wss:// URL of the MQTT broker, without credentials in it (set `username` and `password` instead).',
      type: 'string',
      pattern: '^(mqtts?|wss?|tcp|ssl)://',
      examples: ['mqtt://127.0.0.1:1883', 'mqtts://mqtt.example.com:8883', 'wss://mqtt.example.com:443/mqtt'],
    },
    protocolVersion: {
      description:
        'MQTT protocol version: 4 for MQTT 3.1.1, 5 for MQTT 5. `sessionExpiry`, `membershipTopic` (session takeover in shared groups) and retain handling need 5.',
      enum: [4, 5],
      default: 5,
      examples: [5, 4],
    },
    topics: {
      description:
        'Topic filters to subscribe to: `+` matches one level, `#` (last) the rest. Write the filter itself and set `sharedGroup` instead of `$share/GROUP/...`.',
      type: 'array',
      minItems: 1,
      items: {
        type: 'string',
        minLength: 1,
      },
      examples: [['sensors/+/temperature'], ['devices/#', 'alerts/+']],
    },
    qos: {
      description:
        'QoS requested for every subscription (0, 1 or 2); a lower QoS granted by the MQTT broker is logged as a warning. With 1 or 2 a message is acknowledged (PUBACK/PUBREC) only after its event is stored; QoS 0 messages may be lost.',
      enum: [0, 1, 2],
      default: 1,
      examples: [1, 2],
    },
    clientId: {
      description:
        'Client id, which names the persistent session that keeps messages while the broker is away: keep it fixed, and give every process its own. Default: trigger-broker-<metadata.name>, with -<hostname> added when `sharedGroup` is set (two members on one host must set it themselves).',
      type: 'string',
      minLength: 1,
      examples: ['trigger-broker-1', 'trigger-broker-sensors-host-a'],
    },
    sharedGroup: {
      description:
        'A shared subscription group name without "/", "+" or "#": each topic is then subscribed as $share/GROUP/TOPIC, and the processes in the group split its messages (without it, an ordinary subscription).',
      type: 'string',
      pattern: '^[^/+#]+$',
      examples: ['workers'],
    },
    membershipTopic: {
      description:
        'MQTT 5 shared groups: the prefix of the topics on which members announce themselves (PREFIX/GROUP/members/CLIENTID, retained), so that a survivor takes over the session of a member that is away. A topic name without "+", "#", a leading "$" or a trailing "/", where the broker ACL lets every member publish and subscribe; needs `sharedGroup` and `protocolVersion: 5`.',
      type: 'string',
      minLength: 1,
      default: 'trigger-broker/groups',
      examples: ['trigger-broker/groups', 'site-a/broker-membership'],
    },
    retained: {
      description:
        '`take` turns retained messages into events (with MQTT 5 only when the subscription is new, so a restart with a kept session does not take them again); `ignore` skips them (MQTT 5 asks the broker not to send them, and any message flagged retained is acknowledged and dropped).',
      enum: ['take', 'ignore'],
      default: 'take',
      examples: ['ignore', 'take'],
    },
    username: {
      description: 'User name sent in CONNECT. No default (no user name).',
      type: 'string',
      examples: ['trigger-broker'],
    },
    password: {
      description: 'Password sent in CONNECT, as a secret reference. No default (no password).',
      $ref: 'definitions.schema.json#/definitions/secret',
      examples: [{ fromEnv: 'MQTT_PASSWORD' }, { fromFile: '/run/secrets/mqtt-password' }],
    },
    sessionExpiry: {
      description:
        'MQTT 5 only: how long the MQTT broker keeps the session (subscriptions and queued messages) after the connection ends, as an ISO-8601 duration rounded up to whole seconds. Default: the session never expires.',
      $ref: 'definitions.schema.json#/definitions/duration',
      examples: ['P1D', 'PT1H'],
    },
    tls: {
      description:
        "TLS options for an mqtts://, ssl:// or wss:// url (refused with another scheme); CA, certificate and key are read like secrets. No default: Node's default CAs, no client certificate.",
      type: 'object',
      additionalProperties: false,
      properties: {
        ca: {
          description:
            "PEM certificate(s) of the CA that signed the MQTT broker's certificate, as a secret reference; replaces Node's default CA list. No default (Node's default CAs).",
          $ref: 'definitions.schema.json#/definitions/secret',
          examples: [{ fromFile: '/etc/trigger-broker/mqtt-ca.pem' }],
        },
        cert: {
          description:
            'PEM client certificate for mutual TLS, as a secret reference; needs `key`. No default (no client certificate).',
          $ref: 'definitions.schema.json#/definitions/secret',
          examples: [{ fromFile: '/etc/trigger-broker/mqtt-client.pem' }],
        },
        key: {
          description:
            'PEM private key of the client certificate, as a secret reference; needs `cert`. No default.',
          $ref: 'definitions.schema.json#/definitions/secret',
          examples: [{ fromFile: '/etc/trigger-broker/mqtt-client-key.pem' }],
        },
        rejectUnauthorized: {
          description:
            'Refuse an MQTT broker whose certificate does not verify against the CAs; false is for testing only.',
          type: 'boolean',
          default: true,
          examples: [true, false],
        },
      },
      examples: [
        { ca: { fromFile: '/etc/trigger-broker/mqtt-ca.pem' } },
        {
          ca: { fromFile: '/etc/trigger-broker/mqtt-ca.pem' },
          cert: { fromFile: '/etc/trigger-broker/mqtt-client.pem' },
          key: { fromFile: '/etc/trigger-broker/mqtt-client-key.pem' },
        },
      ],
    },
  },
};
