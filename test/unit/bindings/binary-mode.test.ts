/**
 * The shared binary-mode codec under each binding's rules: which fields are attributes, where
 * datacontenttype travels, percent-encoding on or off, and how error details name a field.
 */
import { describe, expect, it } from 'vitest';
import {
  type BinaryMessage,
  type BindingField,
  type BindingRules,
  decodeBinaryMessage,
  encodeBinaryMessage,
} from '../../../broker/bindings/binary-mode.js';
import { HTTP_RULES } from '../../../broker/bindings/http.js';
import { KAFKA_RULES } from '../../../broker/bindings/kafka.js';
import { MQTT_RULES } from '../../../broker/bindings/mqtt.js';
import { NATS_RULES } from '../../../broker/bindings/nats.js';
import type { CloudEvent } from '../../../broker/cloudevents/event.js';
import { expectBrokerError } from '../expect-broker-error.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const required = { specversion: '1.0', id: 'e-1', source: '/s', type: 't' };

/** The required attributes as fields of a binding: `ce-id`, `ce_id` or `id`. */
function requiredFields(rules: BindingRules): BindingField[] {
  return Object.entries(required).map(([name, value]) => ({ name: rules.attributePrefix + name, value }));
}

function message(
  fields: BindingField[],
  options: { contentType?: string; body?: Uint8Array | null } = {},
): BinaryMessage {
  return { fields, contentType: () => options.contentType, body: options.body ?? null };
}

function decode(rules: BindingRules, extra: BindingField[], options?: Parameters<typeof message>[1]) {
  return decodeBinaryMessage(message([...requiredFields(rules), ...extra], options), rules);
}

describe('binary mode: attribute fields and data, whatever the binding', () => {
  const bindings = [HTTP_RULES, KAFKA_RULES, MQTT_RULES, NATS_RULES];

  for (const rules of bindings) {
    it(`${rules.name}: reads the attributes from ${JSON.stringify(rules.attributePrefix)}-named fields and keeps the body as it is`, () => {
      const body = new Uint8Array([0x00, 0xff, 0x10]);
      const ev = decode(rules, [{ name: `${rules.attributePrefix}region`, value: 'eu' }], { body });
      expect(ev.attributes).toEqual({ ...required, region: 'eu' });
      expect(ev.data.kind === 'bytes' && ev.data.bytes).toBe(body);
    });

    it(`${rules.name}: an empty or missing body is an event without data`, () => {
      expect(decode(rules, [], { body: new Uint8Array(0) }).data).toEqual({ kind: 'none' });
      expect(decode(rules, [], { body: null }).data).toEqual({ kind: 'none' });
    });

    it(`${rules.name}: keeps extension values as strings, even when they look like numbers`, () => {
      const ev = decode(rules, [{ name: `${rules.attributePrefix}count`, value: '5' }]);
      expect(ev.attributes['count']).toBe('5');
    });

    it(`${rules.name}: a field sent twice is refused`, () => {
      expectBrokerError(
        () => decode(rules, [{ name: `${rules.attributePrefix}id`, value: 'again' }]),
        'invalid_attribute',
        /occurs (more than once|2 times)/,
      );
    });

    if (rules.attributePrefix === '') {
      it(`${rules.name}: a field named __proto__ is the application's, and does not touch the attributes`, () => {
        const ev = decode(rules, [{ name: '__proto__', value: 'x' }]);
        expect(ev.attributes).toEqual(required);
        expect(Object.getPrototypeOf(ev.attributes)).toBe(Object.prototype);
      });
    } else {
      it(`${rules.name}: a field named ${rules.attributePrefix}__proto__ arrives as an invalid attribute, not lost`, () => {
        expectBrokerError(
          () => decode(rules, [{ name: `${rules.attributePrefix}__proto__`, value: 'x' }]),
          'invalid_extension_name',
          /"__proto__"/,
        );
      });
    }

    it(`${rules.name}: encodes and decodes back to the same event`, () => {
      const ev: CloudEvent = {
        attributes: { ...required, subject: 'Euro € "q" 100%', datacontenttype: 'text/plain', n: 7, b: true },
        data: { kind: 'bytes', bytes: bytes('hello') },
      };
      const encoded = encodeBinaryMessage(ev, rules);
      const decoded = decodeBinaryMessage(
        {
          fields: encoded.fields,
          contentType: () => encoded.contentType,
          body: encoded.body ?? null,
        },
        rules,
      );
      // Integer and Boolean extensions travel as canonical strings and stay strings.
      expect(decoded.attributes).toEqual({ ...ev.attributes, n: '7', b: 'true' });
      expect(decoded.data).toEqual(ev.data);
    });
  }
});

