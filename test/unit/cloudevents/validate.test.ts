import { describe, expect, it } from 'vitest';
import {
  type AttributeOrigin,
  JSON_VALUES,
  validateAttributes,
} from '../../../broker/cloudevents/validate.js';
import { expectBrokerError } from '../expect-broker-error.js';

/** Values as HTTP binary mode delivers them: strings, each named by its header. */
const HTTP_BINARY: AttributeOrigin = {
  strings: true,
  label: (name) => (name === 'datacontenttype' ? 'header Content-Type' : `header ce-${name}`),
};

const minimal = {
  specversion: '1.0',
  id: 'A234-1234-1234',
  source: '/mycontext',
  type: 'com.example.someevent',
};

describe('validateAttributes: required attributes', () => {
  it('accepts the four required attributes and returns them', () => {
    expect(validateAttributes({ ...minimal }, JSON_VALUES)).toEqual(minimal);
  });

  for (const name of ['id', 'source', 'specversion', 'type'] as const) {
    it(`reports a missing ${name} as missing_attribute naming it`, () => {
      const { [name]: _omitted, ...rest } = minimal;
      expectBrokerError(
        () => validateAttributes(rest, JSON_VALUES),
        'missing_attribute',
        new RegExp(`"${name}"`),
      );
    });

    it(`treats a null ${name} as absent, so it is missing`, () => {
      expectBrokerError(
        () => validateAttributes({ ...minimal, [name]: null }, JSON_VALUES),
        'missing_attribute',
        new RegExp(`"${name}"`),
      );
    });
  }

  for (const name of ['id', 'source', 'type'] as const) {
    it(`rejects an empty ${name}`, () => {
      expectBrokerError(
        () => validateAttributes({ ...minimal, [name]: '' }, JSON_VALUES),
        'invalid_attribute',
        new RegExp(`"${name}".*empty`),
      );
    });

    it(`rejects a ${name} that is a JSON number or boolean`, () => {
      expectBrokerError(
        () => validateAttributes({ ...minimal, [name]: 42 }, JSON_VALUES),
        'invalid_attribute',
        /string/,
      );
      expectBrokerError(
        () => validateAttributes({ ...minimal, [name]: true }, JSON_VALUES),
        'invalid_attribute',
        /string/,
      );
    });
  }

  it('names the header in binary-mode details', () => {
    const { id: _id, ...rest } = minimal;
    expectBrokerError(() => validateAttributes(rest, HTTP_BINARY), 'missing_attribute', /header ce-id/);
  });
});

describe('validateAttributes: specversion', () => {
  it('rejects versions other than 1.0 as unsupported_specversion', () => {
    for (const version of ['0.3', '1.0.2', '1', '2.0', '1.0 ']) {
      expectBrokerError(
        () => validateAttributes({ ...minimal, specversion: version }, JSON_VALUES),
        'unsupported_specversion',
        /specversion/,
      );
    }
  });

  it('rejects an empty specversion as unsupported', () => {
    expectBrokerError(
      () => validateAttributes({ ...minimal, specversion: '' }, JSON_VALUES),
      'unsupported_specversion',
    );
  });

  it('rejects a numeric specversion as the wrong type', () => {
    expectBrokerError(
      () => validateAttributes({ ...minimal, specversion: 1.0 }, JSON_VALUES),
      'invalid_attribute',
      /"specversion" must be a string/,
    );
  });

  it('reports the version before any other problem', () => {
    expectBrokerError(
      () => validateAttributes({ specversion: '0.3', id: 'x' }, JSON_VALUES),
      'unsupported_specversion',
    );
  });
});

