import { describe, expect, it } from 'vitest';
import { classifyNatsMessage, decodeNatsBindingMessage } from '../../../broker/bindings/nats.js';
import { expectBrokerError } from '../expect-broker-error.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const binary = { 'ce-specversion': '1.0', 'ce-id': 'n-1', 'ce-source': '/nats', 'ce-type': 't' };

describe('classifyNatsMessage (nats-binding 3)', () => {
  it('tells structured, binary and raw messages apart', () => {
    expect(classifyNatsMessage({ 'content-type': 'Application/CloudEvents+JSON' })).toBe('structured');
    expect(classifyNatsMessage(binary)).toBe('binary');
    expect(classifyNatsMessage({ 'content-type': 'application/json' })).toBe('none');
  });

  it('refuses batches (no batched mode, 1.3) and formats other than JSON', () => {
    expectBrokerError(
      () => classifyNatsMessage({ 'content-type': 'application/cloudevents-batch+json' }),
      'unsupported_media_type',
      /no batched content mode/,
    );
    expectBrokerError(
      () => classifyNatsMessage({ 'content-type': 'application/cloudevents+xml' }),
      'unsupported_media_type',
    );
  });

  it('names a repeated header as a NATS header', () => {
    expectBrokerError(
      () => classifyNatsMessage({ ...binary, 'ce-specversion': ['1.0', '1.0'] }),
      'invalid_attribute',
      /^NATS header ce-specversion occurs more than once$/,
    );
  });
});

describe('decodeNatsBindingMessage', () => {
  it('reads binary mode with ce-datacontenttype (3.1.3.1) and the payload as the data', () => {
    const ev = decodeNatsBindingMessage(
      'binary',
      { ...binary, 'ce-datacontenttype': 'text/plain', 'content-type': 'text/csv' },
      bytes('hi'),
    );
    expect(ev.attributes).toEqual({
      specversion: '1.0',
      id: 'n-1',
      source: '/nats',
      type: 't',
      datacontenttype: 'text/plain',
    });
    expect(ev.data).toEqual({ kind: 'bytes', bytes: bytes('hi') });
  });

  it('reads structured mode with the JSON event format, naming the NATS header on a bad charset', () => {
    const json = JSON.stringify({ specversion: '1.0', id: 's', source: '/s', type: 't', data: 1 });
    const ev = decodeNatsBindingMessage(
      'structured',
      { 'content-type': 'application/cloudevents+json' },
      bytes(json),
    );
    expect(ev.data).toEqual({ kind: 'json', value: 1 });
    expectBrokerError(
      () =>
        decodeNatsBindingMessage(
          'structured',
          { 'content-type': 'application/cloudevents+json; charset=latin1' },
          bytes(json),
        ),
      'unsupported_media_type',
      /^NATS header Content-Type declares charset "latin1"/,
    );
  });
});
