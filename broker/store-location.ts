import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadManifests } from './config/load.js';
import { formatProblem, type Problem } from './config/problem.js';
import type { BrokerManifest } from './config/types.js';
import type { PluginSet } from './ports/plugins.js';
import type { StoreDescriptor } from './ports/store.js';

/** `start`'s and `deadletters`' configuration directory when none is given. */
export const DEFAULT_CONFIG_DIR = './config';
/** The store directory when neither `Broker.spec.store.path` nor `--data` gives one. */
export const DEFAULT_DATA_DIR = './data';

/** Which store a broker uses: its backend (undefined: the first registered) and its directory. */
export interface StoreLocation {
  type: string | undefined;
  /** Absolute. */
  dir: string;
}

/**
 * The one rule for where the store is, shared by `start` and the `deadletters` commands so that
 * both find the same one for the same arguments: `Broker.spec.store.path` when the configuration
 * sets it, else the `--data` directory, else `./data`, relative to the working directory; the
 * backend `Broker.spec.store.type` names.
 */
export function storeLocation(
  store: { readonly type?: string | undefined; readonly path?: string | undefined } | undefined,
  dataDir: string | undefined,
): StoreLocation {
  return { type: store?.type, dir: resolve(store?.path ?? dataDir ?? DEFAULT_DATA_DIR) };
}

/** The store backend `type` names, the first registered when unset. */
export function storeBackend(plugins: PluginSet, type: string | undefined): StoreDescriptor {
  const backend = type === undefined ? plugins.stores[0] : plugins.stores.find((s) => s.kind === type);
  if (!backend) {
    const known = plugins.stores.map((s) => s.kind).join(', ');
    throw new Error(
      `store type "${type ?? '(default)'}" is not available in this build (available: ${known || 'none'})`,
    );
  }
  return backend;
}

/**
 * The store of the configuration under `configDir`, for a command that reads the store rather
 * than running the broker (`deadletters`): the Broker manifest's `spec.store`, read as `start`
 * reads it, without compiling the rest (a problem in a Subscription does not hide the store).
 * The default directory (`./config`) may be absent: then only `--data` counts. A named one must
 * be there, and a configuration whose store cannot be told (its Broker manifest's `store` is
 * invalid, or a file does not parse and there is no Broker manifest) is refused, never guessed.
 */
export function configuredStoreLocation(
  configDir: string | undefined,
  dataDir: string | undefined,
): StoreLocation {
  if (configDir === undefined && !existsSync(DEFAULT_CONFIG_DIR)) return storeLocation(undefined, dataDir);
  const dir = configDir ?? DEFAULT_CONFIG_DIR;
  if (!existsSync(dir)) throw new Error(`there is no configuration directory ${dir}`);
  const loaded = loadManifests(dir);
  const broker = loaded.manifests.find(
    (item): item is typeof item & { manifest: BrokerManifest } => item.manifest.kind === 'Broker',
  );
  const invalid = (why: string, problems: readonly Problem[]) =>
    new Error(`cannot tell where the store of ${dir} is: ${why}\n${problems.map(formatProblem).join('\n')}`);
  if (broker?.setAside?.some((path) => path[0] === 'spec' && path[1] === 'store'))
    throw invalid(
      "the Broker manifest's spec.store is invalid",
      loaded.problems.filter((p) => p.file === broker.doc.file),
    );
  const unread = loaded.problems.filter((p) => /^(YAML:|cannot read|cannot load)/.test(p.message));
  if (!broker && unread.length > 0)
    throw invalid('a file that may hold the Broker manifest cannot be read', unread);
  return storeLocation(broker?.manifest.spec.store, dataDir);
}
