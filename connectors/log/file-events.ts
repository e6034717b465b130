import type { AttributeValue, CloudEvent, EventData } from '../../broker/cloudevents/event.js';
import { JSON_VALUES, validateAttributes } from '../../broker/cloudevents/validate.js';
import type { CeMapper } from '../../broker/mapping/ce-mapping.js';
import type { LogRecord } from './records/record.js';

/** The template roots of a line from a file. */
export const FILE_TEMPLATE_ROOTS = ['file', 'line', 'fields', 'offset'] as const;

/** The event type of a file line when the Source's `ce` block names none. */
export const FILE_LINE_TYPE = 'dev.triggerbroker.log.line';

/**
 * Which attributes the Source's `ce` block names: those get no default, so a template that
 * renders nothing for a line (a missing field) dead-letters it instead of passing it on under
 * the default type.
 */
export interface NamedByMapping {
  type: boolean;
  source: boolean;
}

/** Where a record was read: the file's path and the stable identity its event ids derive from. */
export interface RecordOrigin {
  path: string;
  /** Derived once per file identity (device, inode, first sight) and kept in its checkpoint. */
  idBase: string;
}

/**
 * Turns one record of a file into a CloudEvent. Without a `ce` block, or where it leaves them
 * out: `type` dev.triggerbroker.log.line, `source` the file's absolute path (a URI-reference),
 * `id` `{idBase}-{offset}` (the same line read again after a crash gets the same id), `time` the
 * line's own time (`timeField`) or now. Throws the mapping's BrokerError when a template names a
 * value the line does not have: the caller dead-letters the line.
 */
export function recordToEvent(
  mapper: CeMapper,
  record: LogRecord,
  origin: RecordOrigin,
  now: string,
  named: NamedByMapping,
): CloudEvent {
  const roots = {
    file: origin.path,
    line: record.line,
    fields: record.fields ?? {},
    offset: record.offset,
  };
  const attributes: Record<string, AttributeValue> = mapper(roots, {
    ...(named.type ? {} : { type: FILE_LINE_TYPE }),
    ...(named.source ? {} : { source: origin.path }),
    id: `${origin.idBase}-${record.offset}`,
    time: record.time ?? now,
    datacontenttype: contentType(record.data),
  });
  // Said in extensions, so a function can tell a cut or unparsed line from a whole one.
  if (record.truncated) attributes['logtruncated'] = record.truncated.originalBytes;
  if (record.parseError !== undefined) attributes['logparseerror'] = record.parseError;
  return { attributes: validateAttributes(attributes, JSON_VALUES), data: eventData(record.data) };
}

function contentType(data: LogRecord['data']): string {
  if (data.kind === 'json') return 'application/json';
  if (data.kind === 'text') return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}

const utf8 = new TextEncoder();

function eventData(data: LogRecord['data']): EventData {
  if (data.kind === 'json') return { kind: 'json', value: data.value };
  if (data.kind === 'bytes') return { kind: 'bytes', bytes: data.bytes };
  // Text travels as bytes with its text/plain content type: a binary-mode delivery then carries
  // the line exactly, not a JSON string in quotes.
  return { kind: 'bytes', bytes: utf8.encode(data.text) };
}
