import { describe, expect, it } from 'vitest';
import {
  classifyHttpMessage,
  decodeHttpMessage,
  encodeBatch,
  encodeBinary,
  encodeStructured,
  type HttpHeaders,
} from '../../../broker/bindings/http.js';
import type { CloudEvent } from '../../../broker/cloudevents/event.js';
import { expectBrokerError } from '../expect-broker-error.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
const empty = new Uint8Array(0);
const base = {
  specversion: '1.0',
  id: 'A234-1234-1234',
  source: '/mycontext',
  type: 'com.example.someevent',
};
const binaryHeaders: HttpHeaders = {
  'ce-specversion': '1.0',
  'ce-type': 'com.example.someevent',
  'ce-source': '/mycontext',
  'ce-id': 'A234-1234-1234',
};
const structuredType = { 'content-type': 'application/cloudevents+json; charset=utf-8' };
const batchType = { 'content-type': 'application/cloudevents-batch+json; charset=UTF-8' };

/** Decodes a message that must hold exactly one event. */
function decodeOne(headers: HttpHeaders, body: Uint8Array): CloudEvent {
  const { events } = decodeHttpMessage(headers, body);
  expect(events).toHaveLength(1);
  return events[0]!;
}

/** What a receiving HTTP server would see for a message the broker sends. */
function asReceived(message: { headers: Record<string, string>; body: Uint8Array | string | undefined }) {
  const body =
    message.body === undefined ? empty : typeof message.body === 'string' ? utf8(message.body) : message.body;
  return { headers: message.headers, body };
}

describe('classifyHttpMessage', () => {
  it('recognizes structured, batched and binary mode', () => {
    expect(classifyHttpMessage(structuredType)).toBe('structured');
    expect(classifyHttpMessage(batchType)).toBe('batch');
    expect(classifyHttpMessage({ ...binaryHeaders, 'content-type': 'application/json' })).toBe('binary');
    expect(classifyHttpMessage(binaryHeaders)).toBe('binary');
  });

  it('matches the media type case-insensitively, with or without parameters', () => {
    expect(classifyHttpMessage({ 'content-type': 'Application/CloudEvents+JSON' })).toBe('structured');
    expect(
      classifyHttpMessage({ 'content-type': ' application/cloudevents-batch+json ; charset=utf-8' }),
    ).toBe('batch');
  });

  it('lets a CloudEvents Content-Type win over ce- headers', () => {
    expect(classifyHttpMessage({ ...binaryHeaders, ...structuredType })).toBe('structured');
  });

  it('does not take look-alike media types for CloudEvents', () => {
    expect(classifyHttpMessage({ ...binaryHeaders, 'content-type': 'application/cloudeventsx+json' })).toBe(
      'binary',
    );
    expect(classifyHttpMessage({ 'content-type': 'application/cloudevents-batchy+json' })).toBe('none');
  });

  it('says none for a message without CloudEvents markers', () => {
    expect(classifyHttpMessage({ 'content-type': 'application/json', 'ce-id': '1' })).toBe('none');
    expect(classifyHttpMessage({})).toBe('none');
  });

  it('rejects event formats other than JSON as unsupported_media_type', () => {
    for (const contentType of [
      'application/cloudevents+xml',
      'application/cloudevents+avro; charset=utf-8',
      'application/cloudevents-batch+protobuf',
      'application/cloudevents',
      'application/cloudevents-batch',
      'application/cloudevents+',
    ]) {
      expectBrokerError(
        () => classifyHttpMessage({ ...binaryHeaders, 'content-type': contentType }),
        'unsupported_media_type',
        /Content-Type/,
      );
    }
  });
});

