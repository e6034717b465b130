import { describe, expect, it } from 'vitest';
import {
  classifyRecord,
  decodeBinaryRecord,
  decodeStructuredRecord,
  type RecordHeader,
  RecordHeaders,
} from '../../../broker/bindings/kafka.js';
import { expectBrokerError } from '../expect-broker-error.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const h = (name: string, value: string | null): RecordHeader => ({
  name,
  value: value === null ? null : bytes(value),
});
const binary = [h('ce_specversion', '1.0'), h('ce_id', 'k-1'), h('ce_source', '/kafka'), h('ce_type', 't')];

describe('classifyRecord (kafka-binding 3)', () => {
  it('takes application/cloudevents+json in any case for structured mode, ce_specversion for binary', () => {
    expect(classifyRecord(new RecordHeaders([h('Content-Type', 'Application/CloudEvents+JSON')]))).toEqual({
      mode: 'structured',
      contentType: 'Application/CloudEvents+JSON',
    });
    expect(classifyRecord(new RecordHeaders(binary))).toEqual({ mode: 'binary' });
  });

  it('treats a CloudEvents format it cannot read, or no marker at all, as raw', () => {
    expect(classifyRecord(new RecordHeaders([h('content-type', 'application/cloudevents+avro')]))).toEqual({
      mode: 'raw',
      contentType: 'application/cloudevents+avro',
    });
    expect(classifyRecord(new RecordHeaders([h('content-type', ' ')]))).toEqual({
      mode: 'raw',
      contentType: undefined,
    });
  });

  it('refuses a repeated or value-less content-type, naming the Kafka header', () => {
    expectBrokerError(
      () => classifyRecord(new RecordHeaders([h('content-type', 'a/b'), h('Content-Type', 'a/b')])),
      'invalid_attribute',
      /^Kafka header content-type occurs more than once$/,
    );
    expectBrokerError(
      () => classifyRecord(new RecordHeaders([h('Content-Type', null)])),
      'invalid_attribute',
      /^Kafka header Content-Type has no value$/,
    );
  });
});

describe('decoding Kafka records', () => {
  it('binary mode: ce_ headers, content-type as datacontenttype, the value untouched', () => {
    const value = bytes('raw');
    const ev = decodeBinaryRecord(new RecordHeaders([...binary, h('content-type', 'text/plain')]), value);
    expect(ev.attributes).toEqual({
      specversion: '1.0',
      id: 'k-1',
      source: '/kafka',
      type: 't',
      datacontenttype: 'text/plain',
    });
    expect(ev.data.kind === 'bytes' && ev.data.bytes).toBe(value);
    expect(decodeBinaryRecord(new RecordHeaders(binary), null).data).toEqual({ kind: 'none' });
  });

  it('binary mode: names the Kafka header in attribute details', () => {
    expectBrokerError(
      () => decodeBinaryRecord(new RecordHeaders([...binary, h('ce_dataschema', 'relative')]), null),
      'invalid_attribute',
      /^attribute "dataschema" \(Kafka header ce_dataschema\) must be an absolute URI/,
    );
  });

  it('structured mode: the JSON event format, naming the Kafka header on a bad charset', () => {
    const json = bytes(JSON.stringify({ specversion: '1.0', id: 's', source: '/s', type: 't' }));
    expect(decodeStructuredRecord('application/cloudevents+json', json).attributes.id).toBe('s');
    expectBrokerError(() => decodeStructuredRecord('application/cloudevents+json', null), 'malformed_json');
    expectBrokerError(
      () => decodeStructuredRecord('application/cloudevents+json; charset=utf-16', json),
      'unsupported_media_type',
      /^Kafka header content-type declares charset "utf-16"/,
    );
  });
});
