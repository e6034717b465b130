/**
 * The broker's in-memory form of a CloudEvent (v1.0.2).
 *
 * Attributes keep the type they arrived with: the JSON format can carry Boolean and Integer
 * extension values natively, while a binding's binary mode carries every value as a string
 * (cloudevents-spec.md "Type System": the canonical string form is always derivable).
 *
 * Data is kept in the shape it arrived in, so that a binary payload leaves the broker
 * byte-identical and a JSON payload is not reformatted unless a format change requires it.
 */
export type AttributeValue = string | number | boolean;

export type EventData =
  /** No data at all (neither a body in binary mode nor `data`/`data_base64` in JSON). */
  | { readonly kind: 'none' }
  /** Opaque bytes: a binary-mode message body, a raw webhook payload or a `data_base64` member. */
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  /** A JSON value taken from the `data` member of the JSON format. */
  | { readonly kind: 'json'; readonly value: unknown };

export interface CloudEvent {
  /** Every context attribute, including `specversion`, `id`, `source`, `type` and extensions. */
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly data: EventData;
}

export const REQUIRED_ATTRIBUTES = ['id', 'source', 'specversion', 'type'] as const;
export const OPTIONAL_ATTRIBUTES = ['datacontenttype', 'dataschema', 'subject', 'time'] as const;
