/**
 * A ConfigMap mounted as a directory is a hot reload (issue 20, item 2). The kubelet does not edit
 * the files of a ConfigMap volume in place: it writes a new timestamped directory, points the
 * `..data` symlink at it by renaming a temporary symlink over it (atomic), adds or removes the
 * top-level symlinks `name -> ..data/name`, then deletes the old directory (AtomicWriter in
 * pkg/volume/util/atomic_writer.go). Here that sequence runs against the real broker (the built
 * CLI), which must reload on it, read the new manifests through the symlinks and ignore the
 * dot-directories.
 */
import { mkdirSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { scratch, startBroker, startFunction } from '../e2e/support.js';

/** A directory laid out as the kubelet lays out a ConfigMap volume. */
class ConfigMapVolume {
  private generation = 0;
  private current: string | undefined;
  private keys: string[] = [];

  constructor(readonly dir: string) {}

  /** Publishes `data` as the ConfigMap's new content, step by step as the kubelet does. */
  publish(data: Record<string, string>): void {
    this.generation += 1;
    const ts = `..2026_12_03_20_00_0${this.generation}.${100000000 + this.generation}`;
    mkdirSync(join(this.dir, ts));
    for (const [key, text] of Object.entries(data)) writeFileSync(join(this.dir, ts, key), text);
    symlinkSync(ts, join(this.dir, '..data_tmp'));
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    const keys = Object.keys(data);
    for (const key of keys)
      if (!this.keys.includes(key)) symlinkSync(join('..data', key), join(this.dir, key));
    for (const key of this.keys) if (!keys.includes(key)) unlinkSync(join(this.dir, key));
    if (this.current) rmSync(join(this.dir, this.current), { recursive: true });
    this.current = ts;
    this.keys = keys;
  }
}

const subscription = (name: string, type: string, uri: string): string =>
  `apiVersion: trigger-broker/v1\nkind: Subscription\nmetadata: { name: ${name} }\nspec:\n  filters:\n    - exact: { type: ${type} }\n  sink: { uri: "${uri}" }\n`;

describe('a ConfigMap volume (kubelet atomic updates) as the configuration directory', () => {
  it('reloads when the ConfigMap changes: a changed manifest, an added one, a removed one', async () => {
    const d = scratch('tb-configmap-');
    const volume = new ConfigMapVolume(d.config);
    const fn = await startFunction();
    volume.publish({
      'broker.yaml': 'apiVersion: trigger-broker/v1\nkind: Broker\nmetadata: { name: k8s }\nspec: {}\n',
      'subscriptions.yaml': subscription('s', 'cm.a', `${fn.url}/one`),
    });
    const broker = await startBroker(d.config, d.data);
    const send = async (id: string, type: string): Promise<void> => {
      const res = await request(`${broker.url}/events`, {
        method: 'POST',
        headers: { 'ce-specversion': '1.0', 'ce-id': id, 'ce-source': '/cm', 'ce-type': type },
      });
      await res.body.dump();
      expect(res.statusCode).toBe(202);
    };
    const reloads = (): number => broker.logs.filter((l) => l['msg'] === 'configuration reloaded').length;
    const nextReload = async (after: number): Promise<Record<string, unknown>> => {
      await broker.waitForLog(() => reloads() > after, 20_000);
      return broker.logs.filter((l) => l['msg'] === 'configuration reloaded').at(-1)!;
    };
    try {
      expect(broker.logs.find((l) => l['msg'] === 'trigger-broker listening')?.['subscriptions']).toBe(1);
      await send('c1', 'cm.a');
      await fn.waitFor(1, 15_000, (r) => r.url === '/one' && r.headers['ce-id'] === 'c1');

      // kubectl edit: the subscription now takes cm.b, to another path; a second file appears.
      let before = reloads();
      volume.publish({
        'broker.yaml': 'apiVersion: trigger-broker/v1\nkind: Broker\nmetadata: { name: k8s }\nspec: {}\n',
        'subscriptions.yaml': subscription('s', 'cm.b', `${fn.url}/two`),
        'more.yaml': subscription('t', 'cm.c', `${fn.url}/three`),
      });
      expect((await nextReload(before))['subscriptions']).toBe(2);
      await send('c2', 'cm.b');
      await send('c3', 'cm.c');
      await fn.waitFor(1, 15_000, (r) => r.url === '/two' && r.headers['ce-id'] === 'c2');
      await fn.waitFor(1, 15_000, (r) => r.url === '/three' && r.headers['ce-id'] === 'c3');

      // A key removed from the ConfigMap: its subscription goes.
      before = reloads();
      volume.publish({
        'broker.yaml': 'apiVersion: trigger-broker/v1\nkind: Broker\nmetadata: { name: k8s }\nspec: {}\n',
        'subscriptions.yaml': subscription('s', 'cm.b', `${fn.url}/two`),
      });
      expect((await nextReload(before))['subscriptions']).toBe(1);
      expect(broker.logs.some((l) => String(l['msg']).startsWith('configuration change rejected'))).toBe(
        false,
      );
    } finally {
      expect(await broker.stop()).toBe(0);
      await fn.close();
      d.dispose();
    }
  }, 60_000);
});
