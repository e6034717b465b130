/**
 * The fission sink's settings schema (the manifest schema and the reference are generated from
 * it) and its router routes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { SCHEMAS_DIR } from '../../../../broker/paths.js';
import type { JsonSchema } from '../../../../broker/ports/json-schema.js';
import { fissionSink } from '../../../../sinks/fission/index.js';
import { functionRoute, triggerRoute } from '../../../../sinks/fission/router-routes.js';

/** Validates with the manifest validator's ajv options and the shared definitions `$ref`s point at. */
function validator(schema: JsonSchema, id: string) {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  ajv.addSchema(JSON.parse(readFileSync(join(SCHEMAS_DIR, 'definitions.schema.json'), 'utf8')));
  return ajv.compile({ ...schema, $id: `https://trigger-broker.dev/schemas/${id}.json` });
}

describe('fission settings schema', () => {
  const validate = validator(fissionSink.settings, 'fission-settings');

  it('accepts the manifest examples', () => {
    expect(validate({ router: 'http://router.fission', function: 'hello' })).toBe(true);
    expect(validate({ router: 'http://router.fission', function: 'hello', namespace: 'team-a' })).toBe(true);
    expect(validate({ router: 'http://router.fission', path: '/hello' })).toBe(true);
  });

  it('rejects unknown fields and a missing router', () => {
    expect(validate({ router: 'http://router.fission', function: 'hello', method: 'PUT' })).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({
      keyword: 'additionalProperties',
      params: { additionalProperty: 'method' },
    });
    expect(validate({ function: 'hello' })).toBe(false);
  });

  it('rejects names that are not DNS-1123 labels and paths that do not start with one slash', () => {
    expect(validate({ router: 'http://r', function: 'Hello' })).toBe(false);
    expect(validate({ router: 'http://r', function: 'hello', namespace: '-x' })).toBe(false);
    for (const path of ['hello', '/', '//host/x'])
      expect(validate({ router: 'http://r', path }), path).toBe(false);
  });

  it('describes every property and gives examples that it accepts', () => {
    for (const [name, property] of Object.entries(fissionSink.settings.properties ?? {})) {
      expect(property.description, name).toBeTruthy();
      expect(property.examples?.length, name).toBeGreaterThan(0);
      const check = validator(property, `fission-${name}`);
      for (const value of property.examples ?? [])
        expect(check(value), `${name}: ${JSON.stringify(value)}`).toBe(true);
    }
    expect(fissionSink.settings.additionalProperties).toBe(false);
  });
});

describe('fission router routes', () => {
  const router = new URL('http://router.fission');

  it('leaves the default namespace out of the function route and puts any other in', () => {
    expect(functionRoute(router, 'hello', undefined).toString()).toBe(
      'http://router.fission/fission-function/hello',
    );
    expect(functionRoute(router, 'hello', 'default').pathname).toBe('/fission-function/hello');
    expect(functionRoute(router, 'hello', 'team-a').pathname).toBe('/fission-function/team-a/hello');
  });

  it('URL-encodes each segment', () => {
    expect(functionRoute(router, 'a/b', 'c d').pathname).toBe('/fission-function/c%20d/a%2Fb');
  });

  it("appends a trigger's relative URL, with its query, below the router's path and on its host", () => {
    expect(triggerRoute(new URL('http://r:8080/ingress/'), '/orders?x=1').toString()).toBe(
      'http://r:8080/ingress/orders?x=1',
    );
    expect(triggerRoute(router, '//elsewhere/x').host).toBe('router.fission');
  });
});