describe('binary mode: HTTP rules (http-binding 3.1)', () => {
  it('matches ce- header names in any letter case and lower-cases the attribute name', () => {
    const ev = decodeBinaryMessage(
      message([
        { name: 'CE-SpecVersion', value: '1.0' },
        { name: 'Ce-Id', value: '1' },
        { name: 'ce-SOURCE', value: '/s' },
        { name: 'ce-type', value: 't' },
      ]),
      HTTP_RULES,
    );
    expect(ev.attributes).toEqual({ specversion: '1.0', id: '1', source: '/s', type: 't' });
  });

  it('counts differently-cased copies of a header as a repeat', () => {
    expectBrokerError(
      () => decode(HTTP_RULES, [{ name: 'CE-ID', value: 'other' }]),
      'invalid_attribute',
      /^header ce-id occurs more than once$/,
    );
  });

  it('percent-decodes values', () => {
    const ev = decode(HTTP_RULES, [{ name: 'ce-subject', value: 'a%20b%E2%82%AC' }]);
    expect(ev.attributes.subject).toBe('a b€');
  });

  it('takes datacontenttype from Content-Type, trimmed, and refuses a ce-datacontenttype header', () => {
    expect(decode(HTTP_RULES, [], { contentType: ' text/plain ' }).attributes.datacontenttype).toBe(
      'text/plain',
    );
    expect(Object.hasOwn(decode(HTTP_RULES, [], { contentType: '' }).attributes, 'datacontenttype')).toBe(
      false,
    );
    expect(
      expectBrokerError(
        () => decode(HTTP_RULES, [{ name: 'ce-datacontenttype', value: 'text/plain' }]),
        'invalid_attribute',
      ),
    ).toBe(
      'header ce-datacontenttype must not be present in binary mode; the content type travels in Content-Type (http-binding 3.1.1)',
    );
  });

  it('labels details with the header: ce-<name>, and Content-Type for datacontenttype', () => {
    expect(
      expectBrokerError(() => decode(HTTP_RULES, [{ name: 'ce-time', value: 'noon' }]), 'invalid_attribute'),
    ).toBe('attribute "time" (header ce-time) must be an RFC 3339 timestamp');
    expect(
      expectBrokerError(() => decode(HTTP_RULES, [], { contentType: 'nonsense' }), 'invalid_attribute'),
    ).toBe(
      'attribute "datacontenttype" (header Content-Type) must be a media type such as "application/json" (RFC 2046)',
    );
    expect(
      expectBrokerError(
        () => decode(HTTP_RULES, [{ name: 'ce-subject', value: 'a\u0001b' }]),
        'invalid_attribute',
      ),
    ).toMatch(/^header ce-subject contains the control character U\+0001/);
  });

  it('encodes attributes as percent-encoded ce- fields and datacontenttype as the content type', () => {
    const encoded = encodeBinaryMessage(
      { attributes: { ...required, subject: 'a b', datacontenttype: 'text/plain' }, data: { kind: 'none' } },
      HTTP_RULES,
    );
    expect(encoded.fields).toEqual([
      { name: 'ce-specversion', value: '1.0' },
      { name: 'ce-id', value: 'e-1' },
      { name: 'ce-source', value: '/s' },
      { name: 'ce-type', value: 't' },
      { name: 'ce-subject', value: 'a%20b' },
    ]);
    expect(encoded.contentType).toBe('text/plain');
    expect(encoded.body).toBeUndefined();
  });

  it('labels JSON data without a content type application/json', () => {
    const encoded = encodeBinaryMessage(
      { attributes: required, data: { kind: 'json', value: { a: 1 } } },
      HTTP_RULES,
    );
    expect(encoded.contentType).toBe('application/json');
    expect(new TextDecoder().decode(encoded.body)).toBe('{"a":1}');
  });
});