describe('validateAttributes: attribute names', () => {
  it('accepts lower-case letters and digits, including names starting with a digit', () => {
    const result = validateAttributes(
      { ...minimal, comexampleextension1: 'v', '9lives': 'v', x: 'v' },
      JSON_VALUES,
    );
    expect(result).toMatchObject({ comexampleextension1: 'v', '9lives': 'v', x: 'v' });
  });

  it('accepts names longer than 20 characters (a SHOULD, not a MUST)', () => {
    const long = 'averyveryverylongextensionname';
    expect(long.length).toBeGreaterThan(20);
    expect(validateAttributes({ ...minimal, [long]: 'v' }, JSON_VALUES)[long]).toBe('v');
  });

  for (const name of [
    'Upper',
    'with-dash',
    'with_underscore',
    'with.dot',
    'ümlaut',
    '',
    'sp ace',
    '__proto__',
  ]) {
    it(`rejects the name ${JSON.stringify(name)} as invalid_extension_name`, () => {
      const attrs: Record<string, unknown> = Object.create(null);
      Object.assign(attrs, minimal);
      Object.defineProperty(attrs, name, { value: 'v', enumerable: true });
      expectBrokerError(() => validateAttributes(attrs, JSON_VALUES), 'invalid_extension_name', /a-z/);
    });
  }

  it('rejects the reserved name "data"', () => {
    expectBrokerError(
      () => validateAttributes({ ...minimal, data: 'x' }, HTTP_BINARY),
      'invalid_extension_name',
      /reserved/,
    );
  });

  it('rejects data_base64 if it ever reaches attribute validation', () => {
    expectBrokerError(
      () => validateAttributes({ ...minimal, data_base64: 'AA==' }, JSON_VALUES),
      'invalid_extension_name',
    );
  });

  it('checks the name even when the JSON value is null', () => {
    expectBrokerError(
      () => validateAttributes({ ...minimal, Bad: null }, JSON_VALUES),
      'invalid_extension_name',
    );
  });
});

describe('validateAttributes: optional core attributes', () => {
  it('accepts all optional attributes with good values', () => {
    const attrs = {
      ...minimal,
      datacontenttype: 'application/json; charset=utf-8',
      dataschema: 'https://example.com/schemas/order.json',
      subject: 'mynewfile.jpg',
      time: '2018-04-05T17:31:00Z',
    };
    expect(validateAttributes(attrs, JSON_VALUES)).toEqual(attrs);
  });

  it('drops optional attributes whose JSON value is null', () => {
    const result = validateAttributes(
      { ...minimal, subject: null, time: null, unsetextension: null },
      JSON_VALUES,
    );
    expect(result).toEqual(minimal);
    expect(Object.hasOwn(result, 'subject')).toBe(false);
  });

  it('rejects an empty subject', () => {
    expectBrokerError(
      () => validateAttributes({ ...minimal, subject: '' }, JSON_VALUES),
      'invalid_attribute',
      /"subject"/,
    );
  });

  it('rejects a subject of the wrong JSON type', () => {
    expectBrokerError(
      () => validateAttributes({ ...minimal, subject: 5 }, JSON_VALUES),
      'invalid_attribute',
      /"subject"/,
    );
  });

  it('rejects a malformed time and names it', () => {
    for (const time of ['2018-04-05', '2018-04-05 17:31:00Z', 'yesterday', '2018-02-30T00:00:00Z']) {
      expectBrokerError(
        () => validateAttributes({ ...minimal, time }, JSON_VALUES),
        'invalid_attribute',
        /"time".*RFC 3339/,
      );
    }
  });

  it('rejects a time given as a JSON number (epoch milliseconds)', () => {
    expectBrokerError(
      () => validateAttributes({ ...minimal, time: 1522949460000 }, JSON_VALUES),
      'invalid_attribute',
    );
  });

  it('accepts URI-references as source: absolute, relative, URN, mailto, and no-scheme strings', () => {
    for (const source of [
      'https://github.com/cloudevents',
      'mailto:cncf-wg-serverless@lists.cncf.io',
      'urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66',
      '/cloudevents/spec/pull/123',
      '1-555-123-4567',
      'cloudevents/spec/pull/123',
    ]) {
      expect(validateAttributes({ ...minimal, source }, JSON_VALUES).source).toBe(source);
    }
  });

  it('rejects a source that is not a URI-reference', () => {
    for (const source of ['has space', 'a"quote', 'b@d:x', '1:2', '/p%zz', 'http://[::1', '/ünicode']) {
      expectBrokerError(
        () => validateAttributes({ ...minimal, source }, JSON_VALUES),
        'invalid_attribute',
        /"source".*URI-reference/,
      );
    }
  });

  it('requires dataschema to be absolute (with a scheme), allowing a fragment', () => {
    expect(validateAttributes({ ...minimal, dataschema: 'urn:example:schema' }, JSON_VALUES).dataschema).toBe(
      'urn:example:schema',
    );
    expect(
      validateAttributes({ ...minimal, dataschema: 'https://example.com/s.json#/definitions/a' }, JSON_VALUES)
        .dataschema,
    ).toBe('https://example.com/s.json#/definitions/a');
    for (const dataschema of ['/schemas/order.json', 'order.json', '#', '']) {
      expectBrokerError(
        () => validateAttributes({ ...minimal, dataschema }, JSON_VALUES),
        'invalid_attribute',
        /"dataschema"/,
      );
    }
  });

  it('requires datacontenttype to be an RFC 2046 media type', () => {
    for (const datacontenttype of [
      'application/json',
      'TEXT/Plain; CharSet=utf-8',
      'text/plain;charset="utf-8"',
    ]) {
      expect(validateAttributes({ ...minimal, datacontenttype }, JSON_VALUES).datacontenttype).toBe(
        datacontenttype,
      );
    }
    for (const datacontenttype of [
      'json',
      'application/',
      'application/json;',
      'a b/c',
      '',
      'text/plain; charset',
    ]) {
      expectBrokerError(
        () => validateAttributes({ ...minimal, datacontenttype }, JSON_VALUES),
        'invalid_attribute',
        /"datacontenttype".*media type/,
      );
    }
  });
});

