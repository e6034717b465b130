/**
 * The JSON event format (json-format.md): one event as a JSON object, a batch as a JSON array.
 * Works on parsed JSON values and on the bytes a binding's structured mode carries; which
 * header or property holds the media type is the binding's business (broker/bindings).
 */
import { BrokerError } from '../errors.js';
import { decodeBase64 } from './base64.js';
import { bytesToJsonMember, jsonDataToJsonText, requireStringForNonJsonType } from './data-representation.js';
import type { AttributeValue, CloudEvent, EventData } from './event.js';
import { parseJsonBody } from './json-body.js';
import { findDuplicateMember } from './json-duplicate-members.js';
import { parseMediaType } from './media-type.js';
import { JSON_VALUES, validateAttributes } from './validate.js';

/** The media type of one event in the JSON format (json-format.md 3). */
export const JSON_EVENT_MEDIA_TYPE = 'application/cloudevents+json';
/** The media type of a JSON batch (json-format.md 4.2). */
export const JSON_BATCH_MEDIA_TYPE = 'application/cloudevents-batch+json';

/**
 * Reads one event from its JSON object. `data` becomes {kind:'json'}, `data_base64` becomes
 * {kind:'bytes'}; every other member is an attribute and is validated as one.
 */
export function eventFromJson(value: unknown): CloudEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BrokerError('malformed_event', 'a CloudEvent in the JSON format must be a JSON object');
  }
  const { data: _data, data_base64: _dataBase64, ...attributeMembers } = value as Record<string, unknown>;
  const attributes = validateAttributes(attributeMembers, JSON_VALUES);
  return { attributes, data: readData(value as Record<string, unknown>, attributes.datacontenttype) };
}

/**
 * Reads a JSON batch (json-format.md 4): an array of events, possibly empty. An error in one
 * event rejects the batch and says which element it was.
 *
 * The spec requires every event of a batch to have the same specversion; since only "1.0" is
 * accepted, that holds for every batch that gets through.
 */
export function parseBatch(value: unknown): CloudEvent[] {
  if (!Array.isArray(value)) {
    throw new BrokerError('malformed_event', 'a batch in the JSON format must be a JSON array');
  }
  return value.map((element, index) => {
    try {
      return eventFromJson(element);
    } catch (error) {
      if (!(error instanceof BrokerError)) throw error;
      throw new BrokerError(error.code, `batch element ${index}: ${error.detail}`, { cause: error });
    }
  });
}

/**
 * The media type a structured-mode message declares for its body, and how the binding names
 * the field that carries it (`header Content-Type`, `MQTT Content Type property`), for details.
 */
export interface DeclaredMediaType {
  readonly value: string;
  readonly label: string;
}

/**
 * Reads the single event of a structured-mode body (json-format.md 3): UTF-8 JSON holding one
 * object, each member at most once.
 */
export function decodeJsonEvent(body: Uint8Array, mediaType: DeclaredMediaType): CloudEvent {
  requireUtf8Charset(mediaType);
  const { text, value } = parseJsonBody(body);
  // Read the event first: once the body is known to be one object, the objects at depth 1 are
  // exactly that object.
  const event = eventFromJson(value);
  const duplicate = findDuplicateMember(text, 1);
  if (duplicate !== undefined) {
    throw new BrokerError(
      'invalid_attribute',
      `member ${JSON.stringify(duplicate.name)} occurs more than once`,
    );
  }
  return event;
}

/** Reads the events of a batch body (json-format.md 4); an empty array is a valid, empty batch. */
export function decodeJsonBatch(body: Uint8Array, mediaType: DeclaredMediaType): CloudEvent[] {
  requireUtf8Charset(mediaType);
  const { text, value } = parseJsonBody(body);
  // Read the batch first: once the body is known to be an array of objects, the objects at
  // depth 2 are exactly its elements, in order.
  const events = parseBatch(value);
  const duplicate = findDuplicateMember(text, 2);
  if (duplicate !== undefined) {
    throw new BrokerError(
      'invalid_attribute',
      `batch element ${duplicate.objectIndex}: member ${JSON.stringify(duplicate.name)} occurs more than once`,
    );
  }
  return events;
}

/**
 * JSON is UTF-8 (RFC 8259 8.1), so a charset parameter, when given, has to say so (in any
 * letter case). Any other charset, or a media type that is not well-formed, is
 * unsupported_media_type.
 */
