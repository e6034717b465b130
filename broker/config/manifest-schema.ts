import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { SCHEMAS_DIR } from '../paths.js';
import { durationProblem, NOT_A_DURATION, parseDuration } from './duration.js';
import type { PathSegment } from './yaml-document.js';

/** A schema violation at a path inside one manifest document. */
export interface SchemaViolation {
  path: PathSegment[];
  /** Point at the key itself (an unknown field) rather than its value. */
  key: boolean;
  message: string;
  /**
   * The value at fault: `path`, except for a missing field, where `path` is the object it is
   * missing from and `target` the field (set-aside.ts puts only what is wrong aside).
   */
  target: PathSegment[];
}

const SCHEMA_FILES = [
  'definitions.schema.json',
  'broker.schema.json',
  'source.schema.json',
  'sink.schema.json',
  'store.schema.json',
  'subscription.schema.json',
  'eventschema.schema.json',
  'manifest.schema.json',
];

let schemas: Ajv | undefined;
let compiled: ValidateFunction | undefined;
let filterListCompiled: ValidateFunction | undefined;

/** Every published schema in `schemas/`, loaded once per process into one Ajv. */
function schemaSet(): Ajv {
  if (schemas) return schemas;
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
  for (const file of SCHEMA_FILES) ajv.addSchema(JSON.parse(readFileSync(join(SCHEMAS_DIR, file), 'utf8')));
  schemas = ajv;
  return ajv;
}

/** The manifest validator, compiled once per process from the published schemas in `schemas/`. */
function validator(): ValidateFunction {
  if (compiled) return compiled;
  const manifest = schemaSet().getSchema('https://trigger-broker.dev/schemas/manifest.schema.json');
  if (!manifest) throw new Error('manifest schema missing');
  compiled = manifest;
  return compiled;
}

/**
 * A Subscription's `filters` list alone, checked by the same definitions a manifest's is
 * (`definitions.schema.json#/definitions/filter`), for callers that get filters without a
 * manifest around them (the matcher library, broker/matcher/).
 */
function filterListValidator(): ValidateFunction {
  if (filterListCompiled) return filterListCompiled;
  filterListCompiled = schemaSet().compile({
    type: 'array',
    items: { $ref: 'https://trigger-broker.dev/schemas/definitions.schema.json#/definitions/filter' },
  });
  return filterListCompiled;
}

export function validateManifestShape(value: unknown): SchemaViolation[] {
  return violations(validator(), value);
}

/** Schema violations of one `filters` list, with paths from the list (`[0, 'exact']`). */
export function validateFilterListShape(value: unknown): SchemaViolation[] {
  return violations(filterListValidator(), value);
}

function violations(validate: ValidateFunction, value: unknown): SchemaViolation[] {
  if (validate(value)) return [];
  const seen = new Set<string>();
  const out: SchemaViolation[] = [];
  for (const err of validate.errors ?? []) {
    const described = describe(err);
    if (!described) continue;
    const violation: SchemaViolation = {
      ...described,
      target:
        err.keyword === 'required'
          ? [...described.path, String((err.params as { missingProperty?: unknown }).missingProperty)]
          : described.path,
    };
    const id = `${violation.path.join('/')}|${violation.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(violation);
  }
  return out;
}

function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Where an error of the shared duration definition comes from (definitions.schema.json). */
const DURATION_SCHEMA_PATH = 'definitions.schema.json#/definitions/duration/';

function describe(err: ErrorObject): Omit<SchemaViolation, 'target'> | undefined {
  const path = pointerToPath(err.instancePath);
  const params = err.params as Record<string, unknown>;
  // Every bad duration gets the message the compile step gives one, naming the value.
  if (err.schemaPath.startsWith(DURATION_SCHEMA_PATH)) {
    const parsed = typeof err.data === 'string' ? parseDuration(err.data) : undefined;
    return {
      path,
      key: false,
      message: parsed && 'error' in parsed ? parsed.error : durationProblem(err.data, NOT_A_DURATION),
    };
  }
  switch (err.keyword) {
    case 'if':
      return undefined; // the branch's own errors say what is wrong
    case 'additionalProperties': {
      const name = String(params['additionalProperty']);
      const allowed = Object.keys(
        (err.parentSchema as { properties?: object } | undefined)?.properties ?? {},
      );
      const hint = allowed.length > 0 ? ` (allowed here: ${allowed.join(', ')})` : '';
      return { path: [...path, name], key: true, message: `unknown field "${name}"${hint}` };
    }
    case 'required':
      return { path, key: false, message: `missing required field "${String(params['missingProperty'])}"` };
    case 'enum':
      return {
        path,
        key: false,
        message: `must be one of: ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'const':
      return { path, key: false, message: `must be ${JSON.stringify(params['allowedValue'])}` };
    case 'type':
      return { path, key: false, message: `must be of type ${String(params['type']).replace(',', ' or ')}` };
    case 'minProperties':
    case 'maxProperties': {
      const schema = err.parentSchema as { properties?: object; description?: string } | undefined;
      if (schema?.properties && Number(params['limit']) === 1 && err.keyword === 'maxProperties') {
        return {
          path,
          key: false,
          message: `must have exactly one of: ${Object.keys(schema.properties).join(', ')}`,
        };
      }
      return { path, key: false, message: err.message ?? 'wrong number of fields' };
    }
    case 'pattern': {
      const description = (err.parentSchema as { description?: string } | undefined)?.description;
      return {
        path,
        key: false,
        message: description ? `invalid value: ${description}` : `must match ${String(params['pattern'])}`,
      };
    }
    case 'minLength':
      return { path, key: false, message: 'must not be empty' };
    default:
      return { path, key: false, message: err.message ?? err.keyword };
  }
}
