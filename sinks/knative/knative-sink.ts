import { encodeBinary, encodeStructured, type HeaderEncoding } from '../../broker/bindings/http.js';
import type { DeliveryOutcome } from '../../broker/ports/sink.js';
import { HttpFunctionSink, redactUserinfo } from '../../broker/sink-kit/http-function-sink.js';
import { type HttpAnswer, httpOutcome } from '../../broker/sink-kit/http-outcome.js';
import { replyOf } from '../../broker/sink-kit/reply.js';

export interface KnativeSinkOptions {
  uri: string;
  replies: boolean;
  maxHops: number;
  format: 'binary' | 'structured';
  headerEncoding: HeaderEncoding;
  maxReplyBytes: number;
  headers?: Record<string, string>;
  connections: number;
}

/**
 * Calls a Knative-style function: the event in the CloudEvents HTTP binding, and with `replies`
 * its 2xx answer read as a reply event (binary or structured mode), which the dispatcher ingests
 * before it counts the delivery as done (docs/architecture.md, "Replies").
 */
export class KnativeSink extends HttpFunctionSink {
  constructor(options: KnativeSinkOptions) {
    super({
      destination: redactUserinfo(options.uri),
      origin: new URL(options.uri).origin,
      connections: options.connections,
      readSuccessBody: options.replies,
      maxAnswerBytes: options.maxReplyBytes,
      ...(options.replies ? { replies: { maxHops: options.maxHops } } : {}),
      prepare(event) {
        const encoded =
          options.format === 'structured'
            ? encodeStructured(event)
            : encodeBinary(event, options.headerEncoding);
        return { url: options.uri, headers: { ...options.headers, ...encoded.headers }, body: encoded.body };
      },
      judge(answer: HttpAnswer): DeliveryOutcome {
        const outcome = httpOutcome(answer);
        if (outcome.kind !== 'ok' || !options.replies) return outcome;
        const reply = replyOf(answer);
        return reply.kind === 'none' ? outcome : { ...outcome, reply };
      },
    });
  }
}