function requireUtf8Charset(declared: DeclaredMediaType): void {
  const mediaType = parseMediaType(declared.value);
  if (mediaType === undefined) {
    throw new BrokerError('unsupported_media_type', `${declared.label} is not a well-formed media type`);
  }
  const charset = mediaType.parameters.get('charset');
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8') {
    throw new BrokerError(
      'unsupported_media_type',
      `${declared.label} declares charset ${JSON.stringify(charset)}; the JSON event format is UTF-8 only`,
    );
  }
}

/**
 * The JSON object of an event (json-format.md 3.1.1). JSON data is written as `data`; bytes
 * become a parsed `data` value for a JSON content type, a `data` string for a text content
 * type, and `data_base64` otherwise (always when there is no content type).
 *
 * Parsing JSON bytes into a JavaScript value loses the digits of numbers beyond double
 * precision; eventToJsonText keeps the original text and is what the bindings send.
 */
export function eventToJson(ev: CloudEvent): Record<string, unknown> {
  const json: Record<string, unknown> = { ...ev.attributes };
  const data = dataMember(ev);
  if (data !== undefined) json[data.name] = data.value;
  return json;
}

/** The JSON text of an event, equal in meaning to JSON.stringify(eventToJson(ev)). */
export function eventToJsonText(ev: CloudEvent): string {
  const members = Object.entries(ev.attributes).map(([name, value]) =>
    memberText(name, JSON.stringify(value)),
  );
  const data = dataMember(ev);
  if (data !== undefined) members.push(memberText(data.name, data.jsonText()));
  return `{${members.join(',')}}`;
}

/** The JSON text of a batch (json-format.md 4). */
export function batchToJsonText(events: readonly CloudEvent[]): string {
  return `[${events.map(eventToJsonText).join(',')}]`;
}

/**
 * json-format.md 3.1.2. `data` and `data_base64` exclude each other. A `data_base64` of null
 * counts as absent, like a null attribute. A `data` of null is kept: for JSON content it is an
 * explicit null payload, distinct from no data (json-format.md 3.1.1, last paragraph).
 */
function readData(members: Record<string, unknown>, datacontenttype: AttributeValue | undefined): EventData {
  const hasData = Object.hasOwn(members, 'data') && members.data !== undefined;
  const base64 = members.data_base64;
  const hasBase64 = base64 !== undefined && base64 !== null;
  if (hasData && hasBase64) {
    throw new BrokerError('invalid_data', 'members "data" and "data_base64" are mutually exclusive');
  }
  if (hasBase64) {
    if (typeof base64 !== 'string') {
      throw new BrokerError('invalid_data', 'member "data_base64" must be a string');
    }
    const bytes = decodeBase64(base64);
    if (bytes === undefined) {
      throw new BrokerError(
        'invalid_data',
        'member "data_base64" is not valid base64 (RFC 4648 section 4: standard alphabet, padded, no whitespace)',
      );
    }
    return { kind: 'bytes', bytes };
  }
  if (hasData) {
    requireStringForNonJsonType(members.data, datacontenttype);
    return { kind: 'json', value: members.data };
  }
  return { kind: 'none' };
}

interface DataMember {
  readonly name: 'data' | 'data_base64';
  readonly value: unknown;
  /** Lazy, so that eventToJson does not serialize data it hands back as a value. */
  readonly jsonText: () => string;
}

function dataMember(ev: CloudEvent): DataMember | undefined {
  const datacontenttype = ev.attributes.datacontenttype;
  switch (ev.data.kind) {
    case 'none':
      return undefined;
    case 'json': {
      const { value } = ev.data;
      // Checked now rather than in jsonText, so that eventToJson refuses such data as well.
      requireStringForNonJsonType(value, datacontenttype);
      return { name: 'data', value, jsonText: () => jsonDataToJsonText(value, datacontenttype) };
    }
    case 'bytes': {
      const member = bytesToJsonMember(ev.data.bytes, datacontenttype);
      if (member.member === 'data') {
        return { name: 'data', value: member.value, jsonText: () => member.jsonText };
      }
      return { name: 'data_base64', value: member.base64, jsonText: () => JSON.stringify(member.base64) };
    }
  }
}

function memberText(name: string, valueText: string): string {
  return `${JSON.stringify(name)}:${valueText}`;
}
