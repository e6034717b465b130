/**
 * The Kafka protocol binding for CloudEvents (kafka-binding.md), receiving side: tells a
 * binding-encoded record from a raw one and reads its event. Binary mode is the shared codec
 * under Kafka's rules; structured mode is the JSON event format in the record value. Records
 * come in as plain header lists and values, whatever Kafka client read them.
 */
import type { CloudEvent } from '../cloudevents/event.js';
import { decodeJsonEvent } from '../cloudevents/json-format.js';
import { parseMediaType } from '../cloudevents/media-type.js';
import { decodeUtf8 } from '../cloudevents/utf8.js';
import { BrokerError } from '../errors.js';
import { type BindingRules, decodeBinaryMessage } from './binary-mode.js';

/** One header of a Kafka record: a name, and bytes or no value at all. */
export interface RecordHeader {
  readonly name: string;
  readonly value: Uint8Array | null;
}

/**
 * Binary mode (3.2): attributes in `ce_` headers (3.2.3.1), names matched exactly, values the
 * canonical strings as UTF-8 bytes (3.2.3), not percent-encoded. 3.2.1 maps content-type to
 * datacontenttype. Some producers also (or only) write ce_datacontenttype; it is taken when
 * content-type is absent and must agree when both are there.
 */
export const KAFKA_RULES: BindingRules = {
  name: 'Kafka',
  attributePrefix: 'ce_',
  caseInsensitiveNames: false,
  contentType: {
    travelsIn: 'content type field',
    attributeField: 'fallback, must agree',
    field: 'content-type',
    label: 'Kafka header content-type',
    reference: 'kafka binding 3.2.1',
  },
  percentEncoding: false,
  textReference: 'kafka binding 3.2.3: header values are UTF-8 strings',
  fieldLabel: (field) => `Kafka header ${field}`,
};

const ATTRIBUTE_PREFIX = KAFKA_RULES.attributePrefix;
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
  constructor(readonly list: readonly RecordHeader[]) {}

  /**
   * The text of the single header `name` (`content-type` matched in any case), undefined when
   * absent. Throws BrokerError when it repeats, has no value or is not UTF-8.
   */
  text(name: string, options: { anyCase?: boolean } = {}): string | undefined {
    const found = options.anyCase
      ? this.list.filter((h) => h.name.toLowerCase() === name)
      : this.list.filter((h) => h.name === name);
    if (found.length === 0) return undefined;
    if (found.length > 1)
      throw new BrokerError('invalid_attribute', `${KAFKA_RULES.fieldLabel(name)} occurs more than once`);
    return headerText(found[0]!);
  }

  has(name: string): boolean {
    return this.list.some((h) => h.name === name);
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
export function decodeStructuredRecord(contentType: string, value: Uint8Array | null): CloudEvent {
  return decodeJsonEvent(value ?? new Uint8Array(), {
    value: contentType,
    label: KAFKA_RULES.contentType.label,
  });
}

/**
 * 3.2: attributes from `ce_` headers, `datacontenttype` from `content-type` (3.2.1), the value
 * as the data byte for byte (3.2.2; no value, or an empty one, is an event without data).
 * Throws BrokerError for a header that repeats, is not UTF-8 or breaks an attribute rule.
 */
export function decodeBinaryRecord(headers: RecordHeaders, value: Uint8Array | null): CloudEvent {
  return decodeBinaryMessage(
    { fields: headers.list, contentType: () => headers.text('content-type', { anyCase: true }), body: value },
    KAFKA_RULES,
  );
}

function headerText(header: RecordHeader): string {
  const label = KAFKA_RULES.fieldLabel(header.name);
  if (header.value === null) throw new BrokerError('invalid_attribute', `${label} has no value`);
  const text = decodeUtf8(header.value);
  if (text === undefined)
    throw new BrokerError('invalid_attribute', `${label} is not valid UTF-8 (${KAFKA_RULES.textReference})`);
  return text;
}
