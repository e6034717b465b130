/**
 * Interoperability with an independent implementation: the `cloudevents` npm SDK (v10) produces
 * messages and decodeHttpMessage has to read them. Binary-mode values stay ASCII because the SDK
 * does not percent-encode headers (http-binding 3.1.3.2).
 */
import { HTTP, type Message, CloudEvent as SdkCloudEvent } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import {
  decodeHttpMessage,
  encodeBinary,
  encodeStructured,
  type HttpHeaders,
} from '../../../broker/bindings/http.js';
import type { CloudEvent } from '../../../broker/cloudevents/event.js';

/** Turns an SDK message into what a Node HTTP server would hand over: string headers and bytes. */
function asReceived(message: Message): { headers: HttpHeaders; body: Uint8Array } {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = String(value);
  }
  const { body } = message;
  let bytes: Uint8Array;
  if (body === undefined || body === null) bytes = new Uint8Array(0);
  else if (typeof body === 'string') bytes = new TextEncoder().encode(body);
  else if (body instanceof Uint8Array) bytes = body;
  else throw new Error(`unexpected SDK body type ${typeof body}`);
  return { headers, body: bytes };
}

function decodeSingle(message: Message): { mode: string; event: CloudEvent } {
  const { headers, body } = asReceived(message);
  const decoded = decodeHttpMessage(headers, body);
  expect(decoded.events).toHaveLength(1);
  return { mode: decoded.mode, event: decoded.events[0]! };
}

const common = {
  id: 'sdk-1',
  source: 'https://example.com/sdk',
  type: 'com.example.sdk.tested',
  subject: 'orders/42',
  time: '2024-02-29T12:34:56.789Z',
  dataschema: 'https://example.com/schemas/order.json',
};

describe('events produced by the cloudevents SDK', () => {
  it('reads a structured JSON event with extensions', () => {
    const sdkEvent = new SdkCloudEvent({
      ...common,
      datacontenttype: 'application/json',
      data: { order: 42, items: ['a', 'b'] },
      myext: 'value',
      count: 7,
      flag: true,
    });
    const { mode, event } = decodeSingle(HTTP.structured(sdkEvent));
    expect(mode).toBe('structured');
    expect(event.attributes).toEqual({
      ...common,
      specversion: '1.0',
      datacontenttype: 'application/json',
      myext: 'value',
      count: 7,
      flag: true,
    });
    expect(event.data).toEqual({ kind: 'json', value: { order: 42, items: ['a', 'b'] } });
  });

  it('reads a binary-mode JSON event, with extensions as header strings', () => {
    const sdkEvent = new SdkCloudEvent({
      ...common,
      datacontenttype: 'application/json',
      data: { order: 42 },
      myext: 'value',
      count: 7,
      flag: true,
    });
    const { mode, event } = decodeSingle(HTTP.binary(sdkEvent));
    expect(mode).toBe('binary');
    expect(event.attributes).toMatchObject({ ...common, myext: 'value', count: '7', flag: 'true' });
    expect(event.data.kind).toBe('bytes');
    expect(event.data.kind === 'bytes' && JSON.parse(new TextDecoder().decode(event.data.bytes))).toEqual({
      order: 42,
    });
  });

  it('reads binary data byte-identically in both modes', () => {
    const bytes = new Uint8Array([0, 255, 1, 128, 127, 10, 13]);
    const sdkEvent = new SdkCloudEvent({
      ...common,
      datacontenttype: 'application/octet-stream',
      data: bytes,
    });

    const binary = decodeSingle(HTTP.binary(sdkEvent));
    expect(binary.event.data).toEqual({ kind: 'bytes', bytes });

    const structured = decodeSingle(HTTP.structured(sdkEvent));
    expect(structured.event.data).toEqual({ kind: 'bytes', bytes });
    expect(structured.event.attributes.datacontenttype).toBe('application/octet-stream');
  });

  it('reads text data in both modes', () => {
    const sdkEvent = new SdkCloudEvent({ ...common, datacontenttype: 'text/plain', data: 'hello, world' });
    const binary = decodeSingle(HTTP.binary(sdkEvent));
    expect(binary.event.data).toEqual({ kind: 'bytes', bytes: new TextEncoder().encode('hello, world') });
    const structured = decodeSingle(HTTP.structured(sdkEvent));
    expect(structured.event.data).toEqual({ kind: 'json', value: 'hello, world' });
  });

  it('reads an event without data in both modes', () => {
    const sdkEvent = new SdkCloudEvent({ ...common });
    expect(decodeSingle(HTTP.binary(sdkEvent)).event.data).toEqual({ kind: 'none' });
    expect(decodeSingle(HTTP.structured(sdkEvent)).event.data).toEqual({ kind: 'none' });
  });

  it('reads a batch of SDK events', () => {
    const first = new SdkCloudEvent({ ...common, id: 'b-1', data: { n: 1 } });
    const second = new SdkCloudEvent({ ...common, id: 'b-2', datacontenttype: 'text/plain', data: 'two' });
    const { headers, body } = asReceived({
      headers: { 'content-type': 'application/cloudevents-batch+json; charset=utf-8' },
      body: JSON.stringify([first, second]),
    });
    const decoded = decodeHttpMessage(headers, body);
    expect(decoded.mode).toBe('batch');
    expect(decoded.events.map((event) => event.attributes.id)).toEqual(['b-1', 'b-2']);
  });
});

describe('events produced by the broker, read by the SDK', () => {
  const ours: CloudEvent = {
    attributes: { ...common, specversion: '1.0', datacontenttype: 'application/json', myext: 'value' },
    data: { kind: 'json', value: { order: 42 } },
  };

  it('are readable in structured mode', () => {
    const message = encodeStructured(ours);
    expect(message.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
    // The SDK picks its parser by the exact Content-Type string and only knows "charset=utf-8"
    // in lower case, although parameter values like charset are case-insensitive (RFC 2046 1).
    const headers = { 'content-type': 'application/cloudevents+json; charset=utf-8' };
    const sdkEvent = HTTP.toEvent({ headers, body: message.body }) as SdkCloudEvent;
    expect(sdkEvent.id).toBe('sdk-1');
    expect(sdkEvent.myext).toBe('value');
    expect(sdkEvent.data).toEqual({ order: 42 });
  });

  it('are readable in binary mode (ASCII values)', () => {
    const message = encodeBinary(ours);
    // The SDK parses JSON only from string bodies, so the bytes are handed over as their text.
    const body = new TextDecoder().decode(message.body);
    const sdkEvent = HTTP.toEvent({ headers: message.headers, body }) as SdkCloudEvent;
    expect(sdkEvent.subject).toBe('orders/42');
    expect(sdkEvent.myext).toBe('value');
    expect(sdkEvent.data).toEqual({ order: 42 });
  });
});
