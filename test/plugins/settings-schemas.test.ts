import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { SCHEMAS_DIR } from '../../broker/paths.js';
import type { JsonSchema } from '../../broker/ports/json-schema.js';
import { PLUGINS } from '../../plugins.js';

/**
 * Every registered plugin's settings schema is the documentation of its manifest block: the
 * manifest schemas and the reference tables are generated from them, so every property, at
 * every depth, must say what it does and show a value.
 */
const SCHEMAS: Readonly<Record<string, JsonSchema>> = Object.fromEntries([
  ...PLUGINS.connectors.map((c) => [`connector ${c.kind}`, c.settings] as const),
  ...PLUGINS.sinks.map((s) => [`sink ${s.kind}`, s.settings] as const),
  ...PLUGINS.stores.map((s) => [`store ${s.kind}`, s.settings] as const),
]);

interface Property {
  /** `signature.timestamp.header`; a oneOf branch adds `[N]` (`ssl[1].ca`). */
  readonly path: string;
  readonly schema: JsonSchema;
}

/** Every property below `schema`: nested objects, oneOf/anyOf/allOf branches and array items. */
function properties(schema: JsonSchema, prefix = ''): Property[] {
  const found: Property[] = [];
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    found.push({ path, schema: child }, ...properties(child, path));
  }
  for (const keyword of ['oneOf', 'anyOf', 'allOf'] as const) {
    const branches = (schema[keyword] as readonly JsonSchema[] | undefined) ?? [];
    branches.forEach((branch, i) => {
      found.push(...properties(branch, `${prefix}[${i}]`));
    });
  }
  if (schema.items !== undefined) found.push(...properties(schema.items, `${prefix}[]`));
  if (typeof schema.additionalProperties === 'object')
    found.push(...properties(schema.additionalProperties, `${prefix}{}`));
  return found;
}

/** What is missing from one property's documentation; empty when nothing is. */
function documentationGaps(schema: JsonSchema): string[] {
  const gaps: string[] = [];
  for (const { path, schema: property } of properties(schema)) {
    if (typeof property.description !== 'string' || property.description.trim() === '')
      gaps.push(`${path}: no description`);
    if (!Array.isArray(property.examples) || property.examples.length === 0)
      gaps.push(`${path}: no examples`);
  }
  return gaps;
}

/** The manifest validator's ajv options, with the shared definitions the `$ref`s point at. */
function ajvWithDefinitions(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
  ajv.addSchema(JSON.parse(readFileSync(join(SCHEMAS_DIR, 'definitions.schema.json'), 'utf8')));
  return ajv;
}

describe('plugin settings schemas', () => {
  for (const [kind, schema] of Object.entries(SCHEMAS)) {
    describe(kind, () => {
      it('describes the block itself', () => {
        expect(schema.description?.trim()).toBeTruthy();
      });

      it('gives every property, at every depth, a description and a non-empty examples list', () => {
        expect(properties(schema).length).toBeGreaterThan(0);
        expect(documentationGaps(schema)).toEqual([]);
      });

      it('has examples and defaults that the property itself accepts', () => {
        const ajv = ajvWithDefinitions();
        const invalid: string[] = [];
        properties(schema).forEach(({ path, schema: property }, i) => {
          // An $id beside definitions.schema.json, so that its relative $refs resolve.
          const validate = ajv.compile({
            ...property,
            $id: `https://trigger-broker.dev/schemas/${kind.replace(' ', '-')}-${i}.json`,
          });
          const values = [...((property.examples as readonly unknown[] | undefined) ?? [])];
          if ('default' in property) values.push(property.default);
          for (const value of values)
            if (!validate(value))
              invalid.push(`${path}: ${JSON.stringify(value)} ${ajv.errorsText(validate.errors)}`);
        });
        expect(invalid).toEqual([]);
      });
    });
  }

  it('the check finds a property without a description or examples, however deep', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        documented: { type: 'string', description: 'Documented.', examples: ['x'] },
        tls: {
          type: 'object',
          description: 'TLS.',
          examples: [{}],
          properties: { ca: { type: 'string', description: 'CA.', examples: [] } },
        },
        ssl: {
          description: 'Either.',
          examples: [true],
          oneOf: [
            { type: 'boolean' },
            { type: 'object', properties: { key: { type: 'string', examples: ['k'] } } },
          ],
        },
      },
    };
    expect(documentationGaps(schema)).toEqual(['tls.ca: no examples', 'ssl[1].key: no description']);
  });
});
