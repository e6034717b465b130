/**
 * The manifest schemas and the reference pages are generated from the plugin descriptors
 * (`npm run docs`); this fails when a committed file differs from what the generator makes now,
 * so a descriptor change cannot land without its schema and its documentation.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { PLUGINS } from '../../plugins.js';
import { fieldTable } from '../../scripts/reference/field-table.js';
import { generateReference } from '../../scripts/reference/generate.js';
import { sinkSchema } from '../../scripts/reference/sink-schema.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const generated = generateReference(PLUGINS);

describe('generated reference', () => {
  it.each([...generated.keys()])('%s is what `npm run docs` generates', (path) => {
    expect(readFileSync(join(root, path), 'utf8')).toBe(generated.get(path));
  });

  it('lists every registered connector kind in the Source schema and its reference page', () => {
    const schema = JSON.parse(generated.get('schemas/source.schema.json')!) as { properties: object };
    const page = generated.get('docs/reference/sources.md')!;
    for (const { kind } of PLUGINS.connectors) {
      expect(Object.keys(schema.properties)).toContain(kind);
      expect(page).toContain(`## \`${kind}\``);
    }
  });

  it('writes a table row per field, nested fields as dotted paths, required ones marked', () => {
    const table = fieldTable({
      type: 'object',
      required: ['url'],
      properties: {
        url: { type: 'string', description: 'Where | to go.', examples: ['mqtt://h'] },
        tls: {
          type: 'object',
          description: 'TLS.',
          properties: { ca: { type: 'string', default: 'none', description: 'A CA.', examples: ['x'] } },
        },
      },
    });
    expect(table.split('\n').slice(2)).toEqual([
      '| `url` | string | required | Where \\| to go. | `mqtt://h` |',
      '| `tls` | object | — | TLS. |  |',
      '| `tls.ca` | string | `none` | A CA. | `x` |',
    ]);
  });

  it('chooses a typed sink by its key and falls back to the inline sink', () => {
    const schema = sinkSchema([
      {
        kind: 'http',
        inline: true,
        summary: '',
        settings: {
          type: 'object',
          required: ['uri'],
          additionalProperties: false,
          properties: { uri: { type: 'string' } },
        },
        build: () => undefined,
      },
      {
        kind: 'knative',
        summary: '',
        settings: { type: 'object', required: ['uri'], properties: { uri: { type: 'string' } } },
        build: () => undefined,
      },
    ]);
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate({ uri: 'http://a' })).toBe(true);
    expect(validate({ knative: { uri: 'http://a' } })).toBe(true);
    expect(validate({ knative: {} })).toBe(false);
    expect(validate({ knative: { uri: 'http://a' }, uri: 'http://b' })).toBe(false);
  });
});