describe('validateAttributes: the String type', () => {
  it('accepts non-ASCII text and properly paired surrogates', () => {
    expect(validateAttributes({ ...minimal, subject: 'Euro € 😀 日本' }, JSON_VALUES).subject).toBe(
      'Euro € 😀 日本',
    );
  });

  const forbidden: Array<[string, string]> = [
    ['a NUL character', 'a\u0000b'],
    ['a newline', 'line1\nline2'],
    ['a DEL character', 'a\u007fb'],
    ['a C1 control character', 'a\u0085b'],
    ['the noncharacter U+FFFE', 'a\ufffeb'],
    ['the noncharacter U+FDD0', 'a\ufdd0b'],
    ['the noncharacter U+1FFFF', 'a\u{1ffff}b'],
    ['an unpaired high surrogate', 'a\ud800b'],
    ['an unpaired low surrogate', 'a\udeadb'],
    ['a trailing high surrogate', 'ab\ud83d'],
  ];
  for (const [what, value] of forbidden) {
    it(`rejects ${what} in a core attribute and in an extension`, () => {
      expectBrokerError(
        () => validateAttributes({ ...minimal, id: value }, JSON_VALUES),
        'invalid_attribute',
        /"id" contains/,
      );
      expectBrokerError(
        () => validateAttributes({ ...minimal, myext: value }, JSON_VALUES),
        'invalid_attribute',
        /"myext" contains .*U\+/,
      );
    });
  }
});

