import { encodeBinary, type HeaderEncoding } from '../../broker/bindings/http.js';
import { HttpFunctionSink } from '../../broker/sink-kit/http-function-sink.js';
import { routerOutcome } from './router-outcome.js';

export interface FissionSinkOptions {
  /** The router URL the event is POSTed to: a function route or an HTTP trigger's URL. */
  readonly url: URL;
  /** What the URL names, for errors: `function "hello"` or `HTTP trigger /hello`. */
  readonly target: string;
  /** Connections this sink may open: the subscription's `delivery.concurrency`. */
  readonly connections: number;
  readonly headerEncoding: HeaderEncoding;
}

/**
 * Delivers a CloudEvent to a Fission function through the Fission router, in the CloudEvents
 * HTTP binding's binary mode: the router passes headers and body on to the function's pod as
 * they came, so a function reads the event's data as its request body.
 */
export class FissionSink extends HttpFunctionSink {
  constructor(options: FissionSinkOptions) {
    const url = options.url.toString();
    super({
      destination: url,
      origin: options.url.origin,
      connections: options.connections,
      prepare(event) {
        const encoded = encodeBinary(event, options.headerEncoding);
        return { url, headers: encoded.headers, body: encoded.body };
      },
      judge: (answer) => routerOutcome(answer, options.target),
    });
  }
}
