/**
 * Binary content mode, shared by every protocol binding: each attribute travels in a field of
 * its own (an HTTP, Kafka or NATS header, an MQTT user property) holding its canonical string,
 * and the data is the message body, untouched. What differs between bindings is written down
 * once per binding as BindingRules: the field name prefix, where datacontenttype travels,
 * whether values are percent-encoded, and how error details name a field.
 */
import { toCanonicalString } from '../cloudevents/canonical-string.js';
import { jsonDataToBytes } from '../cloudevents/data-representation.js';
import type { CloudEvent, EventData } from '../cloudevents/event.js';
import { decodeUtf8 } from '../cloudevents/utf8.js';
import { validateAttributes } from '../cloudevents/validate.js';
import { BrokerError } from '../errors.js';
import { decodeHeaderValue, HeaderValueError, percentEncodeHeaderValue } from './percent-encoding.js';

export type BindingName = 'HTTP' | 'Kafka' | 'MQTT' | 'NATS';

/** The binding's own content type field: HTTP/NATS Content-Type, Kafka content-type, MQTT Content Type. */
interface ContentTypeField {
  /** Its name as details spell it: `Content-Type`, `content-type`, `Content Type`. */
  readonly field: string;
  /** How details name it: `header Content-Type`, `Kafka header content-type`, `MQTT Content Type property`. */
  readonly label: string;
  /** The spec section details cite for the rule below, e.g. `http-binding 3.1.1`. */
  readonly reference: string;
}

/** Where datacontenttype travels, and what its other possible place means. */
export type ContentTypeRule = ContentTypeField &
  (
    | {
        /** In the content type field (HTTP 3.1.1, Kafka 3.2.1, MQTT 3.1.1). */
        readonly travelsIn: 'content type field';
        /**
         * What an attribute field `<prefix>datacontenttype` means beside it:
         * - 'forbidden': an error (HTTP 3.1.1 maps datacontenttype to Content-Type only);
         * - 'fallback': the type when the content type field is absent or empty, which wins
         *   when both are there (MQTT, whose spec example repeats it as a user property);
         * - 'fallback, must agree': the same, and both must then be equal (Kafka).
         */
        readonly attributeField: 'forbidden' | 'fallback' | 'fallback, must agree';
      }
    | {
        /**
         * In an attribute field like every other attribute (NATS 3.1.3.1 maps it to
         * `ce-datacontenttype`); the content type field is taken only when that is absent.
         */
        readonly travelsIn: 'attribute field';
      }
  );

export interface BindingRules {
  readonly name: BindingName;
  /** Prepended to an attribute name to make its field name; '' where names are used unchanged (MQTT 3.1.3.1). */
  readonly attributePrefix: 'ce-' | 'ce_' | '';
  /** Field names match in any letter case (HTTP and NATS headers) rather than exactly (Kafka headers, MQTT user properties). */
  readonly caseInsensitiveNames: boolean;
  readonly contentType: ContentTypeRule;
  /**
   * Values are percent-encoded (HTTP and NATS 3.1.3.2): unquoted and percent-decoded once on
   * the way in, with strict UTF-8; percent-encoded on the way out. Otherwise a value is the
   * canonical string itself (Kafka 3.2.4.2, MQTT 3.1.3.2).
   */
  readonly percentEncoding: boolean;
  /** Cited when a field value arrives as bytes that are not UTF-8 (Kafka headers are bytes). */
  readonly textReference: string;
  /**
   * How details name an attribute field, given its name (lower case where names match in any
   * case): `header ce-time`, `Kafka header ce_time`, `MQTT user property time`, `NATS header ce-time`.
   */
  readonly fieldLabel: (field: string) => string;
  /**
   * Details this binding words its own way instead of `<fieldLabel> occurs more than once` /
   * `<fieldLabel> <why it does not decode>`: kept where dead-letter readers match on the
   * older wording.
   */
  readonly wording?: {
    readonly repeated?: (field: string, count: number) => string;
    readonly undecodable?: (field: string, reason: string) => string;
  };
}

/** A field value as the transport gives it: text, bytes (Kafka), or nothing (a Kafka header with a null value). */
export type FieldValue = string | Uint8Array | null;

/** One field of a message. A field sent more than once appears once per value. */
export interface BindingField {
  readonly name: string;
  readonly value: FieldValue;
}

