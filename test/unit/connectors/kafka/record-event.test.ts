// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are ce templates, whose ${...} is the manifest language
import { describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../../../broker/cloudevents/event.js';
import type { KafkaRecord } from '../../../../connectors/kafka/client.js';
import { createRecordConverter } from '../../../../connectors/kafka/record-event.js';
import { BINARY_HEADERS, h, mapper, record } from './fixtures.js';

describe('Kafka binding and ce mapping (kafka-binding.md)', () => {
  const convert = createRecordConverter(
    mapper({
      type: 'com.example.${topic}',
      source: '/kafka/${topic}/${partition}',
      subject: '${key}',
      extensions: { at: '${offset}', tenant: '${headers.x-tenant}', customer: '${body.customer.id}' },
    }),
  );
  const event = (r: KafkaRecord): CloudEvent => {
    const result = convert(r);
    if (!result.ok) throw new Error(result.reason);
    return result.event;
  };
  const refusal = (r: KafkaRecord): string => {
    const result = convert(r);
    if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.event.attributes)}`);
    return result.reason;
  };

  it('binary mode (3.2): attributes from ce_ headers, content-type as datacontenttype, the value byte for byte', () => {
    const value = Buffer.from([0x00, 0xff, 0x10]);
    const ev = event(
      record({
        value,
        key: Buffer.from('cust-9'),
        headers: [...BINARY_HEADERS, h('content-type', 'application/avro'), h('ce_region', 'eu')],
      }),
    );
    expect(ev.attributes).toEqual({
      specversion: '1.0',
      id: 'evt-1',
      type: 'com.example.order.created',
      source: '/shop',
      datacontenttype: 'application/avro',
      region: 'eu',
      partitionkey: 'cust-9',
    });
    expect(ev.data).toEqual({ kind: 'bytes', bytes: value });
  });

  it('binary mode without a value is an event without data (3.2.2), and its own partitionkey wins over the key', () => {
    const ev = event(
      record({ key: Buffer.from('k'), headers: [...BINARY_HEADERS, h('ce_partitionkey', 'mine')] }),
    );
    expect(ev.data).toEqual({ kind: 'none' });
    expect(ev.attributes['partitionkey']).toBe('mine');
  });

  it('takes ce_datacontenttype when content-type is absent, and refuses the two disagreeing', () => {
    expect(
      event(record({ headers: [...BINARY_HEADERS, h('ce_datacontenttype', 'text/plain')] })).attributes[
        'datacontenttype'
      ],
    ).toBe('text/plain');
    expect(
      refusal(
        record({
          headers: [...BINARY_HEADERS, h('ce_datacontenttype', 'text/plain'), h('content-type', 'text/csv')],
        }),
      ),
    ).toMatch(/disagree/);
  });

  it('structured mode (3.3): the JSON format in the value, whatever the letter case of the content type', () => {
    const json = { specversion: '1.0', id: 's-1', type: 't.structured', source: '/s', data: { n: 1 } };
    const ev = event(
      record({
        key: Buffer.from('k-1'),
        value: Buffer.from(JSON.stringify(json)),
        headers: [h('Content-Type', 'Application/CloudEvents+JSON; charset=UTF-8')],
      }),
    );
    expect(ev.attributes).toMatchObject({ id: 's-1', type: 't.structured', partitionkey: 'k-1' });
    expect(ev.data).toEqual({ kind: 'json', value: { n: 1 } });
  });

  it('maps a raw record over topic, partition, offset, key, headers and body; id from its position, time from its timestamp', () => {
    const ev = event(
      record({
        key: Buffer.from('cust-9'),
        value: Buffer.from('{"customer":{"id":"c-7"}}'),
        headers: [
          h('X-Tenant', 'acme'),
          h('content-type', 'application/json'),
          h('trace-bin', Buffer.from([0xc3, 0x28])),
        ],
      }),
    );
    expect(ev.attributes).toEqual({
      specversion: '1.0',
      type: 'com.example.orders',
      source: '/kafka/orders/3',
      subject: 'cust-9',
      id: 'orders/3/41',
      time: '2026-01-02T03:04:05.000Z',
      datacontenttype: 'application/json',
      at: '41',
      tenant: 'acme',
      customer: 'c-7',
      partitionkey: 'cust-9',
    });
    expect(ev.data).toEqual({ kind: 'bytes', bytes: Buffer.from('{"customer":{"id":"c-7"}}') });
  });

  it('a CloudEvents format it cannot read (+avro) without ce_ headers is mapped as a raw record (3)', () => {
    const ev = event(
      record({ value: Buffer.from('xx'), headers: [h('content-type', 'application/cloudevents+avro')] }),
    );
    expect(ev.attributes['type']).toBe('com.example.orders');
  });

  it('refuses malformed binding records with a reason: bad specversion, invalid JSON, non-UTF-8 or repeated headers', () => {
    expect(refusal(record({ headers: [h('ce_specversion', '0.3'), ...BINARY_HEADERS.slice(1)] }))).toMatch(
      /^unsupported_specversion/,
    );
    expect(
      refusal(
        record({
          value: Buffer.from('{"specversion":'),
          headers: [h('content-type', 'application/cloudevents+json')],
        }),
      ),
    ).toMatch(/^malformed_json/);
    expect(
      refusal(record({ headers: [...BINARY_HEADERS, h('ce_region', Buffer.from([0xff, 0xfe]))] })),
    ).toMatch(/ce_region is not valid UTF-8/);
    expect(refusal(record({ headers: [...BINARY_HEADERS, h('ce_id', 'again')] }))).toMatch(
      /ce_id occurs more than once/,
    );
    expect(
      refusal(record({ headers: [h('ce_specversion', '1.0'), h('ce_id', 'x'), h('ce_source', '/s')] })),
    ).toMatch(/^missing_attribute/);
    expect(refusal(record({ headers: [...BINARY_HEADERS, h('ce_Region', 'eu')] }))).toMatch(
      /^invalid_extension_name/,
    );
  });

  it('without a ce block takes only CloudEvents and refuses a raw record', () => {
    const bindingOnly = createRecordConverter(undefined);
    expect(bindingOnly(record({ headers: BINARY_HEADERS })).ok).toBe(true);
    const raw = bindingOnly(record({ value: Buffer.from('{}') }));
    expect(raw.ok ? 'accepted' : raw.reason).toMatch(/^mapping_failed: the record is not a CloudEvent/);
  });

  it('a key that is no valid String is not made a partitionkey', () => {
    const ev = event(record({ key: Buffer.from([0xff]), value: Buffer.from('{}'), headers: BINARY_HEADERS }));
    expect(ev.attributes['partitionkey']).toBeUndefined();
  });
});