describe('validateAttributes: extension values', () => {
  it('keeps strings, booleans and integers with their JSON types', () => {
    const result = validateAttributes({ ...minimal, s: 'value', b: false, i: 5, empty: '' }, JSON_VALUES);
    expect(result).toMatchObject({ s: 'value', b: false, i: 5, empty: '' });
  });

  it('accepts the Integer range edges', () => {
    const result = validateAttributes(
      { ...minimal, min: -2147483648, max: 2147483647, zero: 0 },
      JSON_VALUES,
    );
    expect(result).toMatchObject({ min: -2147483648, max: 2147483647, zero: 0 });
  });

  it('rejects integers just outside the range', () => {
    expectBrokerError(
      () => validateAttributes({ ...minimal, big: 2147483648 }, JSON_VALUES),
      'invalid_attribute',
      /"big".*range/,
    );
    expectBrokerError(
      () => validateAttributes({ ...minimal, small: -2147483649 }, JSON_VALUES),
      'invalid_attribute',
      /"small".*range/,
    );
    expectBrokerError(
      () => validateAttributes({ ...minimal, huge: 1e21 }, JSON_VALUES),
      'invalid_attribute',
      /range/,
    );
  });

  it('rejects a number that is not an integer', () => {
    expectBrokerError(
      () => validateAttributes({ ...minimal, ratio: 1.5 }, JSON_VALUES),
      'invalid_attribute',
      /"ratio".*integer/,
    );
    expectBrokerError(
      () => validateAttributes({ ...minimal, tiny: 1e-7 }, JSON_VALUES),
      'invalid_attribute',
      /integer/,
    );
    expectBrokerError(
      () => validateAttributes({ ...minimal, nan: Number.NaN }, JSON_VALUES),
      'invalid_attribute',
    );
  });

  it('normalizes -0 to 0', () => {
    expect(Object.is(validateAttributes({ ...minimal, z: -0 }, JSON_VALUES).z, 0)).toBe(true);
  });

  it('rejects objects and arrays as extension values', () => {
    expectBrokerError(
      () => validateAttributes({ ...minimal, obj: { a: 1 } }, JSON_VALUES),
      'invalid_attribute',
      /"obj"/,
    );
    expectBrokerError(
      () => validateAttributes({ ...minimal, arr: [1] }, JSON_VALUES),
      'invalid_attribute',
      /"arr"/,
    );
  });

  it('keeps binary-mode extensions as strings, even when they look like numbers or booleans', () => {
    const result = validateAttributes(
      { ...minimal, count: '5', flag: 'true', big: '99999999999' },
      HTTP_BINARY,
    );
    expect(result).toMatchObject({ count: '5', flag: 'true', big: '99999999999' });
  });

  it('rejects non-string values in binary mode, including null', () => {
    expectBrokerError(
      () => validateAttributes({ ...minimal, count: 5 }, HTTP_BINARY),
      'invalid_attribute',
      /ce-count/,
    );
    expectBrokerError(
      () => validateAttributes({ ...minimal, nothing: null }, HTTP_BINARY),
      'invalid_attribute',
    );
  });

  it('applies the core type rules to binary-mode strings', () => {
    expectBrokerError(
      () => validateAttributes({ ...minimal, time: 'not a time' }, HTTP_BINARY),
      'invalid_attribute',
      /header ce-time/,
    );
    expectBrokerError(
      () => validateAttributes({ ...minimal, datacontenttype: 'nonsense' }, HTTP_BINARY),
      'invalid_attribute',
      /header Content-Type/,
    );
  });
});

describe('validateAttributes: the origin names the field, the model names no transport', () => {
  it('names only the attribute when the origin has no label', () => {
    const detail = expectBrokerError(
      () => validateAttributes({ ...minimal, time: 'yesterday' }, { strings: true }),
      'invalid_attribute',
    );
    expect(detail).toBe('attribute "time" must be an RFC 3339 timestamp');
  });

  it("puts the binding's own label for the field in parentheses", () => {
    const nats: AttributeOrigin = { strings: true, label: (name) => `NATS header ce-${name}` };
    expect(
      expectBrokerError(
        () => validateAttributes({ ...minimal, time: 'yesterday' }, nats),
        'invalid_attribute',
      ),
    ).toBe('attribute "time" (NATS header ce-time) must be an RFC 3339 timestamp');
    const { source: _source, ...withoutSource } = minimal;
    expect(expectBrokerError(() => validateAttributes(withoutSource, nats), 'missing_attribute')).toBe(
      'attribute "source" (NATS header ce-source) is required',
    );
  });

  it('escapes a label holding control characters, so a detail stays one line', () => {
    const detail = expectBrokerError(
      () =>
        validateAttributes({ ...minimal, 'bad\nname': 'x' }, { strings: true, label: (n) => `field ${n}` }),
      'invalid_extension_name',
    );
    expect(detail).toContain('(field bad\\nname)');
    expect(detail).not.toContain('\n');
  });

  it('treats null as unset only where values are not all strings', () => {
    expect(validateAttributes({ ...minimal, subject: null }, { strings: false })).toEqual(minimal);
    expectBrokerError(
      () => validateAttributes({ ...minimal, subject: null }, { strings: true }),
      'invalid_attribute',
      /"subject" must be a string/,
    );
  });
});

describe('validateAttributes: extensions named like members of every JavaScript object', () => {
  it('takes `constructor`, `tostring` and `valueof` as plain extensions (integers, booleans, strings)', () => {
    const attributes = { ...minimal, constructor: 5, tostring: true, valueof: 'x', hasownproperty: 7 };
    expect(validateAttributes(attributes, JSON_VALUES)).toEqual(attributes);
  });
});
