// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are ce templates of the manifest language, not JavaScript template literals
import { describe, expect, it } from 'vitest';
import { readRawPayload } from '../../../broker/bindings/raw-payload.js';
import type { CloudEvent } from '../../../broker/cloudevents/event.js';
import { eventToJson } from '../../../broker/cloudevents/json-format.js';
import type { CeMappingSpec } from '../../../broker/config/types.js';
import { createRecordConverter } from '../../../connectors/kafka/record-event.js';
import { compileMqttEventReader } from '../../../connectors/mqtt/message-to-event.js';
import { compileNatsEventReader } from '../../../connectors/nats/event-reader.js';
import { h, mapper, record } from '../connectors/kafka/fixtures.js';
import { message } from '../connectors/mqtt/fixtures.js';

const CE: CeMappingSpec = { type: 'com.example.reading', source: '/sensors', subject: '${body.device}' };
const fail = (): void => {
  throw new Error('no configuration problem expected');
};

/** One raw payload without a content type, read by each broker Source the way it reads one. */
const readers: [string, (payload: Buffer) => CloudEvent][] = [
  [
    'mqtt (3.1.1: no Content Type)',
    (payload) => compileMqttEventReader(CE, ['spec', 'ce'], fail)(message({ payload })),
  ],
  [
    'kafka (no content-type header)',
    (payload) => {
      const result = createRecordConverter(mapper(CE))(record({ value: payload }));
      if (!result.ok) throw new Error(result.reason);
      return result.event;
    },
  ],
  [
    'nats (no Content-Type header)',
    (payload) =>
      compileNatsEventReader(
        CE,
        ['spec', 'ce'],
        fail,
      )({ subject: 'sensors.a', headers: undefined, data: payload }),
  ],
];

/** docs/reference/sources.md, "Data without a content type". */
describe('a raw payload without a content type', () => {
  it.each(readers)('%s: JSON is application/json data, JSON to filters and the JSON format', (_, read) => {
    const payload = Buffer.from('{"device":"d-1","t":21.5}');
    const event = read(payload);
    expect(event.attributes['datacontenttype']).toBe('application/json');
    expect(event.attributes['subject']).toBe('d-1');
    expect(event.data).toEqual({ kind: 'bytes', bytes: payload });
    expect(eventToJson(event)['data']).toEqual({ device: 'd-1', t: 21.5 });
  });

  it.each(readers)('%s: a JSON scalar is JSON too', (_, read) => {
    const event = read(Buffer.from('21.5'));
    expect(event.attributes['datacontenttype']).toBe('application/json');
    expect(eventToJson(event)['data']).toBe(21.5);
  });

  it.each(readers)('%s: anything else stays opaque bytes with no datacontenttype', (_, read) => {
    for (const payload of [
      Buffer.from('21.5 C'),
      Buffer.from('{"device": "d-1"'),
      Buffer.from([0xff, 0x31]),
    ]) {
      const event = read(payload);
      expect(Object.hasOwn(event.attributes, 'datacontenttype')).toBe(false);
      expect(eventToJson(event)).toHaveProperty('data_base64');
    }
  });

  it('keeps a content type the message has, and a ce.datacontenttype template wins over the implied one', () => {
    const kafka = createRecordConverter(mapper(CE))(
      record({ value: Buffer.from('{"device":"d"}'), headers: [h('content-type', 'text/plain')] }),
    );
    expect(kafka.ok && kafka.event.attributes['datacontenttype']).toBe('text/plain');
    const mqtt = compileMqttEventReader(
      { ...CE, datacontenttype: 'application/vnd.x+json' },
      ['spec', 'ce'],
      fail,
    )(message({ payload: Buffer.from('{"device":"d"}') }));
    expect(mqtt.attributes['datacontenttype']).toBe('application/vnd.x+json');
  });
});

describe('readRawPayload', () => {
  it('reads the body root (parsed JSON, else text) and says whether the payload is JSON', () => {
    expect(readRawPayload(Buffer.from(' {"a":[1,2]} '))).toEqual({ body: { a: [1, 2] }, json: true });
    expect(readRawPayload(Buffer.from('"text"'))).toEqual({ body: 'text', json: true });
    expect(readRawPayload(Buffer.from('hello'))).toEqual({ body: 'hello', json: false });
    expect(readRawPayload(Buffer.from(''))).toEqual({ body: '', json: false });
    // Not UTF-8: the text the templates see may still parse, but the payload is not JSON.
    expect(readRawPayload(Buffer.from([0x22, 0xff, 0x22]))).toEqual({ body: '\ufffd', json: false });
    // A byte order mark is kept, as text: JSON after it is not JSON to a parser downstream either.
    expect(readRawPayload(Buffer.from('\ufeff{}')).json).toBe(false);
  });

  it('refuses JSON nested too deep to handle, as the body root always has', () => {
    expect(() => readRawPayload(Buffer.from(`${'['.repeat(2000)}${']'.repeat(2000)}`))).toThrow(
      /nested deeper than 1000 levels/,
    );
  });
});
