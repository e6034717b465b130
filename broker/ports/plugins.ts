import type { ConnectorDescriptor } from './connector.js';
import type { SinkDescriptor } from './sink.js';
import type { StoreDescriptor } from './store.js';

/**
 * Every plugin a build registers, handed to the core by the composition root (plugins.ts at
 * the top of the repository). The core knows plugins only through this set.
 */
export interface PluginSet {
  // `any` settings: each descriptor is typed by its own settings, the set holds them all.
  // biome-ignore lint/suspicious/noExplicitAny: a registry of descriptors with different Spec types
  readonly connectors: readonly ConnectorDescriptor<any>[];
  // biome-ignore lint/suspicious/noExplicitAny: as above
  readonly sinks: readonly SinkDescriptor<any>[];
  /** The first is the default: the one used when `Broker.spec.store.type` is unset, and by `--data`. */
  readonly stores: readonly StoreDescriptor[];
}
