import { classifyHttpMessage, decodeHttpMessage } from '../bindings/http.js';
import { BrokerError } from '../errors.js';
import type { FunctionReply } from '../ports/sink.js';
import type { HttpAnswer } from './http-outcome.js';

/** What a function's successful answer holds: nothing, one CloudEvent, or something unusable. */
export type HttpReply = { readonly kind: 'none' } | FunctionReply;

/**
 * Reads a function's 2xx answer as a reply, the way Knative's broker does: an answer in binary
 * mode (a ce-specversion header) or structured mode (application/cloudevents+json) is one
 * CloudEvent, decoded and validated as strictly as an event sent to POST /events; an empty
 * answer is no reply; a non-empty answer that is not a CloudEvent, a batch, or one cut short
 * at the size limit is `invalid`, since the function meant to say something the broker cannot
 * take as an event (Knative refuses such a reply too).
 */
export function replyOf(answer: HttpAnswer): HttpReply {
  let mode: ReturnType<typeof classifyHttpMessage>;
  try {
    mode = classifyHttpMessage(answer.headers);
  } catch (err) {
    return { kind: 'invalid', error: describe(err) };
  }
  if (mode === 'none') {
    if (answer.body.length === 0) return { kind: 'none' };
    return {
      kind: 'invalid',
      error:
        'the answer has a body but is not a CloudEvent (no ce-specversion header, Content-Type not application/cloudevents+json); a reply must be empty or one CloudEvent',
    };
  }
  if (mode === 'batch') return { kind: 'invalid', error: 'a reply must be one CloudEvent, not a batch' };
  if (answer.truncated)
    return { kind: 'invalid', error: `the reply is larger than ${answer.body.length} bytes` };
  try {
    const [event] = decodeHttpMessage(answer.headers, answer.body).events;
    return event ? { kind: 'event', event } : { kind: 'none' };
  } catch (err) {
    return { kind: 'invalid', error: describe(err) };
  }
}

function describe(err: unknown): string {
  if (err instanceof BrokerError) return `${err.code}: ${err.detail}`;
  return (err as Error)?.message ?? String(err);
}
