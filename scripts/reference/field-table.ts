import type { JsonSchema } from '../../broker/ports/json-schema.js';

/** One row of a reference table: a field at a dotted path inside a settings block. */
interface FieldRow {
  path: string;
  type: string;
  default: string;
  description: string;
  example: string;
}

const DEFINITION_NAMES: Record<string, string> = {
  'definitions.schema.json#/definitions/secret': 'secret (`{ fromEnv }` or `{ fromFile }`)',
  'definitions.schema.json#/definitions/duration': 'ISO-8601 duration',
};

/** A Markdown table of every field of a settings schema, nested objects as dotted paths. */
export function fieldTable(schema: JsonSchema): string {
  const rows: FieldRow[] = [];
  collect(schema, '', rows);
  const lines = [
    '| field | type | default | description | example |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| \`${r.path}\` | ${cell(r.type)} | ${cell(r.default)} | ${cell(r.description)} | ${cell(r.example)} |`,
    ),
  ];
  return lines.join('\n');
}

function collect(schema: JsonSchema, prefix: string, rows: FieldRow[]): void {
  const required = new Set(schema.required ?? []);
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    rows.push({
      path,
      type: typeOf(field),
      default: required.has(name) ? 'required' : field.default === undefined ? '—' : code(field.default),
      description: field.description ?? '',
      example: field.examples?.[0] === undefined ? '' : code(field.examples[0]),
    });
    collect(field, path, rows);
    // A field that is either a flag or an object of options (kafka `ssl`) documents the object's fields.
    for (const branch of field.oneOf ?? []) if (branch.properties) collect(branch, path, rows);
  }
}

function typeOf(field: JsonSchema): string {
  if (field.$ref !== undefined) return DEFINITION_NAMES[field.$ref] ?? field.$ref;
  if (field.enum !== undefined) return field.enum.map((v) => code(v)).join(' or ');
  if (field.oneOf !== undefined) return field.oneOf.map(typeOf).join(' or ');
  if (field.type === 'array') return `list of ${field.items ? typeOf(field.items) : 'values'}`;
  if (field.type === 'object' && field.additionalProperties && typeof field.additionalProperties === 'object')
    return `map of ${typeOf(field.additionalProperties)}`;
  if (Array.isArray(field.type)) return field.type.join(' or ');
  return typeof field.type === 'string' ? field.type : 'any';
}

/** A value as a user writes it in YAML flow style, in backticks. */
function code(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `\`${text}\``;
}

/** Table cells hold no line breaks and no bare pipes. */
function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}