describe('binary mode: Kafka rules (kafka-binding 3.2)', () => {
  it('takes ce_ names exactly: CE_id is not an attribute, ce_Region is an invalid one', () => {
    const ev = decode(KAFKA_RULES, [{ name: 'CE_id', value: 'ignored' }]);
    expect(ev.attributes.id).toBe('e-1');
    expect(
      expectBrokerError(
        () => decode(KAFKA_RULES, [{ name: 'ce_Region', value: 'eu' }]),
        'invalid_extension_name',
      ),
    ).toMatch(/^attribute "Region" \(Kafka header ce_Region\): /);
  });

  it('reads header bytes as strict UTF-8 and refuses a header without a value', () => {
    const ev = decode(KAFKA_RULES, [{ name: 'ce_region', value: bytes('Zürich') }]);
    expect(ev.attributes['region']).toBe('Zürich');
    expect(
      expectBrokerError(
        () => decode(KAFKA_RULES, [{ name: 'ce_region', value: new Uint8Array([0xff, 0xfe]) }]),
        'invalid_attribute',
      ),
    ).toBe(
      'Kafka header ce_region is not valid UTF-8 (kafka binding 3.2.3: header values are UTF-8 strings)',
    );
    expect(
      expectBrokerError(() => decode(KAFKA_RULES, [{ name: 'ce_region', value: null }]), 'invalid_attribute'),
    ).toBe('Kafka header ce_region has no value');
  });

  it('does not percent-decode', () => {
    expect(decode(KAFKA_RULES, [{ name: 'ce_subject', value: 'a%20b' }]).attributes.subject).toBe('a%20b');
  });

  it('takes datacontenttype from content-type, from ce_datacontenttype without one, and refuses the two disagreeing', () => {
    expect(decode(KAFKA_RULES, [], { contentType: 'text/csv' }).attributes.datacontenttype).toBe('text/csv');
    expect(
      decode(KAFKA_RULES, [{ name: 'ce_datacontenttype', value: 'text/plain' }]).attributes.datacontenttype,
    ).toBe('text/plain');
    expect(
      decode(KAFKA_RULES, [{ name: 'ce_datacontenttype', value: 'text/plain' }], {
        contentType: 'text/plain',
      }).attributes.datacontenttype,
    ).toBe('text/plain');
    expect(
      expectBrokerError(
        () =>
          decode(KAFKA_RULES, [{ name: 'ce_datacontenttype', value: 'text/plain' }], {
            contentType: 'text/csv',
          }),
        'invalid_attribute',
      ),
    ).toBe(
      'Kafka header content-type and Kafka header ce_datacontenttype disagree; the content type travels in content-type (kafka binding 3.2.1)',
    );
  });

  it('labels details with the Kafka header the value came from', () => {
    expect(
      expectBrokerError(() => decode(KAFKA_RULES, [{ name: 'ce_time', value: 'noon' }]), 'invalid_attribute'),
    ).toBe('attribute "time" (Kafka header ce_time) must be an RFC 3339 timestamp');
    expect(
      expectBrokerError(() => decode(KAFKA_RULES, [], { contentType: 'nonsense' }), 'invalid_attribute'),
    ).toMatch(/^attribute "datacontenttype" \(Kafka header content-type\) must be a media type/);
    expect(
      expectBrokerError(
        () => decode(KAFKA_RULES, [{ name: 'ce_datacontenttype', value: 'nonsense' }]),
        'invalid_attribute',
      ),
    ).toMatch(/^attribute "datacontenttype" \(Kafka header ce_datacontenttype\) must be a media type/);
    expect(
      expectBrokerError(
        () => decodeBinaryMessage(message(requiredFields(KAFKA_RULES).slice(0, 3)), KAFKA_RULES),
        'missing_attribute',
      ),
    ).toBe('attribute "type" (Kafka header ce_type) is required');
  });

  it('encodes ce_ fields with the canonical strings as they are', () => {
    const encoded = encodeBinaryMessage(
      { attributes: { ...required, subject: 'a b', datacontenttype: 'text/plain' }, data: { kind: 'none' } },
      KAFKA_RULES,
    );
    expect(encoded.fields.map((f) => f.name)).toEqual([
      'ce_specversion',
      'ce_id',
      'ce_source',
      'ce_type',
      'ce_subject',
    ]);
    expect(encoded.fields.at(-1)?.value).toBe('a b');
    expect(encoded.contentType).toBe('text/plain');
  });
});

