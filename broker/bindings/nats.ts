/**
 * The CloudEvents NATS protocol binding (nats-binding.md), receiving side: tells the content
 * modes apart and reads a binding message into its event. Binary mode is the shared codec
 * under NATS's rules; structured mode is the JSON event format in the payload.
 */
import type { CloudEvent } from '../cloudevents/event.js';
import { decodeJsonEvent } from '../cloudevents/json-format.js';
import { BrokerError } from '../errors.js';
import { type BindingRules, decodeBinaryMessage } from './binary-mode.js';
import { type HeaderMap, headerFields, singleHeaderValue } from './headers.js';
import { structuredModeOf } from './structured-mode.js';

/**
 * A NATS message's headers with lower-case names (header names are case-insensitive,
 * 3.1.3.1), one value as a string, a repeated header as an array.
 */
export type NatsHeaders = HeaderMap;

export type NatsContentMode = 'binary' | 'structured' | 'none';

/**
 * Binary mode (3.1): every attribute, datacontenttype included, is a `ce-` header (3.1.3.1 maps
 * datacontenttype to `ce-datacontenttype`, unlike HTTP which uses Content-Type); each value is
 * unquoted and percent-decoded once, and must be valid UTF-8 (3.1.3.2).
 *
 * Decision: without `ce-datacontenttype`, a Content-Type header is taken as the data's type,
 * since publishers used to the HTTP binding send it so; `ce-datacontenttype` wins when both
 * are there.
 *
 * A header value that does not decode keeps the wording `header ce-x ...` that dead-letter
 * readers match on.
 */
export const NATS_RULES: BindingRules = {
  name: 'NATS',
  attributePrefix: 'ce-',
  caseInsensitiveNames: true,
  contentType: {
    travelsIn: 'attribute field',
    field: 'Content-Type',
    label: 'NATS header Content-Type',
    reference: 'nats-binding 3.1.3.1',
  },
  percentEncoding: true,
  textReference: 'nats-binding 3.1.3.2',
  fieldLabel: (field) => `NATS header ${field}`,
  wording: { undecodable: (field, reason) => `header ${field} ${reason}` },
};

/**
 * nats-binding.md 3: a Content-Type of `application/cloudevents` (matched case-insensitively,
 * with its format suffix) means structured mode. The rule is the HTTP binding's, with the same
 * decision for formats other than JSON (refused, since the broker has to read the event to
 * route it).
 *
 * Decision: binary mode needs a `ce-specversion` header. The binding calls every other message
 * binary, but this Source also takes raw payloads (mapped by its `ce` block), and a message
 * without a specversion is one of those ('none').
 *
 * nats-binding.md 1.3: the NATS binding has no batched mode, so a batch content type is refused.
 */
export function classifyNatsMessage(headers: NatsHeaders): NatsContentMode {
  const mode = structuredModeOf(
    singleHeaderValue(headers, 'content-type', 'bad_request', NATS_RULES.fieldLabel),
  );
  if (mode === 'batch') {
    throw new BrokerError(
      'unsupported_media_type',
      'Content-Type application/cloudevents-batch+json: the NATS binding has no batched content mode (nats-binding 1.3); publish one event per message',
    );
  }
  if (mode !== undefined) return mode;
  return singleHeaderValue(headers, 'ce-specversion', 'invalid_attribute', NATS_RULES.fieldLabel) ===
    undefined
    ? 'none'
    : 'binary';
}

/** Reads a binding message (binary or structured mode) into its event. */
export function decodeNatsBindingMessage(
  mode: 'binary' | 'structured',
  headers: NatsHeaders,
  payload: Uint8Array,
): CloudEvent {
  if (mode === 'structured') {
    // 3.2: the payload is the JSON event format, UTF-8 encoded.
    const contentType = singleHeaderValue(headers, 'content-type', 'bad_request', NATS_RULES.fieldLabel);
    return decodeJsonEvent(payload, { value: contentType ?? '', label: NATS_RULES.contentType.label });
  }
  return decodeBinaryMessage(
    {
      fields: headerFields(headers),
      contentType: () =>
        singleHeaderValue(headers, 'content-type', 'invalid_attribute', NATS_RULES.fieldLabel),
      body: payload,
    },
    NATS_RULES,
  );
}
