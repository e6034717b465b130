/** The plain HTTP function sink: `sink: { uri, format, headers }` (registered in plugins.ts). */
import type { HeaderEncoding } from '../../broker/bindings/http.js';
import type { SinkDescriptor } from '../../broker/ports/sink.js';
import { HEADER_ENCODING_SETTING } from '../../broker/sink-kit/settings.js';
import { HttpSink } from './http-sink.js';

export interface HttpSinkSpec {
  uri: string;
  format?: 'binary' | 'structured';
  headerEncoding?: HeaderEncoding;
  headers?: Record<string, string>;
}

export const httpSink: SinkDescriptor<HttpSinkSpec> = {
  kind: 'http',
  inline: true,
  summary:
    'POSTs each event to an HTTP function in the CloudEvents HTTP binding; any 2xx is success, 5xx, 408, 429, timeouts and refused connections are retried, other 4xx are permanent.',
  settings: {
    description: 'A plain HTTP function, called with the CloudEvents HTTP binding.',
    type: 'object',
    additionalProperties: false,
    required: ['uri'],
    properties: {
      uri: {
        type: 'string',
        description: 'An absolute http:// or https:// URL of the function.',
        examples: ['http://127.0.0.1:3000/fn'],
      },
      format: {
        enum: ['binary', 'structured'],
        default: 'binary',
        description: 'CloudEvents HTTP content mode of the delivery.',
        examples: ['structured'],
      },
      headerEncoding: HEADER_ENCODING_SETTING,
      headers: {
        type: 'object',
        description: 'Extra request headers sent with every delivery.',
        additionalProperties: { type: 'string' },
        examples: [{ 'x-api-key': 'demo' }],
      },
    },
  },
  build({ spec, path, report, concurrency }) {
    let url: URL;
    try {
      url = new URL(spec.uri);
    } catch {
      report([...path, 'uri'], `"${spec.uri}" is not an absolute URL`);
      return undefined;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      report([...path, 'uri'], `sink URL must be http:// or https://, not ${url.protocol}`);
      return undefined;
    }
    return new HttpSink({
      uri: spec.uri,
      format: spec.format ?? 'binary',
      headerEncoding: spec.headerEncoding ?? 'percent',
      ...(spec.headers ? { headers: spec.headers } : {}),
      connections: concurrency,
    });
  },
};
