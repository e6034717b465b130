import type { JsonSchema } from '../../broker/ports/json-schema.js';

/**
 * The `log` block of a Source, as the manifest schema checks it; the generated
 * schemas/source.schema.json and docs/reference/sources.md are made from it (`npm run docs`).
 * This build has no log connector yet (index.ts has no builder), so the descriptions follow
 * the design's "Source settings" and no field has a `default`: there is no code applying one.
 */
export const LOG_SETTINGS_SCHEMA: JsonSchema = {
  description:
    'Tails log files and receives syslog messages, one event per line or record; validated, but this build cannot run it yet, so `start` refuses a Source that uses it.',
  type: 'object',
  additionalProperties: false,
  properties: {
    paths: {
      description:
        'Files to tail, as paths or glob patterns; each line (or multiline record) becomes one event, with the `file` and `line` template roots. Give `paths`, `syslog` or both.',
      type: 'array',
      minItems: 1,
      items: {
        type: 'string',
        minLength: 1,
      },
      examples: [['/var/log/app/*.log'], ['/var/log/nginx/access.log', '/var/log/nginx/error.log']],
    },
    syslog: {
      description:
        'Receive syslog messages on UDP and/or TCP ports; each message becomes one event, with the `severity`, `facility`, `hostname` and `appName` template roots.',
      type: 'object',
      additionalProperties: false,
      properties: {
        udp: {
          description: 'UDP port to receive syslog datagrams on (0 to 65535).',
          type: 'integer',
          minimum: 0,
          maximum: 65535,
          examples: [5514],
        },
        tcp: {
          description: 'TCP port to accept syslog connections on (0 to 65535).',
          type: 'integer',
          minimum: 0,
          maximum: 65535,
          examples: [5514],
        },
      },
      examples: [{ udp: 5514, tcp: 5514 }, { udp: 514 }],
    },
    startAt: {
      description:
        'Where to start reading a file not seen before: `end` takes only lines appended from now on, `beginning` reads what the file already holds too.',
      enum: ['end', 'beginning'],
      examples: ['end', 'beginning'],
    },
    format: {
      description:
        'How a line is parsed into the `fields` template root: `plain` keeps it as text, `json` parses it as a JSON object, `regex` takes the named groups of `regex`.',
      enum: ['plain', 'json', 'regex'],
      examples: ['plain', 'json', 'regex'],
    },
    regex: {
      description:
        'With `format: regex`: a regular expression with named groups, each group becoming a field of the line.',
      type: 'string',
      minLength: 1,
      examples: ['^(?<time>\\S+) (?<level>[A-Z]+) (?<message>.*)$'],
    },
    multiline: {
      description:
        'Joins continuation lines (a stack trace, say) to the line before them, so that one record makes one event.',
      type: 'object',
      additionalProperties: false,
      required: ['continuation'],
      properties: {
        continuation: {
          description:
            'A regular expression that matches a continuation line, which is appended to the record before it instead of starting a new one.',
          type: 'string',
          minLength: 1,
          examples: ['^\\s', '^(\\s|Caused by:)'],
        },
      },
      examples: [{ continuation: '^\\s' }],
    },
  },
};