export interface BinaryMessage {
  /** Every field of the message, in order; fields that are not attributes are passed over. */
  readonly fields: Iterable<BindingField>;
  /**
   * Reads the content type field (undefined when absent). Called at most once, and only when
   * the rules need it, so that a transport's own checks on it (repeats, encoding) run then.
   */
  readonly contentType: () => string | undefined;
  /** The message body; null or empty means the event has no data. */
  readonly body: Uint8Array | null;
}

/** An event as a binding's binary mode writes it. */
export interface EncodedBinaryMessage {
  /** One field per attribute, in attribute order, values encoded as the rules say. */
  readonly fields: readonly { readonly name: string; readonly value: string }[];
  /** The content type field's value, when datacontenttype travels there and there is one. */
  readonly contentType: string | undefined;
  /** The data; undefined when the event has none. */
  readonly body: Uint8Array | undefined;
}

/** Attribute names (cloudevents-spec.md "Naming Conventions"). */
const ATTRIBUTE_NAME = /^[a-z0-9]+$/;

/** Stands for the content type field where a field name is expected. */
const CONTENT_TYPE_FIELD = Symbol('content type field');
type FieldName = string | typeof CONTENT_TYPE_FIELD;

/**
 * Reads a binary-mode message into its event: attributes from the attribute fields, validated
 * as strings (every value travels as its canonical string, so "5" stays the string "5"), and
 * the body as the data, the same bytes, not copied. Throws BrokerError naming the field at
 * fault, in the binding's own words.
 */
export function decodeBinaryMessage(message: BinaryMessage, rules: BindingRules): CloudEvent {
  // No prototype: a field named ce-__proto__ must arrive as an (invalid) attribute, not vanish.
  const attributes: Record<string, unknown> = Object.create(null);
  /** The field each attribute was read from, for the labels of validation details. */
  const sources = new Map<string, FieldName>();
  const { contentType: rule } = rules;

  for (const [field, values] of attributeFields(message.fields, rules)) {
    const name = field.slice(rules.attributePrefix.length);
    if (
      name === 'datacontenttype' &&
      rule.travelsIn === 'content type field' &&
      rule.attributeField === 'forbidden'
    ) {
      throw new BrokerError(
        'invalid_attribute',
        `${rules.fieldLabel(field)} must not be present in binary mode; the content type travels in ${rule.field} (${rule.reference})`,
      );
    }
    // Each attribute at most once (cloudevents-spec.md "Context Attributes").
    if (values.length > 1) {
      throw new BrokerError(
        'invalid_attribute',
        rules.wording?.repeated?.(field, values.length) ?? `${rules.fieldLabel(field)} occurs more than once`,
      );
    }
    attributes[name] = fieldText(field, values[0]!, rules);
    sources.set(name, field);
  }

  // The content type field; an empty one carries no information and counts as absent.
  if (rule.travelsIn === 'content type field') {
    const contentType = message.contentType()?.trim();
    if (contentType !== undefined && contentType !== '') {
      const declared = attributes['datacontenttype'];
      if (
        rule.attributeField === 'fallback, must agree' &&
        declared !== undefined &&
        declared !== contentType
      ) {
        throw new BrokerError(
          'invalid_attribute',
          `${rule.label} and ${labelOf(sourceField(sources, 'datacontenttype', rules), rules)} disagree; the content type travels in ${rule.field} (${rule.reference})`,
        );
      }
      attributes['datacontenttype'] = contentType;
      sources.set('datacontenttype', CONTENT_TYPE_FIELD);
    }
  } else if (attributes['datacontenttype'] === undefined) {
    const contentType = message.contentType()?.trim();
    if (contentType !== undefined && contentType !== '') {
      attributes['datacontenttype'] = contentType;
      sources.set('datacontenttype', CONTENT_TYPE_FIELD);
    }
  }

  const validated = validateAttributes(attributes, {
    strings: true,
    label: (name) => labelOf(sourceField(sources, name, rules), rules),
  });
  const { body } = message;
  const data: EventData =
    body === null || body.byteLength === 0 ? { kind: 'none' } : { kind: 'bytes', bytes: body };
  return { attributes: validated, data };
}

