/**
 * Every registered plugin runs its kind's shared contract suite: a connector whose kind no
 * `connectorContract({ kind })` call names, or a sink no `sinkContract({ kind })` call names,
 * fails here. (The suites themselves run in test/connectors/ and test/sinks/, next to the real
 * brokers they need.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PLUGINS } from '../../plugins.js';

const testRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The kinds named by `<suite>({ kind: '...' })` calls in the test files of `folder`. */
function kindsProvedBy(folder: string, suite: string): Set<string> {
  const kinds = new Set<string>();
  const call = new RegExp(`${suite}\\(\\s*\\{\\s*kind:\\s*'([a-z0-9-]+)'`, 'g');
  for (const file of readdirSync(join(testRoot, folder))) {
    if (!file.endsWith('.test.ts')) continue;
    for (const match of readFileSync(join(testRoot, folder, file), 'utf8').matchAll(call))
      kinds.add(match[1]!);
  }
  return kinds;
}

describe('plugin contract suites', () => {
  it('every connector this build can run proves the connector contract', () => {
    const proved = kindsProvedBy('connectors', 'connectorContract');
    const runnable = PLUGINS.connectors.filter((c) => c.build !== undefined).map((c) => c.kind);
    expect(runnable.filter((kind) => !proved.has(kind))).toEqual([]);
    expect(runnable.length).toBeGreaterThan(0);
  });

  it('every sink proves the sink contract', () => {
    const proved = kindsProvedBy('sinks', 'sinkContract');
    const registered = PLUGINS.sinks.map((s) => s.kind);
    expect(registered.filter((kind) => !proved.has(kind))).toEqual([]);
  });
});
