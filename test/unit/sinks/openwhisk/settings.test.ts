import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { SCHEMAS_DIR } from '../../../../broker/paths.js';
import { openWhiskSink } from '../../../../sinks/openwhisk/index.js';
import { buildOpenWhisk } from './fixtures.js';

const AUTH =
  '23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP';
const SECRET_PART = AUTH.slice(AUTH.indexOf(':') + 1);
const BLOCK = {
  apiHost: 'https://wsk.example',
  namespace: '_',
  action: 'hello',
  blocking: true,
  auth: { fromEnv: 'WSK_AUTH' },
};

/** The manifest validator's ajv, with the shared definitions the secret reference points at. */
function settingsValidator() {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  ajv.addSchema(JSON.parse(readFileSync(join(SCHEMAS_DIR, 'definitions.schema.json'), 'utf8')));
  return ajv.compile({ ...openWhiskSink.settings, $id: 'https://trigger-broker.dev/schemas/openwhisk.json' });
}

const problemsOf = (spec: Record<string, unknown>, auth = AUTH) =>
  buildOpenWhisk({ ...BLOCK, ...spec }, { WSK_AUTH: auth }).problems;

describe('openwhisk sink: settings', () => {
  it('documents every property with a description and examples (and a default) the schema accepts', () => {
    const { settings } = openWhiskSink;
    expect(settings.additionalProperties).toBe(false);
    expect(settings.description).toBeTruthy();
    const validate = settingsValidator();
    for (const [name, property] of Object.entries(settings.properties ?? {})) {
      expect(property.description, name).toBeTruthy();
      expect(property.examples?.length, name).toBeGreaterThan(0);
      const values = [...(property.examples ?? []), ...('default' in property ? [property.default] : [])];
      for (const value of values)
        expect(validate({ ...BLOCK, [name]: value }), `${name}: ${JSON.stringify(value)}`).toBe(true);
    }
  });

  it('accepts the manifest block of the documentation and refuses unknown or missing fields', () => {
    const validate = settingsValidator();
    expect(validate(BLOCK)).toBe(true);
    expect(validate({ apiHost: BLOCK.apiHost, action: 'hello', auth: BLOCK.auth })).toBe(true);
    expect(validate({ ...BLOCK, result: true })).toBe(false);
    expect(validate({ ...BLOCK, auth: AUTH })).toBe(false); // a key written in the manifest
    const { auth: _auth, ...withoutAuth } = BLOCK;
    expect(validate(withoutAuth)).toBe(false);
  });

  it('reads the key at its path; the destination is the action resource, without query or key', () => {
    const built = buildOpenWhisk({ ...BLOCK, action: 'orders/on-created' }, { WSK_AUTH: AUTH });
    expect(built.problems).toEqual([]);
    expect(built.secretPaths).toEqual(['spec.sink.openwhisk.auth']);
    expect(built.sink?.destination).toBe('https://wsk.example/api/v1/namespaces/_/actions/orders/on-created');
  });

  it('builds in validate mode, where the key is not read', () => {
    const built = buildOpenWhisk(BLOCK);
    expect(built.problems).toEqual([]);
    expect(built.sink).toBeDefined();
  });

  it('reports a key without ":" (or with an empty part) at the auth path, never quoting it', () => {
    for (const malformed of [SECRET_PART, `${SECRET_PART}:`, `:${SECRET_PART}`]) {
      const problems = problemsOf({}, malformed);
      expect(problems).toEqual([
        { path: 'spec.sink.openwhisk.auth', message: expect.stringContaining('UUID:KEY') },
      ]);
      expect(JSON.stringify(problems)).not.toContain(SECRET_PART.slice(0, 16));
    }
  });

  it('reports a wrong apiHost at its path, never repeating credentials', () => {
    expect(problemsOf({ apiHost: 'wsk.example' })).toEqual([
      { path: 'spec.sink.openwhisk.apiHost', message: expect.stringContaining('not an absolute URL') },
    ]);
    const schemeless = problemsOf({ apiHost: `wsk.example/?auth=${AUTH}` });
    expect(schemeless[0]?.message).toMatch(/not an absolute URL/);
    expect(JSON.stringify(schemeless)).not.toContain(SECRET_PART.slice(0, 16));
    expect(problemsOf({ apiHost: 'grpc://wsk.example' })[0]?.message).toMatch(/http:\/\/ or https:\/\//);
    const withKey = problemsOf({ apiHost: `https://${AUTH}@wsk.example` });
    expect(withKey).toEqual([
      { path: 'spec.sink.openwhisk.apiHost', message: expect.stringContaining('put UUID:KEY in auth') },
    ]);
    expect(JSON.stringify(withKey)).not.toContain(SECRET_PART.slice(0, 16));
    expect(problemsOf({ apiHost: 'https://wsk.example?blocking=true' })[0]?.message).toMatch(/no query/);
    expect(problemsOf({ apiHost: 'https://wsk.example/api/v1' })[0]?.message).toMatch(/leave out \/api\/v1/);
  });

  it('reports a namespace or action that is not one resource name at its path', () => {
    expect(problemsOf({ namespace: 'guest/orders' })).toEqual([
      { path: 'spec.sink.openwhisk.namespace', message: expect.stringContaining('without "/"') },
    ]);
    expect(problemsOf({ action: '/guest/hello' })).toEqual([
      { path: 'spec.sink.openwhisk.action', message: expect.stringContaining('without a leading "/"') },
    ]);
    for (const action of ['a/b/c', 'orders/', '', ' '])
      expect(problemsOf({ action }), action).toEqual([
        { path: 'spec.sink.openwhisk.action', message: expect.stringContaining('package/name') },
      ]);
  });

  it('reports every mistake of one block in one run', () => {
    expect(
      problemsOf({ apiHost: 'nope', namespace: 'a/b', action: 'a/b/c' }, 'no-colon').map((p) => p.path),
    ).toEqual([
      'spec.sink.openwhisk.apiHost',
      'spec.sink.openwhisk.namespace',
      'spec.sink.openwhisk.action',
      'spec.sink.openwhisk.auth',
    ]);
  });
});
