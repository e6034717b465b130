import { isUtf8 } from 'node:buffer';
import { IMPLIED_JSON_CONTENT_TYPE } from '../cloudevents/data-representation.js';
import { parseJson } from '../cloudevents/json-depth.js';
import { BrokerError } from '../errors.js';

/** A raw message's payload as the `body` template root sees it. */
export interface RawPayload {
  /** Parsed JSON when the payload parses as JSON, else its text. */
  readonly body: unknown;
  /** The payload is JSON: valid UTF-8 that parses as one JSON value. */
  readonly json: boolean;
}

// Not fatal (text with replacement characters is still a `body`), and a BOM is kept as text, as
// Buffer#toString keeps it: JSON after a BOM is not JSON to the parser, here or in a sink.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Reads a raw payload (MQTT, Kafka, NATS) once for both of its uses: the `body` template root,
 * parsed JSON when it parses and else its text, and whether it is JSON, which is what a message
 * without a content type is taken to carry when it is (`impliedContentType`). Only text that can
 * start a JSON value is given to the parser: most payloads that are not JSON are not tried.
 * JSON nested too deep to handle is refused (BrokerError `malformed_json`): the message is
 * dead-lettered.
 */
export function readRawPayload(payload: Uint8Array, what = 'the payload'): RawPayload {
  const text = decoder.decode(payload);
  const first = text.trimStart()[0];
  if (first === undefined || !/[{["\-0-9tfn]/.test(first)) return { body: text, json: false };
  try {
    const body = parseJson(text, what);
    // Replacement characters from bytes that are not UTF-8 may still parse; those are not JSON.
    return { body, json: isUtf8(payload) };
  } catch (error) {
    if (error instanceof BrokerError) throw error;
    return { body: text, json: false };
  }
}

/**
 * The content type of a raw message that came without one (docs/reference/sources.md, "Data
 * without a content type"): `application/json` when its payload is JSON, so that its data is
 * JSON to filters (`pattern` and CESQL over `data`), to the JSON format (`data`, not
 * `data_base64`) and to sinks (binary mode with `Content-Type: application/json`); otherwise
 * none, and the data stays opaque bytes.
 */
export function impliedContentType(payload: RawPayload): string | undefined {
  return payload.json ? IMPLIED_JSON_CONTENT_TYPE : undefined;
}
