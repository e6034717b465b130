/**
 * The HTTP protocol binding (http-binding.md): tells the three content modes apart, decodes a
 * request into events and encodes events for delivery. Binary mode is the shared codec under
 * HTTP's rules; structured and batched mode are the JSON event format in the body.
 */
import type { CloudEvent } from '../cloudevents/event.js';
import {
  batchToJsonText,
  decodeJsonBatch,
  decodeJsonEvent,
  eventToJsonText,
  JSON_BATCH_MEDIA_TYPE,
  JSON_EVENT_MEDIA_TYPE,
} from '../cloudevents/json-format.js';
import { BrokerError } from '../errors.js';
import { type BindingRules, decodeBinaryMessage, encodeBinaryMessage } from './binary-mode.js';
import { type HeaderMap, headerFields, singleHeaderValue } from './headers.js';
import { structuredModeOf } from './structured-mode.js';

/** Request or response headers as Node gives them: lower-case names, an array for a repeated one. */
export type HttpHeaders = HeaderMap;

export type HttpContentMode = 'binary' | 'structured' | 'batch';

export interface DecodedHttpMessage {
  readonly mode: HttpContentMode;
  readonly events: CloudEvent[];
}

export interface BinaryHttpMessage {
  readonly headers: Record<string, string>;
  readonly body: Uint8Array | undefined;
}

export interface StructuredHttpMessage {
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Binary mode (3.1): attributes in `ce-` headers (3.1.3.1; header names are case-insensitive,
 * RFC 7230 3.2), percent-encoded (3.1.3.2); datacontenttype in Content-Type only (3.1.1), so a
 * ce-datacontenttype header is an error.
 */
export const HTTP_RULES: BindingRules = {
  name: 'HTTP',
  attributePrefix: 'ce-',
  caseInsensitiveNames: true,
  contentType: {
    travelsIn: 'content type field',
    attributeField: 'forbidden',
    field: 'Content-Type',
    label: 'header Content-Type',
    reference: 'http-binding 3.1.1',
  },
  percentEncoding: true,
  textReference: 'http-binding 3.1.3.2',
  fieldLabel: (field) => `header ${field}`,
};

/**
 * Decides the content mode from the headers (http-binding.md 3): a CloudEvents media type in
 * Content-Type means structured or batched mode, otherwise a ce-specversion header means binary
 * mode, otherwise the message is not a CloudEvent ('none'). A CloudEvents format other than
 * JSON is unsupported_media_type (see structuredModeOf).
 */
export function classifyHttpMessage(headers: HttpHeaders): HttpContentMode | 'none' {
  const mode = structuredModeOf(singleHeaderValue(headers, 'content-type', 'bad_request'));
  if (mode !== undefined) return mode;
  return singleHeaderValue(headers, 'ce-specversion', 'invalid_attribute') === undefined ? 'none' : 'binary';
}

/**
 * Decodes an HTTP request or response into its events: one for binary and structured mode,
 * zero or more for batched mode. A message that is none of these is missing_attribute
 * (there is no specversion anywhere).
 */
export function decodeHttpMessage(headers: HttpHeaders, body: Uint8Array): DecodedHttpMessage {
  const mode = classifyHttpMessage(headers);
  switch (mode) {
    case 'binary': {
      const event = decodeBinaryMessage(
        {
          fields: headerFields(headers),
          contentType: () => singleHeaderValue(headers, 'content-type', 'bad_request'),
          body,
        },
        HTTP_RULES,
      );
      return { mode, events: [event] };
    }
    case 'structured':
      return { mode, events: [decodeJsonEvent(body, declaredMediaType(headers))] };
    case 'batch':
      return { mode, events: decodeJsonBatch(body, declaredMediaType(headers)) };
    case 'none':
      throw new BrokerError(
        'missing_attribute',
        'not a CloudEvent: no ce-specversion header, and Content-Type is not application/cloudevents+json or application/cloudevents-batch+json',
      );
  }
}

/**
 * How attribute values are written into ce-* headers: `percent` as 3.1.3.2 requires, or `utf8`,
 * raw UTF-8 with nothing escaped, for receivers that read header bytes as UTF-8 but never
 * percent-decode (the Go SDK; docs/architecture.md, "Header values").
 */
export type HeaderEncoding = 'percent' | 'utf8';

const UTF8_HEADER_RULES: BindingRules = { ...HTTP_RULES, percentEncoding: false };

/** Binary content mode (3.1): attributes as ce-* headers (percent-encoded by default), data as the body. */
export function encodeBinary(ev: CloudEvent, headerEncoding: HeaderEncoding = 'percent'): BinaryHttpMessage {
  const utf8 = headerEncoding === 'utf8';
  const encoded = encodeBinaryMessage(ev, utf8 ? UTF8_HEADER_RULES : HTTP_RULES);
  const headers: Record<string, string> = {};
  // A header value is written byte for byte from its characters (ISO-8859-1), so raw UTF-8 goes
  // as the ISO-8859-1 view of its bytes; plain ASCII values are left as they are.
  for (const { name, value } of encoded.fields)
    headers[name] = utf8 && !isAscii(value) ? Buffer.from(value, 'utf8').toString('latin1') : value;
  if (encoded.contentType !== undefined) headers['content-type'] = encoded.contentType;
  return { headers, body: encoded.body };
}

/**
 * Structured content mode (3.2), JSON format: Content-Type application/cloudevents+json;
 * charset=utf-8. The charset is written in lower case: its value is case-insensitive (RFC 9110
 * 8.3.2), but the CloudEvents JavaScript SDK's receiver compares the whole header with its own
 * lower-case spelling and refuses `charset=UTF-8`.
 */
export function encodeStructured(ev: CloudEvent): StructuredHttpMessage {
  return {
    headers: { 'content-type': `${JSON_EVENT_MEDIA_TYPE}; charset=utf-8` },
    body: eventToJsonText(ev),
  };
}

/** Batched content mode (3.3), JSON batch format: Content-Type application/cloudevents-batch+json (charset as above). */
export function encodeBatch(events: readonly CloudEvent[]): StructuredHttpMessage {
  return {
    headers: { 'content-type': `${JSON_BATCH_MEDIA_TYPE}; charset=utf-8` },
    body: batchToJsonText(events),
  };
}

function declaredMediaType(headers: HttpHeaders): { value: string; label: string } {
  return {
    value: singleHeaderValue(headers, 'content-type', 'bad_request') ?? '',
    label: 'header Content-Type',
  };
}

function isAscii(value: string): boolean {
  for (let index = 0; index < value.length; index++) if (value.charCodeAt(index) > 0x7f) return false;
  return true;
}