describe('decodeHttpMessage: binary mode (3.1)', () => {
  it('reads the spec example and keeps the body bytes identical', () => {
    const body = new Uint8Array([0x00, 0xff, 0x10, 0x80, 0x7f]);
    const headers = {
      ...binaryHeaders,
      'ce-time': '2018-04-05T17:31:00Z',
      'ce-comexampleextension1': 'value',
      'ce-comexampleothervalue': '5',
      'content-type': 'application/vnd.apache.thrift.binary',
      'content-length': '5',
      host: 'broker.example.com',
    };
    const decoded = decodeHttpMessage(headers, body);
    expect(decoded.mode).toBe('binary');
    const ev = decoded.events[0]!;
    expect(ev.attributes).toEqual({
      ...base,
      time: '2018-04-05T17:31:00Z',
      comexampleextension1: 'value',
      comexampleothervalue: '5',
      datacontenttype: 'application/vnd.apache.thrift.binary',
    });
    expect(ev.data.kind).toBe('bytes');
    expect(ev.data.kind === 'bytes' && ev.data.bytes).toBe(body);
  });

  it('treats a zero-length body as no data, keeping the content type', () => {
    const ev = decodeOne({ ...binaryHeaders, 'content-type': 'application/json' }, empty);
    expect(ev.data).toEqual({ kind: 'none' });
    expect(ev.attributes.datacontenttype).toBe('application/json');
  });

  it('leaves datacontenttype absent without a Content-Type', () => {
    const ev = decodeOne(binaryHeaders, utf8('x'));
    expect(Object.hasOwn(ev.attributes, 'datacontenttype')).toBe(false);
  });

  it('percent-decodes header values, including non-ASCII, "%", space and double quote', () => {
    const ev = decodeOne(
      {
        ...binaryHeaders,
        'ce-subject': 'Euro%20%E2%82%AC%20%F0%9F%98%80%20100%25%20%22q%22',
        'ce-ext': '%c3%bc',
      },
      empty,
    );
    expect(ev.attributes.subject).toBe('Euro € 😀 100% "q"');
    expect(ev.attributes.ext).toBe('ü');
  });

  it('unescapes double-quoted header values from older senders', () => {
    const ev = decodeOne({ ...binaryHeaders, 'ce-subject': '"hello \\"world\\""' }, empty);
    expect(ev.attributes.subject).toBe('hello "world"');
  });

  it('takes a % that starts no escape literally', () => {
    for (const [value, subject] of [
      ['100%', '100%'],
      ['%G0', '%G0'],
      ['%4', '%4'],
    ]) {
      const [event] = decodeHttpMessage({ ...binaryHeaders, 'ce-subject': value! }, empty).events;
      expect(event!.attributes['subject']).toBe(subject);
    }
  });

  it('reads escaped bytes that are not UTF-8 as ISO-8859-1 instead of refusing them', () => {
    const [event] = decodeHttpMessage({ ...binaryHeaders, 'ce-subject': 'caf%E9' }, empty).events;
    expect(event!.attributes['subject']).toBe('café');
  });

  it('rejects a decoded value the String type forbids', () => {
    expectBrokerError(
      () => decodeHttpMessage({ ...binaryHeaders, 'ce-subject': 'a%0Ab' }, empty),
      'invalid_attribute',
      /header ce-subject.*control character U\+000A/,
    );
  });

  it('reads raw non-ASCII header values as UTF-8, else ISO-8859-1 (what SDKs that do not encode send)', () => {
    const utf8 = Buffer.from('Grüße', 'utf8').toString('latin1'); // as Node hands the bytes over
    const [fromUtf8] = decodeHttpMessage({ ...binaryHeaders, 'ce-subject': utf8 }, empty).events;
    expect(fromUtf8!.attributes['subject']).toBe('Grüße');
    const [fromLatin1] = decodeHttpMessage({ ...binaryHeaders, 'ce-subject': 'Grüße' }, empty).events;
    expect(fromLatin1!.attributes['subject']).toBe('Grüße');
  });

  it('keeps double quotes inside a value as data', () => {
    const [event] = decodeHttpMessage({ ...binaryHeaders, 'ce-myext': '{"a": 5}' }, empty).events;
    expect(event!.attributes['myext']).toBe('{"a": 5}');
  });

  it('rejects a ce-datacontenttype header', () => {
    expectBrokerError(
      () => decodeHttpMessage({ ...binaryHeaders, 'ce-datacontenttype': 'text/plain' }, empty),
      'invalid_attribute',
      /ce-datacontenttype/,
    );
  });

  it('rejects a repeated ce- header', () => {
    expectBrokerError(
      () => decodeHttpMessage({ ...binaryHeaders, 'ce-ext': ['a', 'b'] }, empty),
      'invalid_attribute',
      /ce-ext occurs more than once/,
    );
    expectBrokerError(
      () => decodeHttpMessage({ ...binaryHeaders, 'CE-ID': 'other' }, empty),
      'invalid_attribute',
      /ce-id occurs more than once/,
    );
  });

  it('accepts header names in any case', () => {
    const ev = decodeOne({ 'CE-SpecVersion': '1.0', 'Ce-Id': '1', 'ce-SOURCE': '/s', 'ce-type': 't' }, empty);
    expect(ev.attributes).toEqual({ specversion: '1.0', id: '1', source: '/s', type: 't' });
  });

  it('applies the attribute rules to header values and names', () => {
    expectBrokerError(
      () => decodeHttpMessage({ ...binaryHeaders, 'ce-time': '2018-04-05T17:31:00' }, empty),
      'invalid_attribute',
      /header ce-time/,
    );
    expectBrokerError(
      () => decodeHttpMessage({ ...binaryHeaders, 'ce-foo_bar': 'x' }, empty),
      'invalid_extension_name',
      /ce-foo_bar/,
    );
    expectBrokerError(
      () => decodeHttpMessage({ ...binaryHeaders, 'ce-specversion': '0.3' }, empty),
      'unsupported_specversion',
    );
    const { 'ce-source': _source, ...withoutSource } = binaryHeaders;
    expectBrokerError(() => decodeHttpMessage(withoutSource, empty), 'missing_attribute', /header ce-source/);
    expectBrokerError(
      () => decodeHttpMessage({ ...binaryHeaders, 'content-type': 'not a type' }, empty),
      'invalid_attribute',
      /header Content-Type/,
    );
  });
});

