import { eventToJsonText } from '../../broker/cloudevents/json-format.js';
import { HttpFunctionSink } from '../../broker/sink-kit/http-function-sink.js';
import { invokeUrl } from './action-url.js';
import { activationOutcome } from './activation-outcome.js';

export interface OpenWhiskSinkOptions {
  /** The action's REST resource, without query or credentials. */
  readonly action: URL;
  readonly blocking: boolean;
  /** `Basic ...`; undefined in validate mode, where secrets are not read. */
  readonly authorization: string | undefined;
  /** Connections this sink may open: the subscription's `delivery.concurrency`. */
  readonly connections: number;
}

/**
 * An activation record with a large result or logs is longer than the kit's default excerpt;
 * it has to arrive whole to be read as JSON.
 */
const MAX_ACTIVATION_RECORD_BYTES = 64 * 1024;

/**
 * Invokes an OpenWhisk action for each event: POST to the action's resource with the event in
 * the CloudEvents JSON format as the body, which OpenWhisk hands to the action as its
 * parameters (so `params.id`, `params.type`, `params.data`, ...). The answer is read as an
 * activation (see activationOutcome).
 */
export class OpenWhiskSink extends HttpFunctionSink {
  constructor({ action, blocking, authorization, connections }: OpenWhiskSinkOptions) {
    const url = invokeUrl(action, blocking);
    const credentials: Record<string, string> = authorization ? { authorization } : {};
    super({
      destination: action.toString(),
      origin: action.origin,
      connections,
      prepare(event) {
        return {
          url,
          headers: { 'content-type': 'application/json', ...credentials },
          body: eventToJsonText(event),
        };
      },
      judge: activationOutcome,
      readSuccessBody: true,
      maxAnswerBytes: MAX_ACTIVATION_RECORD_BYTES,
    });
  }
}
