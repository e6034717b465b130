import { encodeBinary, type HeaderEncoding } from '../../broker/bindings/http.js';
import { HttpFunctionSink, redactUserinfo } from '../../broker/sink-kit/http-function-sink.js';
import { type BasicCredentials, basicAuthorization, credentialTexts } from './basic-auth.js';
import { gatewayOutcome } from './gateway-outcome.js';
import { functionRoute } from './gateway-routes.js';

export interface OpenFaasSinkOptions {
  /** The gateway's base URL, without credentials. */
  readonly gateway: URL;
  /** `name` or `name.namespace`. */
  readonly functionName: string;
  readonly async: boolean;
  /** Sent as X-Callback-Url with async calls. */
  readonly callbackUrl?: string | undefined;
  readonly credentials?: BasicCredentials | undefined;
  /** Connections this sink may open: the subscription's `delivery.concurrency`. */
  readonly connections: number;
  readonly headerEncoding: HeaderEncoding;
}

/**
 * Delivers a CloudEvent to an OpenFaaS function through its gateway, in the CloudEvents HTTP
 * binding's binary mode: the event's data is the request body, so a function written for plain
 * HTTP reads it as it is, and its attributes travel in ce-* headers, which the gateway and
 * of-watchdog pass on unchanged.
 */
export class OpenFaasSink extends HttpFunctionSink {
  constructor(options: OpenFaasSinkOptions) {
    const url = functionRoute(options.gateway, options.functionName, options.async).toString();
    const extraHeaders: Record<string, string> = {};
    if (options.callbackUrl !== undefined) extraHeaders['x-callback-url'] = options.callbackUrl;
    // Kept in this closure only, never on the sink object, so that nothing that prints the sink
    // can print the credentials.
    if (options.credentials !== undefined)
      extraHeaders['authorization'] = basicAuthorization(options.credentials);
    const call = {
      functionName: options.functionName,
      authenticated: options.credentials !== undefined,
      secrets: options.credentials === undefined ? [] : credentialTexts(options.credentials),
    };
    super({
      destination: redactUserinfo(url),
      origin: new URL(url).origin,
      connections: options.connections,
      prepare(event) {
        const encoded = encodeBinary(event, options.headerEncoding);
        return { url, headers: { ...encoded.headers, ...extraHeaders }, body: encoded.body };
      },
      judge: (answer) => gatewayOutcome(answer, call),
    });
  }
}