describe('decodeHttpMessage: structured mode (3.2)', () => {
  const event = { ...base, datacontenttype: 'application/json', data: { appinfoA: 'abc', appinfoB: 123 } };

  it('reads a JSON event', () => {
    const decoded = decodeHttpMessage(structuredType, utf8(JSON.stringify(event)));
    expect(decoded.mode).toBe('structured');
    expect(decoded.events[0]?.data).toEqual({ kind: 'json', value: { appinfoA: 'abc', appinfoB: 123 } });
  });

  it('ignores ce- headers, which may duplicate the body', () => {
    const ev = decodeOne({ ...structuredType, 'ce-id': 'header-id' }, utf8(JSON.stringify(event)));
    expect(ev.attributes.id).toBe('A234-1234-1234');
  });

  it('accepts a UTF-8 charset in any case, or none, and a leading byte order mark', () => {
    const body = utf8(JSON.stringify(event));
    for (const contentType of [
      'application/cloudevents+json',
      'application/cloudevents+json; charset="UTF-8"',
    ]) {
      expect(decodeOne({ 'content-type': contentType }, body).attributes.id).toBe('A234-1234-1234');
    }
    expect(decodeOne(structuredType, utf8(`\ufeff${JSON.stringify(event)}`)).attributes.id).toBe(
      'A234-1234-1234',
    );
  });

  it('rejects other charsets as unsupported_media_type', () => {
    expectBrokerError(
      () =>
        decodeHttpMessage({ 'content-type': 'application/cloudevents+json; charset=iso-8859-1' }, utf8('{}')),
      'unsupported_media_type',
      /charset "iso-8859-1"/,
    );
  });

  it('rejects a malformed Content-Type', () => {
    expectBrokerError(
      () => decodeHttpMessage({ 'content-type': 'application/cloudevents+json; charset' }, utf8('{}')),
      'unsupported_media_type',
    );
  });

  it('reports malformed JSON, bodies that are not UTF-8 and empty bodies as malformed_json', () => {
    for (const body of [
      utf8('{"id": '),
      utf8('{"a":1}{'),
      new Uint8Array([0x7b, 0xff, 0x7d]),
      empty,
      utf8('  '),
    ]) {
      expectBrokerError(() => decodeHttpMessage(structuredType, body), 'malformed_json', /body/);
    }
  });

  it('rejects a JSON value that is not an object', () => {
    expectBrokerError(() => decodeHttpMessage(structuredType, utf8('[1]')), 'malformed_event');
  });

  it('rejects an attribute that occurs twice, even when spelled with an escape', () => {
    const twice = `{"specversion":"1.0","id":"a","source":"/s","type":"t","id":"b"}`;
    expectBrokerError(
      () => decodeHttpMessage(structuredType, utf8(twice)),
      'invalid_attribute',
      /"id" occurs more/,
    );
    const escaped = `{"specversion":"1.0","id":"a","source":"/s","type":"t","i\\u0064":"b"}`;
    expectBrokerError(() => decodeHttpMessage(structuredType, utf8(escaped)), 'invalid_attribute', /"id"/);
  });

  it('rejects a member named __proto__ instead of losing it', () => {
    const body = `{"specversion":"1.0","id":"a","source":"/s","type":"t","__proto__":{"x":1}}`;
    expectBrokerError(
      () => decodeHttpMessage(structuredType, utf8(body)),
      'invalid_extension_name',
      /__proto__/,
    );
    expectBrokerError(
      () => decodeHttpMessage({ ...binaryHeaders, 'ce-__proto__': 'x' }, empty),
      'invalid_extension_name',
      /__proto__/,
    );
  });

  it('leaves repeated names inside data alone', () => {
    const body = `{"specversion":"1.0","id":"a","source":"/s","type":"t","data":{"k":1,"k":2,"s":"}\\"{"}}`;
    expect(decodeOne(structuredType, utf8(body)).data).toEqual({ kind: 'json', value: { k: 2, s: '}"{' } });
  });

  it('rejects data and data_base64 together', () => {
    const body = JSON.stringify({ ...base, data: 1, data_base64: 'AA==' });
    expectBrokerError(() => decodeHttpMessage(structuredType, utf8(body)), 'invalid_data');
  });
});

