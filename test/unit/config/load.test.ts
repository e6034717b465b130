import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadManifests } from '../../../broker/config/load.js';
import { ALIAS_BOMB, ALIAS_BOMB_PROBLEM } from './alias-bomb.js';

const dirs: string[] = [];
function configDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tb-load-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const GOOD =
  'apiVersion: trigger-broker/v1\nkind: Subscription\nmetadata: { name: ok }\nspec: { sink: { uri: "http://127.0.0.1:1/x" } }\n';

/** A file that cannot be loaded is a problem of that file; the others load as usual. */
describe('loadManifests', () => {
  it('reports an alias bomb as a positioned problem of its file', () => {
    const dir = configDir({ 'bomb.yaml': ALIAS_BOMB, 'good.yaml': GOOD });
    const { manifests, problems } = loadManifests(dir, 'config');
    expect(problems).toEqual([{ file: join('config', 'bomb.yaml'), ...ALIAS_BOMB_PROBLEM }]);
    expect(manifests.map((m) => m.manifest.metadata.name)).toEqual(['ok']);
  });

  it('reports a manifest file that cannot be read at its first line, and loads the others', () => {
    const dir = configDir({ 'good.yaml': GOOD });
    symlinkSync(join(dir, 'missing-target.yaml'), join(dir, 'gone.yaml'));
    const { manifests, problems } = loadManifests(dir, 'config');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: join('config', 'gone.yaml'), line: 1, col: 1 });
    expect(problems[0]!.message).toMatch(/^cannot read: ENOENT/);
    expect(manifests.map((m) => m.manifest.metadata.name)).toEqual(['ok']);
  });
});
