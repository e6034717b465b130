import { describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../../broker/cloudevents/event.js';
import {
  decodeJsonBatch,
  decodeJsonEvent,
  eventFromJson,
  eventToJson,
  eventToJsonText,
  JSON_BATCH_MEDIA_TYPE,
  JSON_EVENT_MEDIA_TYPE,
  parseBatch,
} from '../../../broker/cloudevents/json-format.js';
import { BrokerError } from '../../../broker/errors.js';
import { expectBrokerError } from '../expect-broker-error.js';

const base = {
  specversion: '1.0',
  id: 'A234-1234-1234',
  source: '/mycontext',
  type: 'com.example.someevent',
};
const utf8 = (text: string) => new TextEncoder().encode(text);
const bytesEvent = (bytes: Uint8Array, datacontenttype?: string): CloudEvent => ({
  attributes: datacontenttype === undefined ? { ...base } : { ...base, datacontenttype },
  data: { kind: 'bytes', bytes },
});

describe('eventFromJson', () => {
  it('reads the spec example with XML text data and extensions', () => {
    const ev = eventFromJson({
      ...base,
      time: '2018-04-05T17:31:00Z',
      comexampleextension1: 'value',
      comexampleothervalue: 5,
      unsetextension: null,
      datacontenttype: 'application/xml',
      data: '<much wow="xml"/>',
    });
    expect(ev.attributes).toEqual({
      ...base,
      time: '2018-04-05T17:31:00Z',
      comexampleextension1: 'value',
      comexampleothervalue: 5,
      datacontenttype: 'application/xml',
    });
    expect(ev.data).toEqual({ kind: 'json', value: '<much wow="xml"/>' });
  });

  it('reads data as a JSON value, with or without a JSON content type', () => {
    expect(eventFromJson({ ...base, data: { a: [1, true] } }).data).toEqual({
      kind: 'json',
      value: { a: [1, true] },
    });
    expect(eventFromJson({ ...base, datacontenttype: 'application/vnd.x+json', data: 1.5 }).data).toEqual({
      kind: 'json',
      value: 1.5,
    });
  });

  it('keeps a JSON string as a string and does not parse it again', () => {
    expect(eventFromJson({ ...base, data: '{"not":"parsed"}' }).data).toEqual({
      kind: 'json',
      value: '{"not":"parsed"}',
    });
  });

  it('keeps an explicit null data as a JSON null payload, distinct from no data', () => {
    expect(eventFromJson({ ...base, data: null }).data).toEqual({ kind: 'json', value: null });
    expect(eventFromJson({ ...base }).data).toEqual({ kind: 'none' });
  });

  it('reads data_base64 into bytes, without assuming a content type', () => {
    const ev = eventFromJson({ ...base, data_base64: 'eyAieHl6IjogMTIzIH0=' });
    expect(ev.data).toEqual({ kind: 'bytes', bytes: utf8('{ "xyz": 123 }') });
    expect(ev.attributes.datacontenttype).toBeUndefined();
  });

  it('treats a null data_base64 as absent', () => {
    expect(eventFromJson({ ...base, data_base64: null }).data).toEqual({ kind: 'none' });
    expect(eventFromJson({ ...base, data_base64: null, data: 1 }).data).toEqual({ kind: 'json', value: 1 });
  });

  it('rejects data and data_base64 together', () => {
    expectBrokerError(
      () => eventFromJson({ ...base, data: 'x', data_base64: 'eA==' }),
      'invalid_data',
      /"data" and "data_base64"/,
    );
  });

  it('rejects garbage in data_base64', () => {
    for (const garbage of ['not base64!', 'Zg', 'Zm9v\n', '-_8=', 'Zh==']) {
      expectBrokerError(
        () => eventFromJson({ ...base, data_base64: garbage }),
        'invalid_data',
        /"data_base64"/,
      );
    }
  });

  it('rejects a data_base64 that is not a string', () => {
    expectBrokerError(() => eventFromJson({ ...base, data_base64: [1, 2] }), 'invalid_data', /"data_base64"/);
  });

  it('requires data to be a string when the content type is not JSON', () => {
    expectBrokerError(
      () => eventFromJson({ ...base, datacontenttype: 'text/plain', data: { a: 1 } }),
      'invalid_data',
      /"data" must be a string.*text\/plain/,
    );
    expectBrokerError(
      () => eventFromJson({ ...base, datacontenttype: 'text/plain', data: null }),
      'invalid_data',
    );
  });

  it('rejects values that are not JSON objects', () => {
    for (const value of [null, [], 'event', 42]) {
      expectBrokerError(() => eventFromJson(value), 'malformed_event', /JSON object/);
    }
  });

  it('validates the attributes', () => {
    expectBrokerError(() => eventFromJson({ ...base, specversion: '0.3' }), 'unsupported_specversion');
    expectBrokerError(() => eventFromJson({ ...base, 'bad-name': 1 }), 'invalid_extension_name', /bad-name/);
    expectBrokerError(() => eventFromJson({ ...base, count: 2147483648 }), 'invalid_attribute', /"count"/);
  });
});

describe('eventToJson (json-format 3.1.1)', () => {
  it('writes attributes with their native JSON types', () => {
    const json = eventToJson({ attributes: { ...base, flag: true, count: -5 }, data: { kind: 'none' } });
    expect(json).toEqual({ ...base, flag: true, count: -5 });
    expect(Object.hasOwn(json, 'data')).toBe(false);
  });

  it('writes JSON data as data', () => {
    expect(eventToJson({ attributes: base, data: { kind: 'json', value: { a: 1 } } }).data).toEqual({ a: 1 });
    expect(eventToJson({ attributes: base, data: { kind: 'json', value: null } })).toHaveProperty(
      'data',
      null,
    );
  });

  it('writes bytes under a JSON content type as the parsed value', () => {
    for (const contentType of [
      'application/json',
      'application/cloudevents+json',
      'text/json; charset=utf-8',
    ]) {
      const json = eventToJson(bytesEvent(utf8('{"a":[1,2]}'), contentType));
      expect(json.data, contentType).toEqual({ a: [1, 2] });
      expect(json.data_base64).toBeUndefined();
    }
  });

  it('writes bytes under a JSON content type that do not parse as data_base64', () => {
    const json = eventToJson(bytesEvent(utf8('{oops'), 'application/json'));
    expect(json.data_base64).toBe(Buffer.from('{oops').toString('base64'));
    expect(json.data).toBeUndefined();
  });

  it('writes bytes without a content type as data_base64, even when they look like JSON', () => {
    const json = eventToJson(bytesEvent(utf8('{ "xyz": 123 }')));
    expect(json).toEqual({ ...base, data_base64: 'eyAieHl6IjogMTIzIH0=' });
  });

  it('writes bytes under a text content type as a data string', () => {
    expect(eventToJson(bytesEvent(utf8('<much wow="xml"/>'), 'text/xml')).data).toBe('<much wow="xml"/>');
    expect(eventToJson(bytesEvent(utf8('Grüße'), 'application/xml; charset=utf-8')).data).toBe('Grüße');
  });

  it('writes text bytes that are not valid UTF-8 as data_base64', () => {
    const json = eventToJson(bytesEvent(new Uint8Array([0x47, 0x72, 0xfc, 0xdf, 0x65]), 'text/plain'));
    expect(json.data_base64).toBe('R3L832U=');
  });

  it('writes text in a charset the broker does not convert as data_base64', () => {
    const json = eventToJson(bytesEvent(utf8('abc'), 'text/plain; charset=iso-8859-1'));
    expect(json.data_base64).toBe('YWJj');
    const ascii = eventToJson(bytesEvent(utf8('é'), 'text/plain; charset=us-ascii'));
    expect(ascii.data_base64).toBe('w6k=');
  });

  it('writes bytes of a binary content type as data_base64', () => {
    const bytes = new Uint8Array([0, 1, 2, 0xfe, 0xff]);
    const json = eventToJson(bytesEvent(bytes, 'application/vnd.apache.thrift.binary'));
    expect(json.data_base64).toBe('AAEC/v8=');
    expect(json.datacontenttype).toBe('application/vnd.apache.thrift.binary');
  });

  it('refuses JSON data that is not a string under a non-JSON content type', () => {
    expectBrokerError(
      () =>
        eventToJson({
          attributes: { ...base, datacontenttype: 'text/plain' },
          data: { kind: 'json', value: 5 },
        }),
      'invalid_data',
    );
  });
});

describe('eventToJsonText', () => {
  it('matches JSON.stringify of eventToJson', () => {
    const ev: CloudEvent = { attributes: { ...base, n: 1 }, data: { kind: 'json', value: { a: 'b' } } };
    expect(JSON.parse(eventToJsonText(ev))).toEqual(eventToJson(ev));
  });

  it('keeps the original text of JSON bytes, so large numbers keep every digit', () => {
    const text = eventToJsonText(bytesEvent(utf8('{"big": 12345678901234567890123}'), 'application/json'));
    expect(text).toContain('"data":{"big": 12345678901234567890123}');
    expect(() => JSON.parse(text)).not.toThrow();
  });

  it('writes data_base64 for binary bytes', () => {
    expect(JSON.parse(eventToJsonText(bytesEvent(new Uint8Array([0xff])))).data_base64).toBe('/w==');
  });

  it('refuses data without a JSON form', () => {
    expectBrokerError(
      () => eventToJsonText({ attributes: base, data: { kind: 'json', value: 10n } }),
      'invalid_data',
      /"data"/,
    );
  });
});

describe('binary data round trip through the JSON format', () => {
  it('keeps every byte value identical through data_base64', () => {
    const allBytes = Uint8Array.from({ length: 256 }, (_, index) => 255 - index);
    for (const contentType of [undefined, 'application/octet-stream', 'image/png']) {
      const json = JSON.parse(eventToJsonText(bytesEvent(allBytes, contentType)));
      const back = eventFromJson(json);
      expect(back.data).toEqual({ kind: 'bytes', bytes: allBytes });
      expect(back.attributes.datacontenttype).toBe(contentType);
    }
  });
});

describe('parseBatch (json-format 4)', () => {
  it('reads an array of events', () => {
    const events = parseBatch([
      { ...base, id: '1', datacontenttype: 'application/vnd.apache.thrift.binary', data_base64: 'AAE=' },
      { ...base, id: '2', datacontenttype: 'application/json', data: { appinfoA: 'abc' } },
    ]);
    expect(events.map((ev) => ev.attributes.id)).toEqual(['1', '2']);
    expect(events[0]?.data).toEqual({ kind: 'bytes', bytes: new Uint8Array([0, 1]) });
    expect(events[1]?.data).toEqual({ kind: 'json', value: { appinfoA: 'abc' } });
  });

  it('accepts an empty batch', () => {
    expect(parseBatch([])).toEqual([]);
  });

  it('rejects a batch that is not an array', () => {
    expectBrokerError(() => parseBatch({ ...base }), 'malformed_event', /array/);
  });

  it('names the element that is wrong and keeps the original error code', () => {
    const detail = expectBrokerError(
      () => parseBatch([{ ...base }, { ...base, time: 'later' }]),
      'invalid_attribute',
      /^batch element 1: attribute "time"/,
    );
    expect(detail).toContain('RFC 3339');
  });

  it('rejects non-object elements', () => {
    expectBrokerError(() => parseBatch([{ ...base }, 'x']), 'malformed_event', /batch element 1/);
  });

  it('chains the original error as cause', () => {
    try {
      parseBatch([null]);
      expect.unreachable();
    } catch (error) {
      expect((error as BrokerError).cause).toBeInstanceOf(BrokerError);
    }
  });
});

/**
 * JSON nested deeper than 1,000 levels of arrays and objects is refused where it comes in: past a
 * few thousand, storing or delivering the value overflows the stack.
 */
describe('nesting depth of JSON read from outside', () => {
  const arrays = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
  const eventText = (data: string) =>
    `{"specversion":"1.0","id":"1","source":"/s","type":"t","data":${data}}`;
  const event = { value: JSON_EVENT_MEDIA_TYPE, label: 'header Content-Type' };
  const batch = { value: JSON_BATCH_MEDIA_TYPE, label: 'header Content-Type' };

  it('reads a structured event of 1,000 levels, its own object included, and refuses 1,001', () => {
    expect(decodeJsonEvent(utf8(eventText(arrays(999))), event).data.kind).toBe('json');
    expectBrokerError(
      () => decodeJsonEvent(utf8(eventText(arrays(1000))), event),
      'malformed_json',
      /^the body is nested deeper than 1000 levels of arrays and objects$/,
    );
  });

  it('counts the array of a batch as a level', () => {
    expect(decodeJsonBatch(utf8(`[${eventText(arrays(998))}]`), batch)).toHaveLength(1);
    expectBrokerError(
      () => decodeJsonBatch(utf8(`[${eventText(arrays(999))}]`), batch),
      'malformed_json',
      /nested deeper than 1000 levels/,
    );
  });

  it('writes JSON bytes too deep to read as data_base64, like bytes that do not parse', () => {
    expect(eventToJson(bytesEvent(utf8(arrays(1000)), 'application/json'))).toHaveProperty('data');
    const deep = eventToJson(bytesEvent(utf8(arrays(1001)), 'application/json'));
    expect(deep).not.toHaveProperty('data');
    expect(deep).toHaveProperty('data_base64');
  });
});
