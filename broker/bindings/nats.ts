/**
 * The CloudEvents NATS protocol binding (nats-binding.md), receiving side: tells the content
 * modes apart and reads a binding message into its event. Attribute rules, header value
 * decoding and the JSON event format are the broker's shared CloudEvents code.
 */
import type { CloudEvent, EventData } from '../cloudevents/event.js';
import { validateAttributes } from '../cloudevents/validate.js';
import { BrokerError } from '../errors.js';
import { singleHeaderValue } from './headers.js';
import { classifyHttpMessage, type HttpHeaders } from './http.js';
import { decodeHeaderValue, HeaderValueError } from './percent-encoding.js';
import { decodeStructuredMessage } from './structured-mode.js';

export type NatsContentMode = 'binary' | 'structured' | 'none';

const ATTRIBUTE_HEADER_PREFIX = 'ce-';

/**
 * nats-binding.md 3: a Content-Type of `application/cloudevents` (matched case-insensitively,
 * with its format suffix) means structured mode. The rule is the HTTP binding's, so the HTTP
 * classifier decides it, with the same decision for formats other than JSON (refused, since
 * the broker has to read the event to route it).
 *
 * Decision: binary mode needs a `ce-specversion` header. The binding calls every other message
 * binary, but this Source also takes raw payloads (mapped by its `ce` block), and a message
 * without a specversion is one of those ('none').
 *
 * nats-binding.md 1.3: the NATS binding has no batched mode, so a batch content type is refused.
 */
export function classifyNatsMessage(headers: HttpHeaders): NatsContentMode {
  const mode = classifyHttpMessage(headers);
  if (mode === 'batch') {
    throw new BrokerError(
      'unsupported_media_type',
      'Content-Type application/cloudevents-batch+json: the NATS binding has no batched content mode (nats-binding 1.3); publish one event per message',
    );
  }
  return mode;
}

/** Reads a binding message (binary or structured mode) into its event. */
export function decodeNatsBindingMessage(
  mode: 'binary' | 'structured',
  headers: HttpHeaders,
  payload: Uint8Array,
): CloudEvent {
  if (mode === 'structured') {
    // 3.2: the payload is the JSON event format, UTF-8 encoded.
    return decodeStructuredMessage(singleHeaderValue(headers, 'content-type', 'bad_request') ?? '', payload);
  }
  return decodeBinaryMode(headers, payload);
}

/**
 * Binary content mode (3.1): every attribute, datacontenttype included, is a `ce-` header
 * (3.1.3.1 maps datacontenttype to `ce-datacontenttype`, unlike HTTP which uses
 * Content-Type); each value is unquoted and percent-decoded once, and must be valid UTF-8
 * (3.1.3.2); the payload is the data, untouched.
 *
 * Decision: without `ce-datacontenttype`, a Content-Type header is taken as the data's type,
 * since publishers used to the HTTP binding send it so; `ce-datacontenttype` wins when both
 * are there.
 */
function decodeBinaryMode(headers: HttpHeaders, payload: Uint8Array): CloudEvent {
  // No prototype: a header named ce-__proto__ must arrive as an (invalid) attribute, not vanish.
  const attributes: Record<string, unknown> = Object.create(null);
  for (const headerName of Object.keys(headers)) {
    if (!headerName.startsWith(ATTRIBUTE_HEADER_PREFIX)) continue;
    // Each attribute at most once (cloudevents-spec.md "Context Attributes").
    const raw = singleHeaderValue(headers, headerName, 'invalid_attribute');
    if (raw === undefined) continue;
    attributes[headerName.slice(ATTRIBUTE_HEADER_PREFIX.length)] = decodeAttributeHeader(headerName, raw);
  }
  if (attributes['datacontenttype'] === undefined) {
    const contentType = singleHeaderValue(headers, 'content-type', 'invalid_attribute')?.trim();
    if (contentType !== undefined && contentType !== '') attributes['datacontenttype'] = contentType;
  }
  // Header values are strings, exactly as in HTTP binary mode: the same attribute rules apply.
  const validated = validateAttributes(attributes, {
    strings: true,
    label: (name) => (name === 'datacontenttype' ? 'header Content-Type' : `header ce-${name}`),
  });
  const data: EventData = payload.byteLength === 0 ? { kind: 'none' } : { kind: 'bytes', bytes: payload };
  return { attributes: validated, data };
}

function decodeAttributeHeader(headerName: string, raw: string): string {
  try {
    return decodeHeaderValue(raw);
  } catch (error) {
    if (!(error instanceof HeaderValueError)) throw error;
    throw new BrokerError('invalid_attribute', `header ${headerName} ${error.reason}`);
  }
}
