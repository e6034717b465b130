import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { SCHEMAS_DIR } from '../../../../broker/paths.js';
import { azureFunctionsSink } from '../../../../sinks/azure/index.js';
import { buildAzure } from './fixtures.js';

const KEY = 'fk-Zm9vYmFyLXNlY3JldC1rZXk==';
const URI = 'https://orders-app.azurewebsites.net/api/on-order';

/** The manifest validator's ajv, with the shared definitions the secret reference points at. */
function settingsValidator() {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  ajv.addSchema(JSON.parse(readFileSync(join(SCHEMAS_DIR, 'definitions.schema.json'), 'utf8')));
  return ajv.compile({
    ...azureFunctionsSink.settings,
    $id: 'https://trigger-broker.dev/schemas/azure.json',
  });
}

describe('azure sink: settings', () => {
  it('documents every property with a description and examples the schema accepts', () => {
    const { settings } = azureFunctionsSink;
    expect(settings.additionalProperties).toBe(false);
    expect(settings.description).toBeTruthy();
    const validate = settingsValidator();
    for (const [name, property] of Object.entries(settings.properties ?? {})) {
      expect(property.description, name).toBeTruthy();
      expect(property.examples?.length, name).toBeGreaterThan(0);
      for (const example of property.examples ?? [])
        expect(validate({ uri: URI, [name]: example }), `${name}: ${JSON.stringify(example)}`).toBe(true);
    }
  });

  it('accepts the manifest block of the documentation and refuses unknown or missing fields', () => {
    const validate = settingsValidator();
    expect(validate({ uri: URI, functionKey: { fromEnv: 'AZ_KEY' } })).toBe(true);
    expect(validate({ uri: URI })).toBe(true); // an anonymous function
    expect(validate({ uri: URI, code: 'x' })).toBe(false);
    expect(validate({ functionKey: { fromEnv: 'AZ_KEY' } })).toBe(false);
    expect(validate({ uri: URI, functionKey: 'written-in-the-manifest' })).toBe(false);
  });

  it('reads the function key at its path and never puts it in the destination', () => {
    const built = buildAzure({ uri: URI, functionKey: { fromEnv: 'AZ_KEY' } }, { AZ_KEY: KEY });
    expect(built.problems).toEqual([]);
    expect(built.secretPaths).toEqual(['spec.sink.azure.functionKey']);
    expect(built.sink?.destination).toBe(URI);
    expect(built.sink?.destination).not.toContain(KEY);
  });

  it('builds an anonymous function without a key, and in validate mode without reading it', () => {
    expect(buildAzure({ uri: URI }).sink?.destination).toBe(URI);
    const validateMode = buildAzure({ uri: URI, functionKey: { fromEnv: 'AZ_KEY' } });
    expect(validateMode.problems).toEqual([]);
    expect(validateMode.sink).toBeDefined();
  });

  it('reports a URI that is not an http(s) URL at its path', () => {
    expect(buildAzure({ uri: 'orders-app/api/on-order' })).toMatchObject({
      sink: undefined,
      problems: [{ path: 'spec.sink.azure.uri', message: expect.stringContaining('not an absolute URL') }],
    });
    // Not even a URL: the message does not quote it, since the key may be in it.
    const schemeless = buildAzure({ uri: `orders-app.azurewebsites.net/api/f?code=${KEY}` }).problems;
    expect(schemeless).toEqual([
      { path: 'spec.sink.azure.uri', message: expect.stringContaining('not an absolute URL') },
    ]);
    expect(JSON.stringify(schemeless)).not.toContain(KEY.slice(0, 12));
    expect(buildAzure({ uri: 'ftp://orders-app.azurewebsites.net/api/f' }).problems).toEqual([
      { path: 'spec.sink.azure.uri', message: expect.stringContaining('http:// or https://') },
    ]);
  });

  it('refuses a key in the URL (the code query parameter, in any case) without repeating it', () => {
    for (const uri of [`${URI}?code=${KEY}`, `${URI}?name=x&CODE=${encodeURIComponent(KEY)}`]) {
      const built = buildAzure({ uri, functionKey: { fromEnv: 'AZ_KEY' } }, { AZ_KEY: KEY });
      expect(built.sink).toBeUndefined();
      expect(built.problems).toEqual([
        { path: 'spec.sink.azure.uri', message: expect.stringContaining('set functionKey') },
      ]);
      expect(JSON.stringify(built.problems)).not.toContain(KEY.slice(0, 12));
    }
    // Other query parameters are the function's business.
    expect(buildAzure({ uri: `${URI}?tenant=eu` }).sink?.destination).toBe(`${URI}?tenant=eu`);
  });

  it('refuses credentials in the URL without repeating them', () => {
    const built = buildAzure({ uri: `https://user:${KEY}@orders-app.azurewebsites.net/api/f` });
    expect(built.problems).toEqual([
      { path: 'spec.sink.azure.uri', message: expect.stringContaining('user name or password') },
    ]);
    expect(JSON.stringify(built.problems)).not.toContain(KEY.slice(0, 12));
  });
});
