/**
 * Telling structured and batched mode from binary mode by the content type, as the HTTP
 * binding (http-binding.md 3) and the NATS binding (nats-binding.md 3, which takes the HTTP
 * rule) do. Reading the body is the JSON event format's job (broker/cloudevents/json-format.ts).
 */
import { BrokerError } from '../errors.js';

/**
 * The CloudEvents media types with an optional format suffix. Matching the whole type/subtype
 * (rather than the text prefix section 3 speaks of) keeps `application/cloudevents-batch` from being
 * read as structured and `application/cloudeventsfoo` from being read as either.
 */
const CLOUDEVENTS_MEDIA_TYPE = /^application\/cloudevents(-batch)?(?:\+([^;]*))?$/;

/**
 * 'structured' or 'batch' when the Content-Type is a CloudEvents media type, else undefined
 * (the message may still be binary mode).
 *
 * Decision: a CloudEvents media type with a format other than JSON (e.g. +xml, +avro) or with no
 * format suffix at all is unsupported_media_type. The spec allows treating it as binary and
 * forwarding it, but the broker has to read the event to route it.
 */
export function structuredModeOf(contentType: string | undefined): 'structured' | 'batch' | undefined {
  if (contentType === undefined) return undefined;
  const essence = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  const match = CLOUDEVENTS_MEDIA_TYPE.exec(essence);
  if (match === null) return undefined;
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
