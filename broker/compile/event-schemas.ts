import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { compileEventSchema, type EventSchemaEntry } from '../../schemas/event-schema-registry.js';
import type { EventSchemaManifest } from '../config/types.js';
import type { ManifestScope } from './scope.js';

/**
 * An `EventSchema` manifest: its JSON Schema (inline or a file beside the manifest) compiled
 * once. `typesSeen` maps each governed type to the first EventSchema that claimed it.
 */
export function compileEventSchemaManifest(
  scope: ManifestScope<EventSchemaManifest>,
  typesSeen: Map<string, string>,
): EventSchemaEntry | undefined {
  const { manifest, doc } = scope.item;
  const spec = manifest.spec;
  // `type` or `schema` is missing only from a manifest that failed its schema (config/set-aside.ts);
  // what is there is still checked.
  if (spec.type !== undefined) {
    const other = typesSeen.get(spec.type);
    if (other) scope.report(['spec', 'type'], `type "${spec.type}" already has EventSchema "${other}"`);
    typesSeen.set(spec.type, manifest.metadata.name);
  }
  if (spec.schema === undefined) return undefined;
  let schema: object | boolean;
  if (typeof spec.schema === 'string') {
    const file = resolve(dirname(doc.file), spec.schema);
    try {
      schema = JSON.parse(readFileSync(file, 'utf8')) as object;
    } catch (err) {
      scope.report(['spec', 'schema'], `cannot load schema file ${file}: ${(err as Error).message}`);
      return undefined;
    }
  } else schema = spec.schema;
  const validate = compileEventSchema(schema);
  if (typeof validate === 'string') {
    scope.report(['spec', 'schema'], `invalid JSON Schema: ${validate}`);
    return undefined;
  }
  if (spec.type === undefined) return undefined;
  return {
    name: manifest.metadata.name,
    type: spec.type,
    onInvalid: spec.onInvalid ?? 'reject',
    validate,
  };
}
