import type { JsonSchema } from '../../broker/ports/json-schema.js';

const DURATION = { $ref: 'definitions.schema.json#/definitions/duration' };
const LINE_FORMATS = ['plain', 'json', 'regex'] as const;

/**
 * The `log` block of a Source, as the manifest schema checks it; the generated
 * schemas/source.schema.json and docs/reference/sources.md are made from it (`npm run docs`).
 * Every `default` here is the one settings.ts applies.
 */
export const LOG_SETTINGS_SCHEMA: JsonSchema = {
  description:
    'Tails log files and receives syslog messages: one event per line (or per multi-line record, or per syslog message). File positions are committed in the store with the events they produced, so after a crash no line is lost and none is stored twice.',
  type: 'object',
  additionalProperties: false,
  properties: {
    paths: {
      description:
        'Files to tail, as absolute paths or glob patterns (`*`, `**`, `?`, `[...]`, `{a,b}`); files that come to match while the broker runs are picked up. Rotation by rename-and-create and by copy-truncate is followed. Give `paths`, `syslog` or both.',
      type: 'array',
      minItems: 1,
      items: { type: 'string', minLength: 1 },
      examples: [['/var/log/app/*.log'], ['/var/log/nginx/access.log', '/var/log/nginx/error.log']],
    },
    syslog: {
      description:
        'Receive syslog messages (RFC 5424 and RFC 3164) on UDP and/or TCP (octet-counted or newline-framed, RFC 6587); each message becomes one event with the `severity`, `facility`, `hostname`, `appName`, `procId`, `msgId`, `structuredData` and `line` template roots.',
      type: 'object',
      additionalProperties: false,
      properties: {
        udp: {
          description: 'UDP port to receive syslog datagrams on (0 picks a free port).',
          type: 'integer',
          minimum: 0,
          maximum: 65535,
          examples: [5514],
        },
        tcp: {
          description: 'TCP port to accept syslog connections on (0 picks a free port).',
          type: 'integer',
          minimum: 0,
          maximum: 65535,
          examples: [5514],
        },
        host: {
          description: 'Address the syslog listeners bind to.',
          type: 'string',
          minLength: 1,
          default: '0.0.0.0',
          examples: ['0.0.0.0', '127.0.0.1'],
        },
        maxMessageBytes: {
          description:
            'Longest syslog message taken; a longer one is kept in the dead-letter list (its first bytes) and the connection goes on.',
          type: 'integer',
          minimum: 480,
          maximum: 16777216,
          default: 65536,
          examples: [65536],
        },
      },
      examples: [
        { udp: 5514, tcp: 5514 },
        { udp: 514, host: '127.0.0.1' },
      ],
    },
    startAt: {
      description:
        'Where to start in a file present when the Source first starts and never read before: `end` takes only lines appended from now on, `beginning` what the file already holds too. Files that appear later (a rotation, a new match) are always read from their beginning.',
      enum: ['end', 'beginning'],
      default: 'end',
      examples: ['end', 'beginning'],
    },
    format: {
      description:
        'How a line is read: `plain` text; `json`, an object whose fields are the `fields` template root and the event data; `regex`, the named groups of `regex`; `cri` (Kubernetes container logs, partial lines joined) and `docker` (the json-file driver) unwrap the runtime envelope and then apply `innerFormat`. A line that does not parse still becomes an event, with its text as data and the `logparseerror` extension.',
      enum: ['plain', 'json', 'regex', 'cri', 'docker'],
      default: 'plain',
      examples: ['plain', 'json', 'cri'],
    },
    innerFormat: {
      description: 'With `format: cri` or `docker`: the format of the unwrapped message.',
      enum: [...LINE_FORMATS],
      default: 'plain',
      examples: ['json'],
    },
    regex: {
      description:
        'With `format: regex` (or `innerFormat: regex`): a JavaScript regular expression whose named groups become the fields of the line.',
      type: 'string',
      minLength: 1,
      examples: ['^(?<time>\\S+) (?<level>[A-Z]+) (?<message>.*)$'],
    },
    multiline: {
      description:
        'Joins continuation lines (a stack trace) to the line before them, so that one record makes one event.',
      type: 'object',
      additionalProperties: false,
      required: ['continuation'],
      properties: {
        continuation: {
          description: 'A regular expression matching a continuation line.',
          type: 'string',
          minLength: 1,
          examples: ['^\\s', '^(\\s|Caused by:)'],
        },
        maxLines: {
          description: 'Most lines in one record; the next continuation line starts a new record.',
          type: 'integer',
          minimum: 2,
          maximum: 100000,
          default: 500,
          examples: [500],
        },
        timeout: {
          ...DURATION,
          description:
            'A record whose next line has not come after this long is emitted as it is (ISO-8601 duration).',
          default: 'PT2S',
          examples: ['PT2S'],
        },
      },
      examples: [{ continuation: '^\\s', maxLines: 500, timeout: 'PT2S' }],
    },
    timeField: {
      description:
        'The field (dots for nesting: `a.b`) holding the line’s own timestamp, which becomes the event `time`; without it (or when it does not parse) the time of reading is used.',
      type: 'string',
      minLength: 1,
      examples: ['ts', 'time', 'meta.timestamp'],
    },
    timeFormat: {
      description:
        'How `timeField` is written: `rfc3339`, `unix` (seconds), `unix_ms`, or `clf` (`10/Oct/2000:13:55:36 -0700`). Default: an RFC 3339 string or a number of seconds (milliseconds when it is above 1e11).',
      enum: ['rfc3339', 'unix', 'unix_ms', 'clf'],
      examples: ['unix_ms', 'clf'],
    },
    maxLineBytes: {
      description:
        'Longest line kept; a longer one is cut (at a character boundary) and its event carries the `logtruncated` extension with the original length in bytes.',
      type: 'integer',
      minimum: 64,
      maximum: 67108864,
      default: 1048576,
      examples: [1048576],
    },
    partialLineTimeout: {
      ...DURATION,
      description:
        'A last line still without its newline after this long is emitted as it is (a writer that never finishes its line).',
      default: 'PT5S',
      examples: ['PT5S'],
    },
    encoding: {
      description:
        '`utf8`: lines are text, bytes that are not UTF-8 become U+FFFD; `binary`: each line is kept byte for byte as `data_base64` (with `format: plain` only).',
      enum: ['utf8', 'binary'],
      default: 'utf8',
      examples: ['utf8', 'binary'],
    },
    pollInterval: {
      ...DURATION,
      description:
        'How often globs are expanded again and files checked for rotation, besides the file-system notifications that wake the reader at once.',
      default: 'PT1S',
      examples: ['PT1S', 'PT0.25S'],
    },
  },
};
