/**
 * HTTP structured (http-binding.md 3.2) and batched (3.3) content modes, with the JSON event
 * format as the only supported format.
 */

import type { CloudEvent } from '../cloudevents/event.js';
import { parseJsonBody } from '../cloudevents/json-body.js';
import { findDuplicateMember } from '../cloudevents/json-duplicate-members.js';
import {
  batchToJsonText,
  eventFromJson,
  eventToJsonText,
  JSON_BATCH_MEDIA_TYPE,
  JSON_EVENT_MEDIA_TYPE,
  parseBatch,
} from '../cloudevents/json-format.js';
import { parseMediaType } from '../cloudevents/media-type.js';
import { BrokerError } from '../errors.js';

export interface StructuredHttpMessage {
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Reads the single event of a structured-mode body. */
export function decodeStructuredMessage(contentType: string, body: Uint8Array): CloudEvent {
  requireUtf8Charset(contentType);
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

/** Reads the events of a batched-mode body; an empty array is a valid, empty batch. */
export function decodeBatchMessage(contentType: string, body: Uint8Array): CloudEvent[] {
  requireUtf8Charset(contentType);
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

export function encodeStructuredMessage(ev: CloudEvent): StructuredHttpMessage {
  return {
    headers: { 'content-type': `${JSON_EVENT_MEDIA_TYPE}; charset=UTF-8` },
    body: eventToJsonText(ev),
  };
}

export function encodeBatchMessage(events: readonly CloudEvent[]): StructuredHttpMessage {
  return {
    headers: { 'content-type': `${JSON_BATCH_MEDIA_TYPE}; charset=UTF-8` },
    body: batchToJsonText(events),
  };
}

/**
 * JSON is UTF-8 (RFC 8259 8.1), so a charset parameter, when given, has to say so (in any
 * letter case). Any other charset, or a Content-Type that is not a well-formed media type, is
 * unsupported_media_type.
 */
function requireUtf8Charset(contentType: string): void {
  const mediaType = parseMediaType(contentType);
  if (mediaType === undefined) {
    throw new BrokerError('unsupported_media_type', 'header Content-Type is not a well-formed media type');
  }
  const charset = mediaType.parameters.get('charset');
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8') {
    throw new BrokerError(
      'unsupported_media_type',
      `header Content-Type declares charset ${JSON.stringify(charset)}; the JSON event format is UTF-8 only`,
    );
  }
}
