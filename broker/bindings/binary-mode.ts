/**
 * HTTP binary content mode (http-binding.md 3.1): attributes in `ce-*` headers, the
 * datacontenttype in Content-Type, the data as the body, untouched.
 */

import { toCanonicalString } from '../cloudevents/canonical-string.js';
import { jsonDataToBytes } from '../cloudevents/data-representation.js';
import type { CloudEvent, EventData } from '../cloudevents/event.js';
import { validateAttributes } from '../cloudevents/validate.js';
import { BrokerError } from '../errors.js';
import { type HttpHeaders, singleHeaderValue } from './headers.js';
import { decodeHeaderValue, HeaderValueError, percentEncodeHeaderValue } from './percent-encoding.js';

const ATTRIBUTE_HEADER_PREFIX = 'ce-';

export interface BinaryHttpMessage {
  readonly headers: Record<string, string>;
  readonly body: Uint8Array | undefined;
}

/**
 * Reads a binary-mode message. Header values are unquoted and percent-decoded (3.1.3.2) before
 * the attribute rules are applied to them; every value stays a string. The body is kept as it
 * is (same bytes, not copied); an empty body means the event has no data.
 */
export function decodeBinaryMessage(headers: HttpHeaders, body: Uint8Array): CloudEvent {
  // No prototype: a header named ce-__proto__ must arrive as an (invalid) attribute, not vanish.
  const attributes: Record<string, unknown> = Object.create(null);
  for (const [headerName, headerValue] of Object.entries(headers)) {
    const lowerName = headerName.toLowerCase();
    if (headerValue === undefined || !lowerName.startsWith(ATTRIBUTE_HEADER_PREFIX)) continue;
    const name = lowerName.slice(ATTRIBUTE_HEADER_PREFIX.length);
    if (name === 'datacontenttype') {
      throw new BrokerError(
        'invalid_attribute',
        'header ce-datacontenttype must not be present in binary mode; the content type travels in Content-Type (http-binding 3.1.1)',
      );
    }
    // Each attribute at most once (cloudevents-spec.md "Context Attributes"), which
    // singleHeaderValue also checks across differently-cased copies of the same header name.
    const value = singleHeaderValue(headers, lowerName, 'invalid_attribute');
    if (value === undefined) continue;
    attributes[name] = decodeAttributeHeader(lowerName, value);
  }

  const contentType = singleHeaderValue(headers, 'content-type', 'bad_request')?.trim();
  // An empty Content-Type carries no information; it is treated as absent.
  if (contentType !== undefined && contentType !== '') attributes.datacontenttype = contentType;

  const validated = validateAttributes(attributes, {
    strings: true,
    label: (name) => (name === 'datacontenttype' ? 'header Content-Type' : `header ce-${name}`),
  });
  const data: EventData = body.byteLength === 0 ? { kind: 'none' } : { kind: 'bytes', bytes: body };
  return { attributes: validated, data };
}

/**
 * Writes an event in binary mode. Every attribute except datacontenttype becomes a `ce-` header
 * holding its canonical string, percent-encoded as 3.1.3.2 demands; datacontenttype becomes
 * Content-Type. JSON data without a content type is sent as application/json, the type the JSON
 * format implied for it (cloudevents-spec.md "datacontenttype": SHOULD set it explicitly).
 */
export function encodeBinaryMessage(ev: CloudEvent): BinaryHttpMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(ev.attributes)) {
    if (name === 'datacontenttype') continue;
    headers[ATTRIBUTE_HEADER_PREFIX + name] = encodeAttributeHeader(name, toCanonicalString(value));
  }
  const declared = ev.attributes.datacontenttype;
  switch (ev.data.kind) {
    case 'none':
      if (declared !== undefined) headers['content-type'] = toCanonicalString(declared);
      return { headers, body: undefined };
    case 'bytes':
      if (declared !== undefined) headers['content-type'] = toCanonicalString(declared);
      return { headers, body: ev.data.bytes };
    case 'json': {
      const { bytes, contentType } = jsonDataToBytes(ev.data.value, declared);
      headers['content-type'] = contentType;
      return { headers, body: bytes };
    }
  }
}

function decodeAttributeHeader(headerName: string, rawValue: string): string {
  try {
    return decodeHeaderValue(rawValue);
  } catch (error) {
    if (!(error instanceof HeaderValueError)) throw error;
    throw new BrokerError('invalid_attribute', `header ${headerName} ${error.reason}`);
  }
}

function encodeAttributeHeader(name: string, value: string): string {
  try {
    return percentEncodeHeaderValue(value);
  } catch (error) {
    if (!(error instanceof HeaderValueError)) throw error;
    throw new BrokerError('invalid_attribute', `attribute "${name}" ${error.reason}`);
  }
}
