import { describe, expect, it } from 'vitest';
import { decodeBinary, decodeStructured, type MqttMessage } from '../../../broker/bindings/mqtt.js';
import { expectBrokerError } from '../expect-broker-error.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const message = (overrides: Partial<MqttMessage>): MqttMessage => ({
  topic: 't',
  payload: new Uint8Array(0),
  contentType: undefined,
  userProperties: {},
  ...overrides,
});
const required = { specversion: '1.0', id: 'm-1', source: '/mqtt', type: 't' };

describe('MQTT binding', () => {
  it('binary mode (3.1): user properties as attributes, the Content Type property as datacontenttype', () => {
    const ev = decodeBinary(
      message({
        userProperties: { ...required, Room: 'k1', datacontenttype: 'text/plain' },
        contentType: 'text/csv',
        payload: bytes('a,b'),
      }),
    );
    expect(ev.attributes).toEqual({ ...required, datacontenttype: 'text/csv' });
    expect(ev.data).toEqual({ kind: 'bytes', bytes: bytes('a,b') });
  });

  it('binary mode: names the user property in attribute details', () => {
    expectBrokerError(
      () => decodeBinary(message({ userProperties: { ...required, source: '' } })),
      'invalid_attribute',
      /^attribute "source" \(MQTT user property source\) must not be empty$/,
    );
    expectBrokerError(
      () => decodeBinary(message({ userProperties: { ...required, id: ['1', '2'] } })),
      'invalid_attribute',
      /^user property "id" occurs 2 times/,
    );
  });

  it('structured mode (3.2): implies application/cloudevents+json without a Content Type (3.2.1)', () => {
    const json = bytes(JSON.stringify({ ...required, data: { a: 1 } }));
    expect(decodeStructured(message({ payload: json })).data).toEqual({ kind: 'json', value: { a: 1 } });
    expectBrokerError(
      () =>
        decodeStructured(message({ payload: json, contentType: 'application/cloudevents+json; charset=x' })),
      'unsupported_media_type',
      /^MQTT Content Type property declares charset "x"/,
    );
  });
});
