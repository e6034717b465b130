import { encodeBinary, encodeStructured, type HeaderEncoding } from '../../broker/bindings/http.js';
import { HttpFunctionSink, redactUserinfo } from '../../broker/sink-kit/http-function-sink.js';

export interface HttpSinkOptions {
  uri: string;
  format: 'binary' | 'structured';
  /** Default `percent`. */
  headerEncoding?: HeaderEncoding;
  headers?: Record<string, string>;
  /** Connections this sink may open: the subscription's `delivery.concurrency`. */
  connections: number;
}

/**
 * Delivers a CloudEvent to a plain HTTP function (CloudEvents HTTP binding, binary or
 * structured mode), on the shared HTTP function transport (its own pool, timeouts, the
 * delivery promise's reading of statuses).
 */
export class HttpSink extends HttpFunctionSink {
  constructor(options: HttpSinkOptions) {
    super({
      destination: redactUserinfo(options.uri),
      origin: new URL(options.uri).origin,
      connections: options.connections,
      prepare(event) {
        const encoded =
          options.format === 'structured'
            ? encodeStructured(event)
            : encodeBinary(event, options.headerEncoding);
        return { url: options.uri, headers: { ...options.headers, ...encoded.headers }, body: encoded.body };
      },
    });
  }
}