describe('decodeHttpMessage: batched mode (3.3)', () => {
  it('reads several events', () => {
    const body = JSON.stringify([
      { ...base, id: '1', data_base64: 'AAE=' },
      { ...base, id: '2', data: 'text' },
    ]);
    const decoded = decodeHttpMessage(batchType, utf8(body));
    expect(decoded.mode).toBe('batch');
    expect(decoded.events.map((ev) => ev.attributes.id)).toEqual(['1', '2']);
  });

  it('reads an empty batch', () => {
    expect(decodeHttpMessage(batchType, utf8('[]'))).toEqual({ mode: 'batch', events: [] });
  });

  it('rejects a body that is not an array', () => {
    expectBrokerError(
      () => decodeHttpMessage(batchType, utf8(JSON.stringify(base))),
      'malformed_event',
      /array/,
    );
  });

  it('does not scan a non-array body for repeated members', () => {
    const body = `{"nested":{"k":1,"k":2}}`;
    expectBrokerError(() => decodeHttpMessage(batchType, utf8(body)), 'malformed_event', /array/);
  });

  it('names the batch element with a repeated member', () => {
    const body = `[{"specversion":"1.0","id":"a","source":"/s","type":"t"},{"type":"t","specversion":"1.0","id":"b","source":"/s","type":"u"}]`;
    expectBrokerError(
      () => decodeHttpMessage(batchType, utf8(body)),
      'invalid_attribute',
      /batch element 1: member "type"/,
    );
  });
});

describe('decodeHttpMessage: not a CloudEvent', () => {
  it('reports a missing specversion', () => {
    expectBrokerError(
      () => decodeHttpMessage({ 'content-type': 'application/json' }, utf8('{}')),
      'missing_attribute',
      /ce-specversion/,
    );
  });
});

