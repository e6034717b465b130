// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are ce templates of the manifest language, not JavaScript template literals
import { describe, expect, it } from 'vitest';
import { compileMqttEventReader } from '../../../../connectors/mqtt/message-to-event.js';
import { brokerError, dataText, message } from './fixtures.js';

describe('mqtt binding (mqtt-binding.md)', () => {
  it('maps raw messages with topic levels, user properties and body', () => {
    const read = compileMqttEventReader(
      {
        type: 'com.example.${topic[2]}',
        source: '/devices/${topic[1]}',
        subject: '${userProperties.Room}',
        id: '${body.seq}',
        extensions: { site: '${headers.room}' },
      },
      ['spec', 'ce'],
      () => {
        throw new Error('no problem expected');
      },
    );
    const event = read(
      message({
        topic: 'sensors/kitchen/temperature',
        payload: Buffer.from('{"seq":42,"c":21}'),
        contentType: 'application/json',
        userProperties: { Room: 'k1' },
      }),
    );
    expect(event.attributes).toMatchObject({
      specversion: '1.0',
      type: 'com.example.temperature',
      source: '/devices/kitchen',
      subject: 'k1',
      id: '42',
      site: 'k1',
      datacontenttype: 'application/json',
    });
    expect(dataText(event)).toBe('{"seq":42,"c":21}');
  });

  it('a Source without ce takes CloudEvents only', () => {
    const read = compileMqttEventReader(undefined, ['spec', 'ce'], () => undefined);
    expect(
      brokerError(() => read(message({ contentType: 'text/plain', payload: Buffer.from('hi') }))).code,
    ).toBe('malformed_event');
    expect(brokerError(() => read(message({ payload: Buffer.from('hi') }))).code).toBe('malformed_json');
  });

  it('refuses a payload whose JSON nests deeper than 1,000 levels, raw or structured', () => {
    const read = compileMqttEventReader(
      { type: 't', source: '/s', id: '${body.id}' },
      ['spec', 'ce'],
      () => undefined,
    );
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const raw = brokerError(() =>
      read(message({ contentType: 'application/json', payload: Buffer.from(deep) })),
    );
    expect([raw.code, raw.detail]).toEqual([
      'malformed_json',
      'the payload is nested deeper than 1000 levels of arrays and objects',
    ]);
    const structured = brokerError(() =>
      read(
        message({
          contentType: 'application/cloudevents+json',
          payload: Buffer.from(`{"specversion":"1.0","id":"1","source":"/s","type":"t","data":${deep}}`),
        }),
      ),
    );
    expect([structured.code, structured.detail]).toEqual([
      'malformed_json',
      'the body is nested deeper than 1000 levels of arrays and objects',
    ]);
  });
});
