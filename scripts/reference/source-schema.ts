import { SOURCE_REQUIRED_SCHEMA } from '../../broker/compile/sources.js';
import { CE_MAPPING_SCHEMA } from '../../broker/mapping/ce-schema.js';
import type { ConnectorDescriptor } from '../../broker/ports/connector.js';
import type { JsonSchema } from '../../broker/ports/json-schema.js';

/** schemas/source.schema.json: one property per registered connector kind, `ce` and `required`. */
export function sourceSchema(connectors: readonly ConnectorDescriptor[]): JsonSchema {
  const kinds = connectors.map((c) => c.kind);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://trigger-broker.dev/schemas/source.schema.json',
    title: 'Source spec',
    description: `Exactly one connector block (${kinds.join(', ')}), the ce mapping, and whether readiness waits for the Source.`,
    type: 'object',
    additionalProperties: false,
    properties: {
      ...Object.fromEntries(connectors.map((c) => [c.kind, c.settings])),
      ce: CE_MAPPING_SCHEMA,
      required: SOURCE_REQUIRED_SCHEMA,
    },
  };
}
