import { encodeBinary, type HeaderEncoding } from '../../broker/bindings/http.js';
import type { Secret } from '../../broker/config/secrets.js';
import { HttpFunctionSink } from '../../broker/sink-kit/http-function-sink.js';
import { azureOutcome } from './azure-outcome.js';

export interface AzureFunctionsSinkOptions {
  /** The function's invoke URL, already checked to carry no key. */
  readonly url: URL;
  /** Undefined for an anonymous function (and in validate mode, where secrets are not read). */
  readonly functionKey: Secret | undefined;
  /** Connections this sink may open: the subscription's `delivery.concurrency`. */
  readonly connections: number;
  readonly headerEncoding: HeaderEncoding;
}

/**
 * Delivers a CloudEvent to an HTTP-triggered Azure Function in binary mode (the function sees
 * the event's data as its request body and the attributes as ce-* headers). A function whose
 * authorization level is `function` or `admin` wants a key, which the platform takes from the
 * `code` query parameter or the x-functions-key header (Azure Functions HTTP trigger reference:
 * authorization levels, access keys); the sink uses the header, so the key stays out of every URL
 * the broker writes down.
 */
export class AzureFunctionsSink extends HttpFunctionSink {
  constructor({ url, functionKey, connections, headerEncoding }: AzureFunctionsSinkOptions) {
    const target = url.toString();
    const keyHeader: Record<string, string> = functionKey ? { 'x-functions-key': functionKey.text() } : {};
    const hasKey = functionKey !== undefined;
    super({
      destination: target,
      origin: url.origin,
      connections,
      prepare(event) {
        const encoded = encodeBinary(event, headerEncoding);
        return { url: target, headers: { ...encoded.headers, ...keyHeader }, body: encoded.body };
      },
      judge: (answer) => azureOutcome(answer, hasKey),
    });
  }
}
