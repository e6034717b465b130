import { describe, expect, it } from 'vitest';
import {
  contentModeOf,
  decodeBinary,
  decodeStructured,
  type MqttMessage,
} from '../../../broker/bindings/mqtt.js';
import { brokerError, dataText, message } from '../connectors/mqtt/fixtures.js';

describe('mqtt binding (mqtt-binding.md)', () => {
  it('reads binary mode from user properties, datacontenttype from Content Type (3.1)', () => {
    const event = decodeBinary(
      message({
        payload: Buffer.from('{"t":21.5}'),
        contentType: 'application/json; charset=utf-8',
        userProperties: {
          specversion: '1.0',
          type: 'com.example.reading',
          source: '/devices/7',
          id: 'r-1',
          time: '2026-01-02T03:04:05Z',
          site: 'north',
          'X-App-Header': 'not an attribute',
        },
      }),
    );
    expect(event.attributes).toEqual({
      specversion: '1.0',
      type: 'com.example.reading',
      source: '/devices/7',
      id: 'r-1',
      time: '2026-01-02T03:04:05Z',
      site: 'north',
      datacontenttype: 'application/json; charset=utf-8',
    });
    expect(dataText(event)).toBe('{"t":21.5}');
  });

  it('tells the content modes apart', () => {
    const mapped = { mapped: true };
    expect(contentModeOf(message({ contentType: 'application/cloudevents+json' }), mapped).mode).toBe(
      'structured',
    );
    expect(
      contentModeOf(message({ contentType: 'Application/CloudEvents+JSON; charset=UTF-8' }), mapped).mode,
    ).toBe('structured');
    expect(contentModeOf(message({ userProperties: { specversion: '1.0' } }), mapped).mode).toBe('binary');
    // No Content Type: MQTT 3.1.1 style, structured when the payload is a JSON event...
    expect(contentModeOf(message({ payload: Buffer.from('{"specversion":"1.0"}') }), mapped).mode).toBe(
      'structured',
    );
    // ...raw data otherwise, and always structured for a Source without a mapping (3.2.1).
    expect(contentModeOf(message({ payload: Buffer.from('{"deviceId":1}') }), mapped)).toEqual({
      mode: 'raw',
      body: { deviceId: 1 },
      json: true,
    });
    expect(contentModeOf(message({ payload: Buffer.from('{"deviceId":1}') }), { mapped: false }).mode).toBe(
      'structured',
    );
    expect(contentModeOf(message({ payload: Buffer.from('21.5 C') }), mapped)).toEqual({
      mode: 'raw',
      body: '21.5 C',
      json: false,
    });
    expect(
      contentModeOf(
        message({ contentType: 'application/json', payload: Buffer.from('{"specversion":"1.0"}') }),
        mapped,
      ).mode,
    ).toBe('raw');
  });

  it('refuses CloudEvents formats other than JSON, and batches (the binding has no batch mode)', () => {
    for (const contentType of ['application/cloudevents+avro', 'application/cloudevents-batch+json']) {
      expect(brokerError(() => contentModeOf(message({ contentType }), { mapped: true })).code).toBe(
        'unsupported_media_type',
      );
    }
  });

  it('refuses what cannot be a CloudEvent: bad specversion, bad JSON, repeated attribute, non-UTF-8 property', () => {
    const binary = (userProperties: MqttMessage['userProperties']) =>
      decodeBinary(message({ userProperties: { type: 't', source: '/s', id: '1', ...userProperties } }));
    expect(brokerError(() => binary({ specversion: '0.3' })).code).toBe('unsupported_specversion');
    expect(brokerError(() => binary({ specversion: '1.0', type: ['a', 'b'] })).detail).toMatch(
      /occurs 2 times/,
    );
    expect(brokerError(() => binary({ specversion: '1.0', time: 'yesterday' })).code).toBe(
      'invalid_attribute',
    );
    expect(
      brokerError(() =>
        decodeStructured(
          message({ contentType: 'application/cloudevents+json', payload: Buffer.from('{"spec') }),
        ),
      ).code,
    ).toBe('malformed_json');
    // mqtt.js turns an invalid UTF-8 byte into U+FFFD, the only trace of it.
    expect(
      brokerError(() =>
        contentModeOf(message({ userProperties: { specversion: '1.0', note: 'a\ufffdb' } }), {
          mapped: true,
        }),
      ).detail,
    ).toMatch(/user property "note" is not valid UTF-8/);
  });
});
