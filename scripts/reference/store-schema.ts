import type { JsonSchema } from '../../broker/ports/json-schema.js';
import type { StoreDescriptor } from '../../broker/ports/store.js';

/**
 * schemas/store.schema.json: `Broker.spec.store`, chosen by its `type`; the first registered
 * backend is the default, so its settings also apply when `type` is left out. Nested
 * if/then/else, not `oneOf`, so a mistake is reported against the backend the user named.
 */
export function storeSchema(stores: readonly StoreDescriptor[]): JsonSchema {
  const [fallback, ...others] = stores;
  if (!fallback) throw new Error('no store backend registered');
  const choice = others.reduceRight<JsonSchema>(
    (otherwise, store) => ({
      if: { type: 'object', required: ['type'], properties: { type: { const: store.kind } } },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else keyword
      then: store.settings,
      else: otherwise,
    }),
    fallback.settings,
  );
  return {
    ...choice,
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://trigger-broker.dev/schemas/store.schema.json',
    title: 'Store',
    description: `Where accepted events and delivery state are kept: ${stores.map((s) => s.kind).join(', ')} (default ${fallback.kind}).`,
  };
}
