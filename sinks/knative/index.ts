/** The Knative-style function sink: `sink: { knative: { uri, replies, maxHops } }` (registered in plugins.ts). */
import type { HeaderEncoding } from '../../broker/bindings/http.js';
import type { SinkDescriptor } from '../../broker/ports/sink.js';
import { HEADER_ENCODING_SETTING, httpUrlSetting } from '../../broker/sink-kit/settings.js';
import { KnativeSink } from './knative-sink.js';

export interface KnativeSinkSpec {
  uri: string;
  replies?: boolean;
  maxHops?: number;
  format?: 'binary' | 'structured';
  headerEncoding?: HeaderEncoding;
  maxReplyBytes?: number;
  headers?: Record<string, string>;
}

export const knativeSink: SinkDescriptor<KnativeSinkSpec> = {
  kind: 'knative',
  summary:
    'POSTs each event to a Knative-style function (a Knative Service, or any CloudEvents HTTP receiver) in the CloudEvents HTTP binding, and ingests the CloudEvent it answers with as a new event, routed like any other, before the delivery counts as done; a reply more than `maxHops` replies from the event that started the chain is dropped.',
  settings: {
    description:
      'A Knative-style function: CloudEvents over HTTP, whose answer may be a reply event (binary or structured mode).',
    type: 'object',
    additionalProperties: false,
    required: ['uri'],
    properties: {
      uri: {
        type: 'string',
        description: "An absolute http:// or https:// URL of the function (a Knative Service's address).",
        examples: ['http://fn.default.svc.cluster.local', 'http://127.0.0.1:8080/'],
      },
      replies: {
        type: 'boolean',
        default: true,
        description:
          "Ingest the CloudEvent a function answers with (Knative's broker forwards replies too). A 2xx answer with an empty body is no reply; a non-empty answer that is not one CloudEvent fails the delivery for good (it is dead-lettered with the reason). With false the answer's body is ignored.",
        examples: [false],
      },
      maxHops: {
        type: 'integer',
        minimum: 1,
        maximum: 1000,
        default: 8,
        description:
          'The most replies in a chain: an event from outside is hop 0, a reply to it hop 1, a reply to that hop 2... A reply beyond this is dropped with a warning and counted in trigger_broker_replies_total{outcome="dropped_hops"}, so a function that answers every event with another stops. A `knativebrokerttl` extension is honoured too (decremented on every reply; the reply is dropped when it would reach 0).',
        examples: [3],
      },
      format: {
        enum: ['binary', 'structured'],
        default: 'binary',
        description: 'CloudEvents HTTP content mode of the delivery.',
        examples: ['structured'],
      },
      headerEncoding: HEADER_ENCODING_SETTING,
      maxReplyBytes: {
        type: 'integer',
        minimum: 1,
        default: 1_048_576,
        description: 'The largest reply accepted, in bytes; a longer answer fails the delivery for good.',
        examples: [65_536],
      },
      headers: {
        type: 'object',
        description: 'Extra request headers sent with every delivery.',
        additionalProperties: { type: 'string' },
        examples: [{ 'x-api-key': 'demo' }],
      },
    },
  },
  build({ spec, path, report, concurrency }) {
    const url = httpUrlSetting(spec.uri, [...path, 'uri'], report);
    if (!url) return undefined;
    return new KnativeSink({
      uri: spec.uri,
      replies: spec.replies ?? true,
      maxHops: spec.maxHops ?? 8,
      format: spec.format ?? 'binary',
      headerEncoding: spec.headerEncoding ?? 'percent',
      maxReplyBytes: spec.maxReplyBytes ?? 1_048_576,
      ...(spec.headers ? { headers: spec.headers } : {}),
      connections: concurrency,
    });
  },
};
