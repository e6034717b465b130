/**
 * The HTTP protocol binding (http-binding.md): tells the three content modes apart, decodes a
 * request into events and encodes events for delivery. The modes themselves live in
 * http-binary-mode.ts and http-structured-mode.ts.
 */

import type { CloudEvent } from '../cloudevents/event.js';
import { BrokerError } from '../errors.js';
import { decodeBinaryMessage, encodeBinaryMessage } from './binary-mode.js';
import { type HttpHeaders, singleHeaderValue } from './headers.js';
import {
  decodeBatchMessage,
  decodeStructuredMessage,
  encodeBatchMessage,
  encodeStructuredMessage,
} from './structured-mode.js';

export type { BinaryHttpMessage } from './binary-mode.js';
export type { HttpHeaders } from './headers.js';
export type { StructuredHttpMessage } from './structured-mode.js';

export type HttpContentMode = 'binary' | 'structured' | 'batch';

export interface DecodedHttpMessage {
  readonly mode: HttpContentMode;
  readonly events: CloudEvent[];
}

/**
 * The CloudEvents media types with an optional format suffix. Matching the whole type/subtype
 * (rather than the text prefix section 3 speaks of) keeps `application/cloudevents-batch` from being
 * read as structured and `application/cloudeventsfoo` from being read as either.
 */
const CLOUDEVENTS_MEDIA_TYPE = /^application\/cloudevents(-batch)?(?:\+([^;]*))?$/;

/**
 * Decides the content mode from the headers (http-binding.md 3): a CloudEvents media type in
 * Content-Type means structured or batched mode, otherwise a ce-specversion header means binary
 * mode, otherwise the message is not a CloudEvent ('none').
 *
 * Decision: a CloudEvents media type with a format other than JSON (e.g. +xml, +avro) or with no
 * format suffix at all is unsupported_media_type. The spec allows treating it as binary and
 * forwarding it, but the broker has to read the event to route it.
 */
export function classifyHttpMessage(headers: HttpHeaders): HttpContentMode | 'none' {
  const contentType = singleHeaderValue(headers, 'content-type', 'bad_request');
  if (contentType !== undefined) {
    const essence = (contentType.split(';')[0] ?? '').trim().toLowerCase();
    const match = CLOUDEVENTS_MEDIA_TYPE.exec(essence);
    if (match !== null) {
      const [, batch, format] = match;
      const mode = batch === undefined ? 'structured' : 'batch';
      if (format !== 'json') {
        const named = format === undefined ? 'no event format suffix' : `event format "${format}"`;
        throw new BrokerError(
          'unsupported_media_type',
          `Content-Type ${essence} has ${named}; only ${mode === 'batch' ? 'application/cloudevents-batch+json' : 'application/cloudevents+json'} is supported`,
        );
      }
      return mode;
    }
  }
  return singleHeaderValue(headers, 'ce-specversion', 'invalid_attribute') === undefined ? 'none' : 'binary';
}

/**
 * Decodes an HTTP request or response into its events: one for binary and structured mode,
 * zero or more for batched mode. A message that is none of these is missing_attribute
 * (there is no specversion anywhere).
 */
export function decodeHttpMessage(headers: HttpHeaders, body: Uint8Array): DecodedHttpMessage {
  const mode = classifyHttpMessage(headers);
  const contentType = singleHeaderValue(headers, 'content-type', 'bad_request') ?? '';
  switch (mode) {
    case 'binary':
      return { mode, events: [decodeBinaryMessage(headers, body)] };
    case 'structured':
      return { mode, events: [decodeStructuredMessage(contentType, body)] };
    case 'batch':
      return { mode, events: decodeBatchMessage(contentType, body) };
    case 'none':
      throw new BrokerError(
        'missing_attribute',
        'not a CloudEvent: no ce-specversion header, and Content-Type is not application/cloudevents+json or application/cloudevents-batch+json',
      );
  }
}

/** Binary content mode (3.1): attributes as percent-encoded ce-* headers, data as the body. */
export function encodeBinary(ev: CloudEvent): {
  headers: Record<string, string>;
  body: Uint8Array | undefined;
} {
  return encodeBinaryMessage(ev);
}

/** Structured content mode (3.2), JSON format: Content-Type application/cloudevents+json; charset=UTF-8. */
export function encodeStructured(ev: CloudEvent): { headers: Record<string, string>; body: string } {
  return encodeStructuredMessage(ev);
}

/** Batched content mode (3.3), JSON batch format: Content-Type application/cloudevents-batch+json. */
export function encodeBatch(events: readonly CloudEvent[]): {
  headers: Record<string, string>;
  body: string;
} {
  return encodeBatchMessage(events);
}
