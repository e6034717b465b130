import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configuredStoreLocation, storeBackend, storeLocation } from '../../broker/store-location.js';
import { PLUGINS } from '../../plugins.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function configDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tb-store-location-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
const broker = (spec: string) =>
  `apiVersion: trigger-broker/v1\nkind: Broker\nmetadata: { name: b }\nspec: ${spec}\n`;

describe('where the store is', () => {
  it('is Broker spec.store.path, else --data, else ./data, relative to the working directory', () => {
    expect(storeLocation({ type: 'sqlite', path: '/srv/s' }, '/data')).toEqual({
      type: 'sqlite',
      dir: '/srv/s',
    });
    expect(storeLocation({}, 'd')).toEqual({ type: undefined, dir: resolve('d') });
    expect(storeLocation(undefined, undefined)).toEqual({ type: undefined, dir: resolve('data') });
  });

  it("is the quickstart's for `deadletters examples/quickstart`, as for `start examples/quickstart`", () => {
    expect(configuredStoreLocation('examples/quickstart', undefined)).toEqual({
      type: 'sqlite',
      dir: resolve('data/quickstart'),
    });
  });

  it('reads only the Broker manifest: a problem elsewhere does not hide the store', () => {
    const dir = configDir({
      'broker.yaml': broker('{ store: { path: /var/lib/tb } }'),
      'bad.yaml':
        'apiVersion: trigger-broker/v1\nkind: Subscription\nmetadata: { name: s }\nspec: { sink: 5 }\n',
    });
    expect(configuredStoreLocation(dir, '/ignored')).toEqual({ type: undefined, dir: '/var/lib/tb' });
    const none = configDir({
      's.yaml':
        'apiVersion: trigger-broker/v1\nkind: Subscription\nmetadata: { name: s }\nspec: { sink: { uri: "http://h/" } }\n',
    });
    expect(configuredStoreLocation(none, 'given')).toEqual({ type: undefined, dir: resolve('given') });
  });

  it('refuses to guess: a named directory that is not there, an invalid spec.store, a file that does not parse', () => {
    const missing = join(tmpdir(), 'tb-no-such-config-dir');
    expect(() => configuredStoreLocation(missing, undefined)).toThrow(
      `there is no configuration directory ${missing}`,
    );
    const invalid = configDir({ 'broker.yaml': broker('{ store: { path: 5 } }') });
    expect(() => configuredStoreLocation(invalid, undefined)).toThrow(
      /spec\.store is invalid\n.*broker\.yaml:4:/,
    );
    const broken = configDir({ 'broker.yaml': 'kind: Broker\n  spec: [\n' });
    expect(() => configuredStoreLocation(broken, undefined)).toThrow(
      /cannot be read\n.*broker\.yaml:\d+:\d+: YAML:/,
    );
  });

  it('names the backend spec.store.type selects, the first registered when unset', () => {
    expect(storeBackend(PLUGINS, undefined).kind).toBe(PLUGINS.stores[0]!.kind);
    expect(storeBackend(PLUGINS, 'sqlite').kind).toBe('sqlite');
    expect(() => storeBackend(PLUGINS, 'postgres')).toThrow(/store type "postgres" is not available/);
  });
});
