/**
 * The Kafka protocol binding for CloudEvents (../shared/specs/kafka-binding.md), receiving
 * side: tells a binding-encoded record from a raw one and reads its event. Attribute rules come
 * from broker/cloudevents; only what is particular to Kafka lives here.
 */

import type { KafkaHeader } from '../../connectors/kafka/client.js';
import type { CloudEvent } from '../cloudevents/event.js';
import { parseMediaType } from '../cloudevents/media-type.js';
import { decodeUtf8 } from '../cloudevents/utf8.js';
import { JSON_VALUES, validateAttributes } from '../cloudevents/validate.js';
import { BrokerError } from '../errors.js';
import { decodeStructuredMessage } from './structured-mode.js';

/** 3.2.3.1: attribute headers are named `ce_` + the attribute name. */
const ATTRIBUTE_PREFIX = 'ce_';
const CLOUDEVENTS_MEDIA_TYPE_PREFIX = 'application/cloudevents';

/**
 * How a record is encoded. Section 3: the `content-type` header, when it starts with
 * `application/cloudevents` (any case), means structured mode. A CloudEvents format other than
 * JSON cannot be read here; 3 lets a receiver then treat the record as binary. Otherwise a
 * record with a `ce_specversion` header is taken for binary mode (3 suggests looking for the
 * required attributes; the version is the one attribute every event has and that decides the
 * rules, so a record that names one and breaks them is a malformed event, not raw data).
 */
export type RecordEncoding =
  | { readonly mode: 'structured'; readonly contentType: string }
  | { readonly mode: 'binary' }
  | { readonly mode: 'raw'; readonly contentType: string | undefined };

/** The headers of one record, with strict UTF-8 decoding (3.2.3: keys and values are UTF-8). */
export class RecordHeaders {
  constructor(private readonly headers: readonly KafkaHeader[]) {}

  /** Every value of `name` (exact, case-sensitive), or an empty list. */
  all(name: string): KafkaHeader[] {
    return this.headers.filter((h) => h.name === name);
  }

  /**
   * The text of the single header `name` (`content-type` matched in any case), undefined when
   * absent. Throws BrokerError when it repeats, has no value or is not UTF-8.
   */
  text(name: string, options: { anyCase?: boolean } = {}): string | undefined {
    const found = options.anyCase
      ? this.headers.filter((h) => h.name.toLowerCase() === name)
      : this.all(name);
    if (found.length === 0) return undefined;
    if (found.length > 1) throw new BrokerError('invalid_attribute', `header ${name} occurs more than once`);
    return headerText(found[0]!);
  }

  has(name: string): boolean {
    return this.headers.some((h) => h.name === name);
  }

  /**
   * The `headers` template root: lower-case names, UTF-8 text values, a list for a repeated
   * name. A value that is not UTF-8 (a binary trace id, say) is left out rather than garbled.
   */
  templateRoot(): Record<string, string | string[]> {
    // No prototype: a header may be named anything, `__proto__` included.
    const root: Record<string, string | string[]> = Object.create(null);
    for (const header of this.headers) {
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

  /** Attribute headers (`ce_*`), in record order. */
  attributeHeaders(): KafkaHeader[] {
    return this.headers.filter((h) => h.name.startsWith(ATTRIBUTE_PREFIX));
  }
}

export function classifyRecord(headers: RecordHeaders): RecordEncoding {
  const contentType = headers.text('content-type', { anyCase: true })?.trim();
  if (contentType?.toLowerCase().startsWith(CLOUDEVENTS_MEDIA_TYPE_PREFIX)) {
    const media = parseMediaType(contentType);
    if (media?.type === 'application' && media.subtype === 'cloudevents+json')
      return { mode: 'structured', contentType };
  }
  if (headers.has(`${ATTRIBUTE_PREFIX}specversion`)) return { mode: 'binary' };
  return { mode: 'raw', contentType: contentType === '' ? undefined : contentType };
}

/** 3.3: the value is one event in the JSON format; throws BrokerError when it is not. */
export function decodeStructuredRecord(contentType: string, value: Buffer | null): CloudEvent {
  return decodeStructuredMessage(contentType, value ?? new Uint8Array());
}

/**
 * 3.2: attributes from `ce_` headers, `datacontenttype` from `content-type` (3.2.1), the value
 * as the data byte for byte (3.2.2; no value, or an empty one, is an event without data).
 * Throws BrokerError for a header that repeats, is not UTF-8 or breaks an attribute rule.
 */
export function decodeBinaryRecord(headers: RecordHeaders, value: Buffer | null): CloudEvent {
  const attributes: Record<string, unknown> = Object.create(null);
  for (const header of headers.attributeHeaders()) {
    const name = header.name.slice(ATTRIBUTE_PREFIX.length);
    if (Object.hasOwn(attributes, name))
      throw new BrokerError('invalid_attribute', `header ${header.name} occurs more than once`);
    attributes[name] = headerText(header);
  }
  // 3.2.1 maps content-type to datacontenttype. Some producers also (or only) write
  // ce_datacontenttype; it is taken when content-type is absent and must agree when both are there.
  const contentType = headers.text('content-type', { anyCase: true })?.trim();
  if (contentType !== undefined && contentType !== '') {
    const declared = attributes['datacontenttype'];
    if (declared !== undefined && declared !== contentType)
      throw new BrokerError(
        'invalid_attribute',
        'headers content-type and ce_datacontenttype disagree; the content type travels in content-type (kafka binding 3.2.1)',
      );
    attributes['datacontenttype'] = contentType;
  }
  return {
    attributes: validateAttributes(attributes, JSON_VALUES),
    data: value === null || value.length === 0 ? { kind: 'none' } : { kind: 'bytes', bytes: value },
  };
}

function headerText(header: KafkaHeader): string {
  if (header.value === null) throw new BrokerError('invalid_attribute', `header ${header.name} has no value`);
  const text = decodeUtf8(header.value);
  if (text === undefined)
    throw new BrokerError(
      'invalid_attribute',
      `header ${header.name} is not valid UTF-8 (kafka binding 3.2.3: header values are UTF-8 strings)`,
    );
  return text;
}