describe('encodeBinary (3.1)', () => {
  it('writes ce- headers with canonical strings and percent-encoding', () => {
    const { headers, body } = encodeBinary({
      attributes: {
        ...base,
        subject: 'Euro € 😀 100% "q"',
        flag: true,
        off: false,
        count: -2147483648,
        time: '2018-04-05T17:31:00Z',
      },
      data: { kind: 'none' },
    });
    expect(headers).toEqual({
      'ce-specversion': '1.0',
      'ce-id': 'A234-1234-1234',
      'ce-source': '/mycontext',
      'ce-type': 'com.example.someevent',
      'ce-subject': 'Euro%20%E2%82%AC%20%F0%9F%98%80%20100%25%20%22q%22',
      'ce-flag': 'true',
      'ce-off': 'false',
      'ce-count': '-2147483648',
      'ce-time': '2018-04-05T17:31:00Z',
    });
    expect(body).toBeUndefined();
  });

  it('moves datacontenttype to Content-Type and sends bytes unchanged', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const { headers, body } = encodeBinary({
      attributes: { ...base, datacontenttype: 'application/octet-stream' },
      data: { kind: 'bytes', bytes },
    });
    expect(headers['content-type']).toBe('application/octet-stream');
    expect(headers['ce-datacontenttype']).toBeUndefined();
    expect(body).toBe(bytes);
  });

  it('sends bytes without a content type without a Content-Type header', () => {
    const { headers } = encodeBinary({
      attributes: base,
      data: { kind: 'bytes', bytes: utf8('{ "xyz": 123 }') },
    });
    expect(headers['content-type']).toBeUndefined();
  });

  it('writes JSON data as JSON text, making the implied application/json explicit', () => {
    const implied = encodeBinary({ attributes: base, data: { kind: 'json', value: "I'm just a string" } });
    expect(implied.headers['content-type']).toBe('application/json');
    expect(new TextDecoder().decode(implied.body)).toBe('"I\'m just a string"');

    const declared = encodeBinary({
      attributes: { ...base, datacontenttype: 'application/json' },
      data: { kind: 'json', value: { appinfoA: 'abc', appinfoC: true } },
    });
    expect(declared.headers['content-type']).toBe('application/json');
    expect(new TextDecoder().decode(declared.body)).toBe('{"appinfoA":"abc","appinfoC":true}');

    const nullPayload = encodeBinary({ attributes: base, data: { kind: 'json', value: null } });
    expect(new TextDecoder().decode(nullPayload.body)).toBe('null');
  });

  it('writes a string under a non-JSON content type as its UTF-8 bytes', () => {
    const { headers, body } = encodeBinary({
      attributes: { ...base, datacontenttype: 'application/xml' },
      data: { kind: 'json', value: '<much wow="xml"/> ü' },
    });
    expect(headers['content-type']).toBe('application/xml');
    expect(body).toEqual(utf8('<much wow="xml"/> ü'));
  });

  it('refuses data it cannot encode for the content type', () => {
    expectBrokerError(
      () =>
        encodeBinary({
          attributes: { ...base, datacontenttype: 'text/plain' },
          data: { kind: 'json', value: [1] },
        }),
      'invalid_data',
    );
    expectBrokerError(
      () =>
        encodeBinary({
          attributes: { ...base, datacontenttype: 'text/plain; charset=iso-8859-1' },
          data: { kind: 'json', value: 'é' },
        }),
      'invalid_data',
      /charset/,
    );
    expectBrokerError(
      () =>
        encodeBinary({
          attributes: { ...base, datacontenttype: 'text/plain; charset=us-ascii' },
          data: { kind: 'json', value: 'é' },
        }),
      'invalid_data',
      /US-ASCII/,
    );
  });
});

