import type { MsgHdrs } from '@nats-io/transport-node';
import { singleHeaderValue } from '../../broker/bindings/headers.js';
import {
  classifyNatsMessage,
  decodeNatsBindingMessage,
  NATS_RULES,
  type NatsHeaders,
} from '../../broker/bindings/nats.js';
import { type RawPayload, readRawPayload } from '../../broker/bindings/raw-payload.js';
import { IMPLIED_JSON_CONTENT_TYPE } from '../../broker/cloudevents/data-representation.js';
import type { CloudEvent } from '../../broker/cloudevents/event.js';
import { parseJsonOrText } from '../../broker/cloudevents/json-depth.js';
import { JSON_VALUES, validateAttributes } from '../../broker/cloudevents/validate.js';
import type { CeMappingSpec } from '../../broker/config/types.js';
import type { PathSegment } from '../../broker/config/yaml-document.js';
import { BrokerError } from '../../broker/errors.js';
import { type CeMapper, compileCeMapping, type MappingDefaults } from '../../broker/mapping/ce-mapping.js';
import { lowerCaseHeaders } from './headers.js';
import { subjectTokens } from './subject.js';

/** What the reader needs of a core or JetStream message. */
export interface NatsMessageView {
  readonly subject: string;
  readonly headers: MsgHdrs | undefined;
  readonly data: Uint8Array;
}

/**
 * Turns one NATS message into a CloudEvent, or throws the BrokerError that says why it cannot
 * be one (the caller dead-letters it). `defaults` gives the id and time a raw message gets when
 * the mapping names none (a JetStream message has stable ones: stream and sequence).
 */
export type NatsEventReader = (message: NatsMessageView, defaults?: MappingDefaults) => CloudEvent;

/** The template roots of a raw NATS message. */
export const NATS_TEMPLATE_ROOTS = ['subject', 'headers', 'body'] as const;

/**
 * Binding first, else mapping: a message that is a CloudEvent under the NATS binding keeps its
 * own attributes; any other is mapped by the Source's `ce` block over the roots `subject` (the
 * tokens), `headers` (lower-case names) and `body` (parsed JSON when it parses, else text).
 *
 * Decision: `ce` may be left out, for a feed where every message is binding-encoded; a raw
 * message is then dead-lettered. When `ce` is given it must name `type` and `source`.
 */
export function compileNatsEventReader(
  ce: CeMappingSpec | undefined,
  cePath: readonly PathSegment[],
  report: (path: readonly PathSegment[], message: string, options?: { offset?: number }) => void,
): NatsEventReader {
  const mapper: CeMapper | undefined =
    ce === undefined
      ? undefined
      : compileCeMapping(ce, NATS_TEMPLATE_ROOTS, cePath, report, { requireTypeAndSource: true });

  return (message, defaults = {}) => {
    const headers = lowerCaseHeaders(message.headers);
    const mode = classifyNatsMessage(headers);
    if (mode !== 'none') return decodeNatsBindingMessage(mode, headers, message.data);
    if (mapper === undefined) {
      throw new BrokerError(
        'missing_attribute',
        'not a CloudEvent (no ce-specversion header, no application/cloudevents+json Content-Type) and the Source has no ce mapping for raw messages',
      );
    }
    const contentType = singleHeaderValue(
      headers,
      'content-type',
      'invalid_attribute',
      NATS_RULES.fieldLabel,
    )?.trim();
    const mappingDefaults: MappingDefaults = { ...defaults };
    // Without a content type, a JSON payload is taken as application/json (bindings/raw-payload.ts).
    const payload = contentType === undefined || contentType === '' ? jsonPayload(message.data) : undefined;
    const datacontenttype =
      contentType !== undefined && contentType !== '' ? contentType : payload && IMPLIED_JSON_CONTENT_TYPE;
    if (datacontenttype !== undefined) mappingDefaults.datacontenttype = datacontenttype;
    const attributes = mapper(templateRoots(message, headers, payload), mappingDefaults);
    return {
      attributes: validateAttributes(attributes, JSON_VALUES),
      data: message.data.byteLength === 0 ? { kind: 'none' } : { kind: 'bytes', bytes: message.data },
    };
  };
}

const utf8 = new TextDecoder();

/**
 * The payload of a message without a content type when it is JSON (bindings/raw-payload.ts), read
 * once for its content type and its `body`; undefined otherwise, `body` then being read as before
 * when a template asks (JSON too deep to handle is refused only then, as for any message).
 */
function jsonPayload(data: Uint8Array): RawPayload | undefined {
  if (data.byteLength === 0) return undefined;
  try {
    const payload = readRawPayload(data);
    return payload.json ? payload : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The template roots of a raw message. `body` is parsed only when a template reads it (once),
 * so a mapping over the subject and headers alone costs no JSON parse per message (unless
 * `known` already read it).
 */
function templateRoots(
  message: NatsMessageView,
  headers: NatsHeaders,
  known?: RawPayload,
): Record<string, unknown> {
  let body: unknown = known?.body;
  let parsed = known !== undefined;
  return {
    subject: subjectTokens(message.subject),
    headers,
    get body(): unknown {
      if (!parsed) {
        body = bodyRoot(message.data);
        parsed = true;
      }
      return body;
    },
  };
}

/**
 * The `body` template root: parsed JSON when the payload parses as JSON, else its text. JSON
 * nested too deep (json-depth.ts) is malformed_json: the message is dead-lettered.
 */
function bodyRoot(payload: Uint8Array): unknown {
  return parseJsonOrText(utf8.decode(payload), 'the payload');
}
