/** The embedded default store backend, `Broker.spec.store.type: sqlite` (registered in plugins.ts). */
import type { StoreDescriptor } from '../../broker/ports/store.js';
import { SqliteStore } from './sqlite-store.js';

export const sqliteStore: StoreDescriptor = {
  kind: 'sqlite',
  summary: 'SQLite in WAL mode in the data directory, with group commit: one process, no other service.',
  settings: {
    description: 'The embedded store: one SQLite file in WAL mode in the data directory.',
    type: 'object',
    additionalProperties: false,
    properties: {
      type: {
        const: 'sqlite',
        default: 'sqlite',
        description: 'The store backend: the embedded SQLite store.',
        examples: ['sqlite'],
      },
      path: {
        type: 'string',
        minLength: 1,
        description:
          'Directory of the embedded store; relative to the working directory. Default: the --data option.',
        examples: ['/var/lib/trigger-broker'],
      },
      synchronous: {
        enum: ['full', 'normal'],
        default: 'normal',
        description:
          '`normal`: a commit survives a crash of the process (`kill -9`), which is the delivery promise; the last commits can be lost if the machine loses power. `full`: every group commit is fsynced, surviving power loss too, at a cost (see the ingest benchmark).',
        examples: ['full'],
      },
      retention: {
        $ref: 'definitions.schema.json#/definitions/duration',
        description:
          'Delivered events older than this are pruned (events still queued or dead-lettered are kept). Default: `P7D`.',
        examples: ['P1D'],
      },
    },
  },
  open: (options) => new SqliteStore(options),
};
