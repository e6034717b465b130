import type { JsonSchema } from '../../broker/ports/json-schema.js';
import type { SinkDescriptor } from '../../broker/ports/sink.js';

/**
 * schemas/sink.schema.json: a `sink` block is `{ <kind>: settings }` for a typed sink, else the
 * inline sink's own settings. Written as nested if/then/else on the key present, not `oneOf`,
 * so that a mistake is reported against the one shape the user meant.
 */
export function sinkSchema(sinks: readonly SinkDescriptor[]): JsonSchema {
  const inline = sinks.filter((s) => s.inline);
  if (inline.length > 1)
    throw new Error(`at most one inline sink, found ${inline.map((s) => s.kind).join(', ')}`);
  const fallback: JsonSchema = inline[0]?.settings ?? {
    not: {},
    description: 'no inline sink in this build',
  };
  const choice = sinks
    .filter((s) => !s.inline)
    .reduceRight<JsonSchema>(
      (otherwise, sink) => ({
        // `properties` beside `required` keeps ajv's strict mode (strictRequired) content.
        if: { type: 'object', required: [sink.kind], properties: { [sink.kind]: {} } },
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else keyword
        then: {
          type: 'object',
          additionalProperties: false,
          required: [sink.kind],
          properties: { [sink.kind]: sink.settings },
        },
        else: otherwise,
      }),
      fallback,
    );
  return {
    ...choice,
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://trigger-broker.dev/schemas/sink.schema.json',
    title: 'Sink',
    description: `Where a subscription delivers: ${sinks.map((s) => (s.inline ? `${s.kind} (inline)` : s.kind)).join(', ')}.`,
  };
}
