import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';

/**
 * Validators for the deployment files, built from the platforms' own published descriptions
 * (test/harness/deploy-tools.sh caches them). Each returns a list of problems, empty when valid.
 */
export type Check = (value: unknown) => string[];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const params = e.params as { additionalProperty?: unknown; unevaluatedProperty?: unknown };
    const extra =
      e.keyword === 'additionalProperties'
        ? ` (${String(params.additionalProperty)})`
        : e.keyword === 'unevaluatedProperties'
          ? ` (${String(params.unevaluatedProperty)})`
          : e.keyword === 'enum'
            ? ` (${JSON.stringify((e.params as { allowedValues?: unknown }).allowedValues)})`
            : '';
    return `${e.instancePath || '/'} ${e.message ?? e.keyword}${extra}`;
  });
}

/** Every object node with `properties` gets additionalProperties: false unless it says otherwise. */
function closeObjects(node: Json, keepOpen: (n: JsonObject) => boolean): Json {
  if (Array.isArray(node)) return node.map((n) => closeObjects(n, keepOpen));
  if (node === null || typeof node !== 'object') return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'properties' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      // A map of property names to schemas: the names are not keywords.
      const props: JsonObject = {};
      for (const [name, prop] of Object.entries(v)) props[name] = closeObjects(prop, keepOpen);
      out[k] = props;
    } else out[k] = k === 'enum' || k === 'example' || k === 'default' ? v : closeObjects(v, keepOpen);
  }
  if (out['properties'] !== undefined && out['additionalProperties'] === undefined && !keepOpen(out))
    out['additionalProperties'] = false;
  return out;
}

/**
 * Kubernetes objects against the API's OpenAPI v2 definitions (api/openapi-spec/swagger.json of
 * k8s.io/kubernetes), strictly as `kubectl --validate=strict` and kubeconform -strict read them:
 * unknown fields are errors; IntOrString and Quantity take a string or a number.
 */
export function kubernetesValidator(swaggerPath: string): {
  check: (obj: { apiVersion: string; kind: string }) => string[];
  knows: (apiVersion: string, kind: string) => boolean;
} {
  const swagger = JSON.parse(readFileSync(swaggerPath, 'utf8')) as { definitions: Record<string, Json> };
  const definitions = closeObjects(
    swagger.definitions,
    (n) => n['x-kubernetes-preserve-unknown-fields'] === true,
  ) as JsonObject;
  definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = {
    anyOf: [{ type: 'string' }, { type: 'integer' }],
  };
  definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'] = {
    anyOf: [{ type: 'string' }, { type: 'number' }],
  };
  const byKind = new Map<string, string>();
  for (const [name, def] of Object.entries(definitions)) {
    const gvks = (def as JsonObject)['x-kubernetes-group-version-kind'];
    if (!Array.isArray(gvks)) continue;
    for (const gvk of gvks as { group: string; version: string; kind: string }[]) {
      const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
      byKind.set(`${apiVersion} ${gvk.kind}`, name);
    }
  }
  const id = 'https://kubernetes.io/openapi/v2';
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: id, definitions }, id);
  return {
    knows: (apiVersion, kind) => byKind.has(`${apiVersion} ${kind}`),
    check(obj) {
      const name = byKind.get(`${obj.apiVersion} ${obj.kind}`);
      if (name === undefined) return [`no API schema for apiVersion ${obj.apiVersion}, kind ${obj.kind}`];
      const validate = ajv.getSchema(`${id}#/definitions/${name}`);
      if (!validate) return [`schema ${name} did not compile`];
      return validate(obj) ? [] : formatErrors(validate.errors);
    },
  };
}

/** A JSON Schema of draft 2020-12 (the Compose specification's). */
export function jsonSchema2020Validator(schemaPath: string): Check {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
  return (value) => (validate(value) ? [] : formatErrors(validate.errors));
}

/**
 * A resource of a Google API against its discovery document (schemas keyed by id, `$ref` by id),
 * strictly: Google's APIs refuse unknown fields ("Invalid JSON payload received. Unknown name").
 * int64 values are strings in JSON, and numbers are accepted for them too.
 */
