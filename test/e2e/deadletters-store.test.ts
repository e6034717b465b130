import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../harness/wait.js';
import { runCli, scratchDirs, startBroker, startFunction, subscriptionYaml } from './support.js';

/**
 * `deadletters` finds the store `start` uses for the same arguments (store-location.ts): the
 * configuration directory's Broker spec.store.path, else --data, else ./data.
 */
describe('deadletters finds the store start uses', () => {
  const fresh = scratchDirs();

  it('reads the store Broker spec.store.path names, given the same DIR as start and no flags', async () => {
    const d = fresh();
    const storePath = join(d.dir, 'elsewhere', 'store');
    const fn = await startFunction(() => 422);
    d.write(
      'broker.yaml',
      `apiVersion: trigger-broker/v1\nkind: Broker\nmetadata: { name: b }\nspec: { store: { type: sqlite, path: ${JSON.stringify(storePath)} } }\n`,
    );
    d.write('s.yaml', subscriptionYaml('refused', { sink: { uri: `${fn.url}/x` }, delivery: { retry: 0 } }));
    // The helper also passes --data: spec.store.path is where start keeps the store all the same.
    const broker = await startBroker(d.config, d.data);
    try {
      expect(broker.logs.find((l) => l['msg'] === 'trigger-broker listening')?.['store']).toBe(storePath);
      const res = await request(`${broker.url}/events`, {
        method: 'POST',
        headers: { 'ce-specversion': '1.0', 'ce-id': 'lost-1', 'ce-source': '/s', 'ce-type': 't' },
      });
      await res.body.dump();
      expect(res.statusCode).toBe(202);
      // Beside the running broker (read-only), with the configuration directory alone.
      const listed = await waitFor('the dead letter listed', async () => {
        const out = await runCli(['deadletters', d.config, '--json']);
        expect(out.stderr).toBe('');
        const lines = out.stdout.trim().split('\n').filter(Boolean);
        return lines.length === 1 ? (JSON.parse(lines[0]!) as Record<string, unknown>) : undefined;
      });
      expect(listed).toMatchObject({ subscription: 'refused', event: { id: 'lost-1' } });
    } finally {
      expect(await broker.stop()).toBe(0);
      await fn.close();
    }
    // The subcommands take the same DIR: a dry run finds the same entry.
    const dry = await runCli(['deadletters', 'replay', d.config, '--all', '--dry-run', '--json']);
    expect(dry.stderr).toBe('');
    expect(JSON.parse(dry.stdout)).toMatchObject({ selected: 1, dryRun: true });
  });

  it('refuses, rather than guesses, when the directory named is not there', async () => {
    const d = fresh();
    const out = await runCli(['deadletters', join(d.dir, 'no-such-config')]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`there is no configuration directory ${join(d.dir, 'no-such-config')}`);
  });
});