describe('binary mode: MQTT rules (mqtt-binding 3.1)', () => {
  it('reads user properties named like attributes and leaves the application its own', () => {
    const ev = decode(MQTT_RULES, [
      { name: 'Room', value: 'k1' },
      { name: 'trace-id', value: 'abc' },
      { name: 'region', value: 'eu' },
    ]);
    expect(ev.attributes).toEqual({ ...required, region: 'eu' });
  });

  it('does not percent-decode', () => {
    expect(decode(MQTT_RULES, [{ name: 'subject', value: 'a%20b' }]).attributes.subject).toBe('a%20b');
  });

  it('takes the Content Type property over a datacontenttype user property, and that one without it', () => {
    expect(
      decode(MQTT_RULES, [{ name: 'datacontenttype', value: 'text/plain' }], { contentType: 'text/csv' })
        .attributes.datacontenttype,
    ).toBe('text/csv');
    expect(
      decode(MQTT_RULES, [{ name: 'datacontenttype', value: 'text/plain' }]).attributes.datacontenttype,
    ).toBe('text/plain');
  });

  it('labels details with the user property or the Content Type property', () => {
    expect(
      expectBrokerError(() => decode(MQTT_RULES, [{ name: 'time', value: 'noon' }]), 'invalid_attribute'),
    ).toBe('attribute "time" (MQTT user property time) must be an RFC 3339 timestamp');
    expect(
      expectBrokerError(() => decode(MQTT_RULES, [], { contentType: 'nonsense' }), 'invalid_attribute'),
    ).toMatch(/^attribute "datacontenttype" \(MQTT Content Type property\) must be a media type/);
  });

  it('keeps its own wording for a repeated user property', () => {
    expect(
      expectBrokerError(() => decode(MQTT_RULES, [{ name: 'id', value: 'again' }]), 'invalid_attribute'),
    ).toBe('user property "id" occurs 2 times; a CloudEvents attribute occurs at most once');
  });

  it('encodes attributes under their own names, datacontenttype as the Content Type', () => {
    const encoded = encodeBinaryMessage(
      {
        attributes: { ...required, datacontenttype: 'text/plain' },
        data: { kind: 'bytes', bytes: bytes('x') },
      },
      MQTT_RULES,
    );
    expect(encoded.fields.map((f) => f.name)).toEqual(['specversion', 'id', 'source', 'type']);
    expect(encoded.contentType).toBe('text/plain');
  });
});