export function discoveryValidator(discoveryPath: string, resource: string): Check {
  const doc = JSON.parse(readFileSync(discoveryPath, 'utf8')) as { schemas: Record<string, Json> };
  const convert = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(convert);
    if (node === null || typeof node !== 'object') return node;
    if (typeof node['$ref'] === 'string') return { $ref: `#/definitions/${node['$ref']}` };
    if (node['type'] === 'string' && (node['format'] === 'int64' || node['format'] === 'uint64'))
      return { anyOf: [{ type: 'string', pattern: '^-?[0-9]+$' }, { type: 'integer' }] };
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(node)) {
      // Keywords of the discovery format that JSON Schema has not (or means otherwise).
      if (k === 'id' || k === 'description' || k === 'enumDescriptions' || k === 'annotations') continue;
      if (k === 'properties' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
        const props: JsonObject = {};
        for (const [name, prop] of Object.entries(v)) props[name] = convert(prop);
        out[k] = props;
      } else out[k] = k === 'enum' ? v : convert(v);
    }
    if (out['type'] === 'any') delete out['type'];
    if (
      out['type'] === 'object' &&
      out['properties'] !== undefined &&
      out['additionalProperties'] === undefined
    )
      out['additionalProperties'] = false;
    return out;
  };
  const definitions: JsonObject = {};
  for (const [name, schema] of Object.entries(doc.schemas)) definitions[name] = convert(schema);
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile({ definitions, $ref: `#/definitions/${resource}` });
  return (value) => (validate(value) ? [] : formatErrors(validate.errors));
}

interface BotocoreShape {
  type: string;
  members?: Record<string, { shape: string }>;
  required?: string[];
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  enum?: string[];
  min?: number;
  max?: number;
}

/**
 * The input of an AWS API operation against botocore's model of the service (what the AWS CLI's
 * `--cli-input-json` is checked against before the call): unknown and missing required members,
 * types, enums and minimums.
 */
export function botocoreInputValidator(modelPath: string, operation: string): Check {
  const model = JSON.parse(readFileSync(modelPath, 'utf8')) as {
    operations: Record<string, { input: { shape: string } }>;
    shapes: Record<string, BotocoreShape>;
  };
  const op = model.operations[operation];
  if (!op) throw new Error(`${modelPath}: no operation ${operation}`);
  const check = (value: unknown, shapeName: string, path: string, problems: string[]): void => {
    const shape = model.shapes[shapeName];
    if (!shape) {
      problems.push(`${path}: the model has no shape ${shapeName}`);
      return;
    }
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    switch (shape.type) {
      case 'structure': {
        if (!isObject) {
          problems.push(`${path}: expected an object (${shapeName})`);
          return;
        }
        const obj = value as Record<string, unknown>;
        for (const req of shape.required ?? [])
          if (!(req in obj)) problems.push(`${path}: missing required member ${req} (${shapeName})`);
        for (const [key, v] of Object.entries(obj)) {
          const member = shape.members?.[key];
          if (!member) problems.push(`${path}.${key}: unknown member of ${shapeName}`);
          else check(v, member.shape, `${path}.${key}`, problems);
        }
        return;
      }
      case 'list': {
        if (!Array.isArray(value)) {
          problems.push(`${path}: expected a list (${shapeName})`);
          return;
        }
        if (shape.min !== undefined && value.length < shape.min)
          problems.push(`${path}: fewer than ${shape.min} items`);
        value.forEach((v, i) => {
          check(v, shape.member!.shape, `${path}[${i}]`, problems);
        });
        return;
      }
      case 'map': {
        if (!isObject) {
          problems.push(`${path}: expected a map (${shapeName})`);
          return;
        }
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          check(k, shape.key!.shape, `${path} key ${k}`, problems);
          check(v, shape.value!.shape, `${path}.${k}`, problems);
        }
        return;
      }
      case 'string':
        if (typeof value !== 'string') problems.push(`${path}: expected a string (${shapeName})`);
        else if (shape.enum && !shape.enum.includes(value))
          problems.push(`${path}: ${JSON.stringify(value)} is not one of ${shape.enum.join(', ')}`);
        else if (shape.min !== undefined && value.length < shape.min)
          problems.push(`${path}: shorter than ${shape.min}`);
        return;
      case 'integer':
      case 'long':
        if (typeof value !== 'number' || !Number.isInteger(value))
          problems.push(`${path}: expected an integer (${shapeName})`);
        else if (shape.min !== undefined && value < shape.min)
          problems.push(`${path}: less than the minimum ${shape.min}`);
        return;
      case 'boolean':
        if (typeof value !== 'boolean') problems.push(`${path}: expected a boolean (${shapeName})`);
        return;
      default:
        // timestamp, blob, double: not used by the files checked here
        return;
    }
  };
  return (value) => {
    const problems: string[] = [];
    check(value, op.input.shape, operation, problems);
    return problems;
  };
}
