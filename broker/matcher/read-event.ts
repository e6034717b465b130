/**
 * One event handed to the matcher library, as JSON text or already parsed, read the way the
 * broker reads a structured-mode body (broker/cloudevents/json-format.ts): the same attribute
 * rules, the same nesting bound, and, for text, no member named twice.
 */
import type { CloudEvent } from '../cloudevents/event.js';
import { parseJson } from '../cloudevents/json-depth.js';
import { findDuplicateMember } from '../cloudevents/json-duplicate-members.js';
import { eventFromJson } from '../cloudevents/json-format.js';
import { BrokerError } from '../errors.js';
import { InvalidEventError } from './errors.js';

/** The event in the broker's model; throws `InvalidEventError` when it is not a valid CloudEvent. */
export function readEvent(event: string | object): CloudEvent {
  return typeof event === 'string' ? fromText(event) : fromValue(event);
}

function fromText(text: string): CloudEvent {
  let value: unknown;
  try {
    value = parseJson(text, 'the event');
  } catch (error) {
    if (error instanceof BrokerError) throw asEventError(error);
    // V8's message quotes part of the text, which could hold anything, so it stays in `cause`.
    throw new InvalidEventError('malformed_json', 'the event is not valid JSON', { cause: error });
  }
  const event = fromValue(value);
  // JSON.parse keeps the last of two equal names silently; an attribute may occur only once
  // (cloudevents-spec.md "Context Attributes"), so text is checked as the broker's intake does.
  const duplicate = findDuplicateMember(text, 1);
  if (duplicate !== undefined) {
    throw new InvalidEventError(
      'invalid_attribute',
      `member ${JSON.stringify(duplicate.name)} occurs more than once`,
    );
  }
  return event;
}

function fromValue(value: unknown): CloudEvent {
  try {
    return eventFromJson(value);
  } catch (error) {
    if (error instanceof BrokerError) throw asEventError(error);
    throw error;
  }
}

/** The library's own error type: callers should not depend on the broker's internal BrokerError. */
function asEventError(error: BrokerError): InvalidEventError {
  return new InvalidEventError(error.code, error.detail, { cause: error });
}