/**
 * Writes an event in binary mode. Every attribute becomes a field holding its canonical string,
 * percent-encoded where the rules say so; datacontenttype goes where the rules say it travels.
 * JSON data without a content type is labelled application/json, the type the JSON format
 * implied for it (cloudevents-spec.md "datacontenttype": SHOULD set it explicitly).
 */
export function encodeBinaryMessage(ev: CloudEvent, rules: BindingRules): EncodedBinaryMessage {
  const inContentTypeField = rules.contentType.travelsIn === 'content type field';
  const fields: { name: string; value: string }[] = [];
  for (const [name, value] of Object.entries(ev.attributes)) {
    if (name === 'datacontenttype' && inContentTypeField) continue;
    fields.push({
      name: rules.attributePrefix + name,
      value: encodeValue(name, toCanonicalString(value), rules),
    });
  }
  const declared = ev.attributes.datacontenttype;
  let contentType = declared === undefined ? undefined : toCanonicalString(declared);
  let body: Uint8Array | undefined;
  switch (ev.data.kind) {
    case 'none':
      break;
    case 'bytes':
      body = ev.data.bytes;
      break;
    case 'json': {
      const encoded = jsonDataToBytes(ev.data.value, declared);
      body = encoded.bytes;
      contentType = encoded.contentType;
      break;
    }
  }
  if (inContentTypeField) return { fields, contentType, body };
  // Only the implied type is new here; a declared one is already among the fields.
  if (declared === undefined && contentType !== undefined) {
    fields.push({
      name: `${rules.attributePrefix}datacontenttype`,
      value: encodeValue('datacontenttype', contentType, rules),
    });
  }
  return { fields, contentType: undefined, body };
}

/**
 * The attribute fields, grouped by name (in the binding's letter case rule) in the order each
 * name first appears, with every value the name was sent with. Without a prefix (MQTT) only
 * names that can be attribute names are attributes; every other field is the application's.
 */
function attributeFields(fields: Iterable<BindingField>, rules: BindingRules): Map<string, FieldValue[]> {
  const groups = new Map<string, FieldValue[]>();
  const prefix = rules.attributePrefix;
  for (const { name, value } of fields) {
    const field = rules.caseInsensitiveNames ? name.toLowerCase() : name;
    if (prefix === '' ? !ATTRIBUTE_NAME.test(field) : !field.startsWith(prefix)) continue;
    const values = groups.get(field);
    if (values === undefined) groups.set(field, [value]);
    else values.push(value);
  }
  return groups;
}

/** The field an attribute came from, or the one it would travel in when it is missing. */
function sourceField(sources: Map<string, FieldName>, name: string, rules: BindingRules): FieldName {
  const known = sources.get(name);
  if (known !== undefined) return known;
  if (name === 'datacontenttype' && rules.contentType.travelsIn === 'content type field')
    return CONTENT_TYPE_FIELD;
  return rules.attributePrefix + name;
}

function labelOf(field: FieldName, rules: BindingRules): string {
  return field === CONTENT_TYPE_FIELD ? rules.contentType.label : rules.fieldLabel(field);
}

/** A field's value as the attribute's string: UTF-8 text, percent-decoded where the rules say so. */
function fieldText(field: string, value: FieldValue, rules: BindingRules): string {
  if (value === null) throw new BrokerError('invalid_attribute', `${rules.fieldLabel(field)} has no value`);
  let text: string;
  if (typeof value === 'string') {
    text = value;
  } else {
    const decoded = decodeUtf8(value);
    if (decoded === undefined) {
      throw new BrokerError(
        'invalid_attribute',
        `${rules.fieldLabel(field)} is not valid UTF-8 (${rules.textReference})`,
      );
    }
    text = decoded;
  }
  if (!rules.percentEncoding) return text;
  try {
    return decodeHeaderValue(text);
  } catch (error) {
    if (!(error instanceof HeaderValueError)) throw error;
    throw new BrokerError(
      'invalid_attribute',
      rules.wording?.undecodable?.(field, error.reason) ?? `${rules.fieldLabel(field)} ${error.reason}`,
    );
  }
}

function encodeValue(name: string, value: string, rules: BindingRules): string {
  if (!rules.percentEncoding) return value;
  try {
    return percentEncodeHeaderValue(value);
  } catch (error) {
    if (!(error instanceof HeaderValueError)) throw error;
    throw new BrokerError('invalid_attribute', `attribute "${name}" ${error.reason}`);
  }
}
