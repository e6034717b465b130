/**
 * The openfaas sink's settings schema (the manifest schema and the reference are generated from
 * it) and its gateway routes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { SCHEMAS_DIR } from '../../../../broker/paths.js';
import type { JsonSchema } from '../../../../broker/ports/json-schema.js';
import { functionRoute } from '../../../../sinks/openfaas/gateway-routes.js';
import { openFaasSink } from '../../../../sinks/openfaas/index.js';

/** Validates with the manifest validator's ajv options and the shared definitions `$ref`s point at. */
function validator(schema: JsonSchema, id: string) {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  ajv.addSchema(JSON.parse(readFileSync(join(SCHEMAS_DIR, 'definitions.schema.json'), 'utf8')));
  return ajv.compile({ ...schema, $id: `https://trigger-broker.dev/schemas/${id}.json` });
}

describe('openfaas settings schema', () => {
  const validate = validator(openFaasSink.settings, 'openfaas-settings');
  const example = {
    gateway: 'http://gw:8080',
    function: 'resize',
    async: false,
    callbackUrl: null,
    basicAuth: { username: 'admin', password: { fromEnv: 'OF_PASS' } },
  };

  it('accepts the manifest example and the smallest block', () => {
    expect(validate(example)).toBe(true);
    expect(validate({ gateway: 'http://gw:8080', function: 'resize.staging' })).toBe(true);
  });

  it('rejects unknown fields, at the top and inside basicAuth', () => {
    expect(validate({ ...example, namespace: 'x' })).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({
      keyword: 'additionalProperties',
      params: { additionalProperty: 'namespace' },
    });
    expect(validate({ ...example, basicAuth: { ...example.basicAuth, token: 'x' } })).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({
      instancePath: '/basicAuth',
      keyword: 'additionalProperties',
    });
  });

  it('rejects a password written in the manifest instead of a secret reference', () => {
    expect(validate({ ...example, basicAuth: { username: 'admin', password: 'hunter2' } })).toBe(false);
  });

  it('describes every property and gives examples that it accepts', () => {
    const properties = openFaasSink.settings.properties ?? {};
    const nested = properties['basicAuth']?.properties ?? {};
    for (const [name, property] of [...Object.entries(properties), ...Object.entries(nested)]) {
      expect(property.description, name).toBeTruthy();
      expect(property.examples?.length, name).toBeGreaterThan(0);
      const check = validator(property, `openfaas-${name}`);
      for (const value of [
        ...(property.examples ?? []),
        ...('default' in property ? [property.default] : []),
      ])
        expect(check(value), `${name}: ${JSON.stringify(value)}`).toBe(true);
    }
    expect(openFaasSink.settings.additionalProperties).toBe(false);
  });
});

describe('openfaas gateway routes', () => {
  const gateway = new URL('http://gw:8080');

  it('names the sync and async routes, the function (with its namespace) as one segment', () => {
    expect(functionRoute(gateway, 'resize', false).toString()).toBe('http://gw:8080/function/resize');
    expect(functionRoute(gateway, 'resize.staging', true).toString()).toBe(
      'http://gw:8080/async-function/resize.staging',
    );
  });

  it('URL-encodes the function segment, so no name can reach another route', () => {
    expect(functionRoute(gateway, '../system/functions', false).pathname).toBe(
      '/function/..%2Fsystem%2Ffunctions',
    );
  });

  it("keeps a gateway URL's path prefix", () => {
    expect(functionRoute(new URL('https://h/openfaas///'), 'f', false).toString()).toBe(
      'https://h/openfaas/function/f',
    );
  });
});
