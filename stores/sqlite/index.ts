/** The embedded default store backend, `Broker.spec.store.type: sqlite` (registered in plugins.ts). */
import type { StoreDescriptor } from '../../broker/ports/store.js';
import { SqliteStore } from './sqlite-store.js';

export const sqliteStore: StoreDescriptor = {
  kind: 'sqlite',
  summary: 'SQLite in WAL mode in the data directory, with group commit: one process, no other service.',
  open: (options) => new SqliteStore(options),
};
