import type { SchemaViolation } from './manifest-schema.js';
import type { PathSegment } from './yaml-document.js';

/** The manifest kinds the compile step knows (manifest.schema.json). */
const KINDS = new Set(['Broker', 'Source', 'Subscription', 'EventSchema']);

/** What is left of a manifest that failed its schema, for the compile step to check. */
export interface SetAside {
  /** A copy of the document without the values at `paths` (an array entry becomes undefined). */
  value: Record<string, unknown> & { kind: string; metadata: { name: string }; spec: object };
  /** Each part set aside, as a path in the document. */
  paths: PathSegment[][];
}

/**
 * A manifest that failed its JSON Schema is still compiled, so that one run of `validate` or
 * `start` reports every problem of a configuration, not the schema's first and the compile
 * step's (a bad duration, a numeric operator, a filter that does not parse) only once those are
 * fixed. What the schema refused is set aside first, in units the compile step can do without:
 *
 * - a plugin's block (a Source's connector block, a `sink`, a `deadLetterSink`, the Broker's
 *   `store`) and a top-level filter go whole: their builders expect all of their fields;
 * - an EventSchema's `schema` goes whole;
 * - anything else goes alone (a duration, a limit, an unknown field); a missing field is already
 *   gone, and only recorded;
 * - a bad `metadata.name` is replaced by a stand-in that passes the name rule.
 *
 * The compile step then skips what is missing, and drops every problem it reports at a path set
 * aside, inside one or above one: those would only repeat the schema's problem or follow from it
 * (compile/scope.ts). Undefined when nothing can be compiled: no known kind, or no spec object.
 */
export function setAsideViolations(
  value: unknown,
  violations: readonly SchemaViolation[],
): SetAside | undefined {
  if (!isObject(value) || typeof value['kind'] !== 'string' || !KINDS.has(value['kind'])) return undefined;
  if (!isObject(value['spec'])) return undefined;
  const kind = value['kind'];
  const copy = structuredClone(value);
  const paths: PathSegment[][] = [];
  for (const violation of violations) {
    const unit = unitOf(kind, violation.target);
    if (paths.some((p) => startsWith(unit, p))) continue;
    for (let i = paths.length - 1; i >= 0; i--) if (startsWith(paths[i]!, unit)) paths.splice(i, 1);
    paths.push(unit);
  }
  for (const path of paths) {
    if (path.length === 0 || (path.length === 1 && path[0] === 'spec')) return undefined;
    deleteAt(copy, path);
  }
  const metadata = isObject(copy['metadata']) ? copy['metadata'] : {};
  if (typeof metadata['name'] !== 'string' || paths.some((p) => startsWith(['metadata', 'name'], p))) {
    copy['metadata'] = { ...metadata, name: standInName(metadata['name']) };
  }
  return { value: copy as SetAside['value'], paths };
}

/** Whether `path` is at, inside or above one of `setAside`: a problem there is not reported. */
export function touchesSetAside(
  path: readonly PathSegment[],
  setAside: readonly (readonly PathSegment[])[],
): boolean {
  return setAside.some((p) => startsWith(path, p) || startsWith(p, path));
}

/** The part of the manifest set aside for a fault at `target`. */
function unitOf(kind: string, target: readonly PathSegment[]): PathSegment[] {
  const [top, field, ...rest] = target;
  if (top === 'metadata' && (field === undefined || field === 'name')) return ['metadata', 'name'];
  if (top !== 'spec' || field === undefined) return [...target];
  switch (kind) {
    case 'Source':
      // Every key but `ce` and `required` is a connector block (or an unknown field, which goes too).
      return field === 'ce' || field === 'required' ? [...target] : ['spec', field];
    case 'Subscription':
      if (field === 'sink') return ['spec', 'sink'];
      if (field === 'filters') return rest.length > 0 ? ['spec', 'filters', rest[0]!] : ['spec', 'filters'];
      if (field === 'delivery' && rest[0] === 'deadLetterSink') return ['spec', 'delivery', 'deadLetterSink'];
      return [...target];
    case 'Broker':
      return field === 'store' ? ['spec', 'store'] : [...target];
    case 'EventSchema':
      return field === 'schema' ? ['spec', 'schema'] : [...target];
    default:
      return [...target];
  }
}

/** A name that passes the name rule (definitions.schema.json), close to the one written. */
function standInName(written: unknown): string {
  const text = typeof written === 'string' ? written : '';
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 63);
  return /^[a-z0-9-]{1,63}$/.test(name) ? name : 'unnamed';
}

function deleteAt(root: Record<string, unknown>, path: readonly PathSegment[]): void {
  let node: unknown = root;
  for (const segment of path.slice(0, -1)) {
    if (!isObject(node) && !Array.isArray(node)) return;
    node = (node as Record<PathSegment, unknown>)[segment];
  }
  const last = path[path.length - 1]!;
  if (Array.isArray(node)) {
    // Kept as a hole, so that the entries after it keep their positions.
    if (typeof last === 'number' && last < node.length) node[last] = undefined;
  } else if (isObject(node)) delete node[String(last)];
}

/** Whether `path` begins with `prefix`. */
function startsWith(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => String(segment) === String(path[i]));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