describe('binary mode: NATS rules (nats-binding 3.1)', () => {
  it('reads datacontenttype from ce-datacontenttype, percent-decoded, without reading Content-Type', () => {
    const ev = decodeBinaryMessage(
      {
        fields: [
          ...requiredFields(NATS_RULES),
          { name: 'ce-datacontenttype', value: 'text/plain;%20charset=utf-8' },
        ],
        contentType: () => {
          throw new Error('Content-Type must not be read when ce-datacontenttype is there');
        },
        body: null,
      },
      NATS_RULES,
    );
    expect(ev.attributes.datacontenttype).toBe('text/plain; charset=utf-8');
  });

  it('falls back to Content-Type without ce-datacontenttype', () => {
    expect(decode(NATS_RULES, [], { contentType: ' application/json ' }).attributes.datacontenttype).toBe(
      'application/json',
    );
  });

  it('labels details with the NATS header', () => {
    expect(
      expectBrokerError(() => decode(NATS_RULES, [{ name: 'ce-time', value: 'noon' }]), 'invalid_attribute'),
    ).toBe('attribute "time" (NATS header ce-time) must be an RFC 3339 timestamp');
    expect(
      expectBrokerError(() => decode(NATS_RULES, [], { contentType: 'nonsense' }), 'invalid_attribute'),
    ).toMatch(/^attribute "datacontenttype" \(NATS header Content-Type\) must be a media type/);
    expect(
      expectBrokerError(
        () => decode(NATS_RULES, [{ name: 'ce-datacontenttype', value: 'nonsense' }]),
        'invalid_attribute',
      ),
    ).toMatch(/^attribute "datacontenttype" \(NATS header ce-datacontenttype\) must be a media type/);
    expect(
      expectBrokerError(
        () =>
          decodeBinaryMessage(
            message(requiredFields(NATS_RULES).filter((f) => f.name !== 'ce-source')),
            NATS_RULES,
          ),
        'missing_attribute',
      ),
    ).toBe('attribute "source" (NATS header ce-source) is required');
    expect(
      expectBrokerError(() => decode(NATS_RULES, [{ name: 'ce-id', value: 'again' }]), 'invalid_attribute'),
    ).toBe('NATS header ce-id occurs more than once');
  });

  it('keeps its own wording for a value that does not decode', () => {
    expect(
      expectBrokerError(
        () => decode(NATS_RULES, [{ name: 'ce-subject', value: 'x\u0007' }]),
        'invalid_attribute',
      ),
    ).toBe('header ce-subject contains the control character U+0007 at position 1');
  });

  it('encodes datacontenttype as a ce- field like any attribute, the implied JSON type too', () => {
    const declared = encodeBinaryMessage(
      { attributes: { ...required, datacontenttype: 'text/plain; charset=utf-8' }, data: { kind: 'none' } },
      NATS_RULES,
    );
    expect(declared.fields.at(-1)).toEqual({
      name: 'ce-datacontenttype',
      value: 'text/plain;%20charset=utf-8',
    });
    expect(declared.contentType).toBeUndefined();
    const implied = encodeBinaryMessage(
      { attributes: required, data: { kind: 'json', value: [1] } },
      NATS_RULES,
    );
    expect(implied.fields.at(-1)).toEqual({ name: 'ce-datacontenttype', value: 'application/json' });
    expect(implied.contentType).toBeUndefined();
  });
});

describe('binary mode: each rule on its own', () => {
  it('percent-encoding on or off decides how the same value reads and is written', () => {
    const on: BindingRules = { ...KAFKA_RULES, percentEncoding: true };
    expect(decode(on, [{ name: 'ce_subject', value: 'a%20b' }]).attributes.subject).toBe('a b');
    expect(decode(KAFKA_RULES, [{ name: 'ce_subject', value: 'a%20b' }]).attributes.subject).toBe('a%20b');
    const ev: CloudEvent = { attributes: { ...required, subject: 'a b' }, data: { kind: 'none' } };
    expect(encodeBinaryMessage(ev, on).fields.at(-1)?.value).toBe('a%20b');
    expect(encodeBinaryMessage(ev, KAFKA_RULES).fields.at(-1)?.value).toBe('a b');
  });

  it('letter case of names matters only where the rules say names are case-insensitive', () => {
    const exact: BindingRules = { ...NATS_RULES, caseInsensitiveNames: false };
    expect(decode(exact, [{ name: 'CE-Region', value: 'eu' }]).attributes).toEqual(required);
    expect(decode(NATS_RULES, [{ name: 'CE-Region', value: 'eu' }]).attributes).toEqual({
      ...required,
      region: 'eu',
    });
  });

  it('the field label is the one the rules give', () => {
    const custom: BindingRules = { ...KAFKA_RULES, fieldLabel: (field) => `field <${field}>` };
    expect(
      expectBrokerError(() => decode(custom, [{ name: 'ce_time', value: 'noon' }]), 'invalid_attribute'),
    ).toBe('attribute "time" (field <ce_time>) must be an RFC 3339 timestamp');
  });
});
