/**
 * One Kafka record in, one CloudEvent (or the reason there can be none) out: the binding first
 * (a record that already is a CloudEvent keeps its attributes), else the Source's `ce` mapping.
 */

import {
  classifyRecord,
  decodeBinaryRecord,
  decodeStructuredRecord,
  RecordHeaders,
} from '../../broker/bindings/kafka.js';
import { type RawPayload, readRawPayload } from '../../broker/bindings/raw-payload.js';
import { IMPLIED_JSON_CONTENT_TYPE } from '../../broker/cloudevents/data-representation.js';
import type { AttributeValue, CloudEvent, EventData } from '../../broker/cloudevents/event.js';
import { parseJsonOrText } from '../../broker/cloudevents/json-depth.js';
import { findForbiddenCharacter } from '../../broker/cloudevents/string-type.js';
import { decodeUtf8 } from '../../broker/cloudevents/utf8.js';
import { JSON_VALUES, validateAttributes } from '../../broker/cloudevents/validate.js';
import { BrokerError } from '../../broker/errors.js';
import type { CeMapper, MappingDefaults } from '../../broker/mapping/ce-mapping.js';
import type { KafkaHeader, KafkaRecord } from './client.js';

/** The template roots a Kafka record offers (README, "Source"). */
export const KAFKA_TEMPLATE_ROOTS = ['topic', 'partition', 'offset', 'key', 'headers', 'body'] as const;

export type RecordConversion =
  | { readonly ok: true; readonly event: CloudEvent }
  | { readonly ok: false; readonly reason: string };

export type RecordConverter = (record: KafkaRecord) => RecordConversion;

/**
 * `mapper` is the compiled `ce` block, or undefined when the Source has none: then only
 * binding-encoded records become events and a raw record is refused with a reason.
 */
export function createRecordConverter(mapper: CeMapper | undefined): RecordConverter {
  return (record) => {
    try {
      return { ok: true, event: toEvent(record, mapper) };
    } catch (error) {
      if (error instanceof BrokerError) return { ok: false, reason: `${error.code}: ${error.detail}` };
      throw error;
    }
  };
}

function toEvent(record: KafkaRecord, mapper: CeMapper | undefined): CloudEvent {
  const headers = new RecordHeaders(record.headers);
  const encoding = classifyRecord(headers);
  const key = partitionKeyOf(record.key);
  switch (encoding.mode) {
    case 'structured':
      return withPartitionKey(decodeStructuredRecord(encoding.contentType, record.value), key);
    case 'binary':
      return withPartitionKey(decodeBinaryRecord(headers, record.value), key);
    case 'raw': {
      if (mapper === undefined)
        throw new BrokerError(
          'mapping_failed',
          'the record is not a CloudEvent (no ce_specversion header, no application/cloudevents+json content-type) and the Source has no ce block to map it',
        );
      const defaults: MappingDefaults = {
        // A stable id: a record read twice (after a crash) is the same event to a sink that deduplicates.
        id: `${record.topic}/${record.partition}/${record.offset}`,
      };
      if (Number.isFinite(record.timestamp) && record.timestamp >= 0)
        defaults.time = new Date(record.timestamp).toISOString();
      // Without a content type, a JSON payload is taken as application/json (bindings/raw-payload.ts).
      const payload = encoding.contentType === undefined ? jsonPayload(record.value) : undefined;
      const datacontenttype = encoding.contentType ?? (payload && IMPLIED_JSON_CONTENT_TYPE);
      if (datacontenttype !== undefined) defaults.datacontenttype = datacontenttype;
      if (key !== undefined) defaults.extensions = { partitionkey: key };
      const attributes = mapper(templateContext(record, payload), defaults);
      return { attributes: validateAttributes(attributes, JSON_VALUES), data: dataOf(record.value) };
    }
  }
}

/**
 * The payload of a record without a content type when it is JSON (bindings/raw-payload.ts), read
 * once for its content type and its `body`; undefined otherwise, `body` then being read as before
 * when a template asks (JSON too deep to handle is refused only then, as for any record).
 */
function jsonPayload(value: Buffer | null): RawPayload | undefined {
  if (value === null || value.length === 0) return undefined;
  try {
    const payload = readRawPayload(value);
    return payload.json ? payload : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The template roots. `body` is parsed on first use only, so a mapping that never looks at the
 * payload does not pay for a JSON parse per record (unless `known` already read it).
 */
function templateContext(record: KafkaRecord, known?: RawPayload): Record<string, unknown> {
  let body: unknown = known?.body;
  let parsed = known !== undefined;
  const context: Record<string, unknown> = {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: record.key === null ? undefined : decodeUtf8(record.key),
    headers: headersRoot(record.headers),
  };
  Object.defineProperty(context, 'body', {
    enumerable: true,
    get: () => {
      if (!parsed) {
        parsed = true;
        body = bodyOf(record.value);
      }
      return body;
    },
  });
  return context;
}

/**
 * The `headers` template root: lower-case names, UTF-8 text values, a list for a repeated
 * name. A value that is not UTF-8 (a binary trace id, say) is left out rather than garbled.
 */
function headersRoot(headers: readonly KafkaHeader[]): Record<string, string | string[]> {
  // No prototype: a header may be named anything, `__proto__` included.
  const root: Record<string, string | string[]> = Object.create(null);
  for (const header of headers) {
    if (header.value === null) continue;
    const value = decodeUtf8(header.value);
    if (value === undefined) continue;
    const name = header.name.toLowerCase();
    const existing = Object.hasOwn(root, name) ? root[name] : undefined;
    if (existing === undefined) root[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else root[name] = [existing, value];
  }
  return root;
}

/**
 * Parsed JSON when the payload parses, else its text (README, "Source": template roots). JSON
 * nested too deep (json-depth.ts) is malformed_json: the record is dead-lettered.
 */
function bodyOf(value: Buffer | null): unknown {
  if (value === null) return undefined;
  return parseJsonOrText(value.toString('utf8'), 'the payload');
}

function dataOf(value: Buffer | null): EventData {
  return value === null || value.length === 0 ? { kind: 'none' } : { kind: 'bytes', bytes: value };
}

/**
 * The record key as the Partitioning extension's `partitionkey` (ext-partitioning.md: a
 * non-empty String), the inverse of the binding's Key Mapper (kafka-binding.md 3.1). A key that
 * is no valid String (not UTF-8, control characters) is not exposed.
 */
function partitionKeyOf(key: Buffer | null): string | undefined {
  if (key === null || key.length === 0) return undefined;
  const text = decodeUtf8(key);
  if (text === undefined || findForbiddenCharacter(text) !== undefined) return undefined;
  return text;
}

/** An event that names its own partitionkey keeps it; otherwise the record key becomes it. */
function withPartitionKey(event: CloudEvent, key: string | undefined): CloudEvent {
  if (key === undefined || event.attributes['partitionkey'] !== undefined) return event;
  const attributes: Record<string, AttributeValue> = { ...event.attributes, partitionkey: key };
  return { attributes, data: event.data };
}
