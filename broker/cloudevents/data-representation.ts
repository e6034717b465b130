/**
 * How event data changes shape between the broker's forms: opaque bytes (a binding's binary
 * mode, `data_base64`) and JSON values (the `data` member). The rules come from json-format.md 3.1
 * and cloudevents-spec.md "datacontenttype".
 */
import { BrokerError } from '../errors.js';
import { encodeBase64 } from './base64.js';
import type { AttributeValue } from './event.js';
import { parseJson } from './json-depth.js';
import {
  isJsonMediaType,
  isTextMediaType,
  type MediaType,
  parseMediaType,
  textCharsetOf,
} from './media-type.js';
import { decodeUtf8, encodeUtf8 } from './utf8.js';

/**
 * The content type JSON data is assumed to have when `datacontenttype` is absent
 * (json-format.md 3.1.2), and which is written out explicitly when such data leaves in another
 * format (cloudevents-spec.md "datacontenttype": "SHOULD be set explicitly").
 */
export const IMPLIED_JSON_CONTENT_TYPE = 'application/json';

/** What the JSON format writes for byte data: a `data` value or a `data_base64` string. */
export type JsonDataMember =
  | {
      readonly member: 'data';
      readonly value: unknown;
      /** The member's JSON text; for JSON bytes it is the original text, so numbers keep every digit. */
      readonly jsonText: string;
    }
  | { readonly member: 'data_base64'; readonly base64: string };

/**
 * True when `data` holds JSON-formatted content: the content type is absent (implied
 * application/json, json-format.md 3.1.2) or has a `json` / `+json` subtype.
 */
export function declaresJsonData(datacontenttype: AttributeValue | undefined): boolean {
  if (datacontenttype === undefined) return true;
  const mediaType = parseDeclared(datacontenttype);
  return mediaType !== undefined && isJsonMediaType(mediaType);
}

/**
 * json-format.md 3.1.1 for bytes. They become `data` when the content type says what they are
 * and they can be read as it: parsed JSON for a JSON content type, a string for a text content
 * type in a supported charset. Everything else, including bytes without a content type ("no
 * assumptions can be made as to the format"), becomes `data_base64`; so does JSON nested too
 * deep for the broker to handle (json-depth.ts).
 */
export function bytesToJsonMember(
  bytes: Uint8Array,
  datacontenttype: AttributeValue | undefined,
): JsonDataMember {
  const mediaType = datacontenttype === undefined ? undefined : parseDeclared(datacontenttype);
  if (mediaType !== undefined && isJsonMediaType(mediaType)) {
    const text = decodeUtf8(bytes);
    if (text !== undefined) {
      try {
        return { member: 'data', value: parseJson(text, 'data'), jsonText: text };
      } catch {
        // Not JSON despite the label, or too deep: keep the bytes exactly as they are.
      }
    }
  } else if (mediaType !== undefined && isTextMediaType(mediaType)) {
    const text = decodeText(bytes, mediaType);
    if (text !== undefined) return { member: 'data', value: text, jsonText: JSON.stringify(text) };
  }
  return { member: 'data_base64', base64: encodeBase64(bytes) };
}

/**
 * The JSON text of a `data` value. Throws invalid_data when the value has no JSON form
 * (undefined, a function, a bigint) or breaks the content type's rule (see below).
 */
export function jsonDataToJsonText(value: unknown, datacontenttype: AttributeValue | undefined): string {
  requireStringForNonJsonType(value, datacontenttype);
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new BrokerError('invalid_data', 'member "data" cannot be serialized as JSON', { cause: error });
  }
  if (text === undefined) throw new BrokerError('invalid_data', 'member "data" has no JSON representation');
  return text;
}

/**
 * The bytes of a `data` value for a binary-mode body, and the content type that labels them.
 * JSON content (declared or implied) becomes its JSON text; for any other content type the
 * value is a string (json-format.md 3.1.2) and becomes that string's bytes in its charset.
 */
export function jsonDataToBytes(
  value: unknown,
  datacontenttype: AttributeValue | undefined,
): { readonly bytes: Uint8Array; readonly contentType: string } {
  const contentType = datacontenttype === undefined ? IMPLIED_JSON_CONTENT_TYPE : String(datacontenttype);
  if (declaresJsonData(datacontenttype)) {
    // JSON text is pure UTF-8: JSON.stringify escapes unpaired surrogates.
    return { bytes: encodeUtf8(jsonDataToJsonText(value, datacontenttype))!, contentType };
  }
  requireStringForNonJsonType(value, datacontenttype);
  return { bytes: encodeText(value as string, parseDeclared(datacontenttype!)), contentType };
}

/**
 * json-format.md 3.1.2: a `data` member under a non-JSON content type "SHOULD be treated as an
 * encoded content string", and an implementation "MAY fail" when it is not a string.
 * Decision: the broker fails, so that an event it accepts can always be delivered in binary
 * mode, where the body has to be that string's bytes.
 */
export function requireStringForNonJsonType(
  value: unknown,
  datacontenttype: AttributeValue | undefined,
): void {
  if (typeof value === 'string' || declaresJsonData(datacontenttype)) return;
  throw new BrokerError(
    'invalid_data',
    `member "data" must be a string because datacontenttype ${JSON.stringify(String(datacontenttype))} is not a JSON type`,
  );
}

function encodeText(text: string, mediaType: MediaType | undefined): Uint8Array {
  const charset = mediaType === undefined ? 'utf-8' : textCharsetOf(mediaType);
  if (charset === 'unsupported') {
    throw new BrokerError(
      'invalid_data',
      `member "data" cannot be encoded in charset ${JSON.stringify(mediaType?.parameters.get('charset'))}; only UTF-8 and US-ASCII are supported`,
    );
  }
  if (charset === 'us-ascii' && !/^[\x00-\x7f]*$/.test(text)) {
    throw new BrokerError(
      'invalid_data',
      'member "data" has characters outside US-ASCII, its declared charset',
    );
  }
  const bytes = encodeUtf8(text);
  if (bytes === undefined) {
    throw new BrokerError(
      'invalid_data',
      'member "data" contains an unpaired surrogate, which has no UTF-8 form',
    );
  }
  return bytes;
}

function decodeText(bytes: Uint8Array, mediaType: MediaType): string | undefined {
  const charset = textCharsetOf(mediaType);
  if (charset === 'unsupported') return undefined;
  const text = decodeUtf8(bytes);
  if (text === undefined) return undefined;
  if (charset === 'us-ascii' && !/^[\x00-\x7f]*$/.test(text)) return undefined;
  return text;
}

function parseDeclared(datacontenttype: AttributeValue): MediaType | undefined {
  return typeof datacontenttype === 'string' ? parseMediaType(datacontenttype) : undefined;
}