describe('encodeStructured and encodeBatch (3.2, 3.3)', () => {
  it('labels structured messages with the JSON event format', () => {
    const message = encodeStructured({ attributes: base, data: { kind: 'json', value: { a: 1 } } });
    expect(message.headers).toEqual({ 'content-type': 'application/cloudevents+json; charset=utf-8' });
    expect(JSON.parse(message.body)).toEqual({ ...base, data: { a: 1 } });
  });

  it('labels batches with the JSON batch format', () => {
    const message = encodeBatch([
      { attributes: { ...base, id: '1' }, data: { kind: 'none' } },
      { attributes: { ...base, id: '2' }, data: { kind: 'bytes', bytes: new Uint8Array([255]) } },
    ]);
    expect(message.headers).toEqual({ 'content-type': 'application/cloudevents-batch+json; charset=utf-8' });
    expect(JSON.parse(message.body)).toEqual([
      { ...base, id: '1' },
      { ...base, id: '2', data_base64: '/w==' },
    ]);
    expect(encodeBatch([]).body).toBe('[]');
  });
});

describe('round trips', () => {
  const awkward = [
    'plain',
    'with space',
    'with "double quotes"',
    '100% and %41',
    'Grüße 日本 😀',
    "'single' & <angle> \\back",
  ];

  it('carries awkward attribute values through binary mode unchanged', () => {
    for (const value of awkward) {
      const ev: CloudEvent = {
        attributes: { ...base, subject: value, myext: value },
        data: { kind: 'none' },
      };
      const received = asReceived(encodeBinary(ev));
      for (const headerValue of Object.values(received.headers))
        expect(headerValue).toMatch(/^[\x21-\x7e]*$/);
      expect(decodeOne(received.headers, received.body).attributes).toEqual(ev.attributes);
    }
  });

  it('carries every byte value identically through binary and structured mode', () => {
    const allBytes = Uint8Array.from({ length: 512 }, (_, index) => (index * 7) % 256);
    for (const datacontenttype of [undefined, 'application/octet-stream']) {
      const attributes = datacontenttype === undefined ? base : { ...base, datacontenttype };
      const ev: CloudEvent = { attributes, data: { kind: 'bytes', bytes: allBytes } };

      const binary = asReceived(encodeBinary(ev));
      expect(decodeOne(binary.headers, binary.body)).toEqual(ev);

      const structured = encodeStructured(ev);
      expect(JSON.parse(structured.body)).toHaveProperty('data_base64');
      const viaStructured = decodeOne(structured.headers, utf8(structured.body));
      expect(viaStructured).toEqual(ev);

      // And onwards: structured in, binary out, still the same bytes.
      const binaryAgain = encodeBinary(viaStructured);
      expect(binaryAgain.body).toEqual(allBytes);
    }
  });

  it('turns a binary JSON body into a structured data object and back into the same JSON', () => {
    const body = utf8('{"appinfoA":"abc","appinfoB":123,"appinfoC":true}');
    const ev = decodeOne({ ...binaryHeaders, 'content-type': 'application/json' }, body);
    const structured = encodeStructured(ev);
    expect(JSON.parse(structured.body).data).toEqual({ appinfoA: 'abc', appinfoB: 123, appinfoC: true });
    const back = decodeOne(structured.headers, utf8(structured.body));
    expect(encodeBinary(back).body).toEqual(body);
  });

  it('turns a binary text body into a structured data string and back into the same bytes', () => {
    const body = utf8('<much wow="xml"/> — ü');
    const ev = decodeOne({ ...binaryHeaders, 'content-type': 'text/xml' }, body);
    const structured = encodeStructured(ev);
    expect(JSON.parse(structured.body).data).toBe('<much wow="xml"/> — ü');
    const back = decodeOne(structured.headers, utf8(structured.body));
    const binary = encodeBinary(back);
    expect(binary.headers['content-type']).toBe('text/xml');
    expect(binary.body).toEqual(body);
  });

  it('carries a batch through encodeBatch and decodeHttpMessage', () => {
    const events: CloudEvent[] = [
      { attributes: { ...base, id: '1', n: 7, b: true }, data: { kind: 'json', value: [1, 'two'] } },
      {
        attributes: { ...base, id: '2', datacontenttype: 'image/png' },
        data: { kind: 'bytes', bytes: new Uint8Array([137, 80]) },
      },
      { attributes: { ...base, id: '3' }, data: { kind: 'none' } },
    ];
    const message = encodeBatch(events);
    expect(decodeHttpMessage(message.headers, utf8(message.body))).toEqual({ mode: 'batch', events });
  });
});
