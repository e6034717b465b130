/**
 * An index of `pattern` filters by the keys they need at field paths of the event's JSON form: a
 * trie of field paths, each path with its keys (leaf-keys.ts: exact values, prefixes, suffixes,
 * numeric ranges, presence). One walk of the trie per event reads every indexed field once, however
 * many subscriptions share it. When few fields are indexed (the usual case: a region, a status),
 * each is read straight down its path instead, and the walk is kept for events with an array on
 * the way.
 *
 * The walk applies the same array rule as pattern matching, by using the pattern module's own
 * traversal (event-values.ts): intermediate fields offer their object elements, leaf fields their
 * scalar elements at any depth. Numbers are looked up in `canonicalNumber` form, the form exact
 * keys are given in, so 5 and 5.0000001 find the same bucket exactly when the pattern equates them.
 */
import type { CloudEvent } from '../cloudevents/event.js';
import type { FilterInput } from '../filters/input.js';
import { type EventObject, isEventObject, objectsOf, ownValue } from '../filters/pattern/event-values.js';
import type { IdSink } from './candidate-set.js';
import type { HintValue } from './index-keys.js';
import { LeafKeys } from './leaf-keys.js';

interface PathNode {
  /** Fields below this one; parallel to `children`. Arrays: walked every event. */
  readonly fields: string[];
  readonly children: PathNode[];
  /** The same children by field name, for objects read key by key (see `visitObject`). */
  readonly byField: Map<string, PathNode>;
  /** The keys filed under the field at this path; undefined when none ends here. */
  keys: LeafKeys | undefined;
}

const newNode = (): PathNode => ({ fields: [], children: [], byField: new Map(), keys: undefined });

/** Up to this many indexed fields under one object, reading each by name beats walking the object. */
const READ_BY_NAME_LIMIT = 8;

/**
 * An indexed field, read straight down its path: the common case of a few indexed fields and no
 * arrays on the way costs a handful of property reads, not a walk of the trie.
 */
interface LeafPath {
  readonly fields: readonly string[];
  readonly keys: LeafKeys;
}

/** Up to this many indexed fields in all, reading each down its path beats walking the trie. */
const DIRECT_PATHS_LIMIT = 8;

export class PatternHintIndex {
  private readonly root = newNode();
  /**
   * The indexed fields, made on the first collect after a key is added (null until then), or
   * undefined when there are too many to read one by one.
   */
  private leafPaths: readonly LeafPath[] | undefined | null = null;

  /** Files subscription `id` under the exact `value` at `path`, given in canonical form already. */
  add(path: readonly string[], value: HintValue, id: number): void {
    this.keysAt(path).addExact(value, id);
  }

  /** The keys of the field at `path`, to file subscriptions under. */
  keysAt(path: readonly string[]): LeafKeys {
    this.leafPaths = null;
    let node = this.root;
    for (const field of path) {
      const at = node.fields.indexOf(field);
      if (at >= 0) node = node.children[at]!;
      else {
        const child = newNode();
        node.fields.push(field);
        node.children.push(child);
        node.byField.set(field, child);
        node = child;
      }
    }
    node.keys ??= new LeafKeys();
    return node.keys;
  }

  /**
   * Reads the indexed fields of the event's JSON form. Its top level is the attributes plus `data`,
   * so those are read from the event itself: building the JSON form (a copy of the attributes) is
   * left to the predicates that need it, and JSON data is read in place. Only data that is not
   * already JSON (bytes) goes through the shared, cached JSON form, which parses it once.
   */
  collect(event: CloudEvent, input: FilterInput, into: IdSink): void {
    if (this.leafPaths === null) this.leafPaths = leafPathsOf(this.root);
    if (this.leafPaths !== undefined && collectLeafPaths(this.leafPaths, event, input, into)) return;
    const root = this.root;
    const dataNode = root.byField.get('data');
    if (dataNode !== undefined) {
      visitValue(dataNode, input.data(), into);
    }
    visitObject(root, event.attributes, into, 'data');
  }
}

/** The indexed fields under `root`, or undefined when there are more than DIRECT_PATHS_LIMIT. */
function leafPathsOf(root: PathNode): LeafPath[] | undefined {
  const paths: LeafPath[] = [];
  const pending: [PathNode, string[]][] = [[root, []]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, fields] = next;
    if (node.keys !== undefined) {
      if (fields.length === 0) return undefined; // a key for the event itself: walk
      paths.push({ fields, keys: node.keys });
    }
    node.fields.forEach((field, i) => {
      pending.push([node.children[i]!, [...fields, field]]);
    });
  }
  return paths.length <= DIRECT_PATHS_LIMIT ? paths : undefined;
}

/**
 * Looks up each indexed field read straight down its path. Returns false, having perhaps handed
 * over some ids already (the sink deduplicates), when an array stands on a path before its last
 * field: only the walk applies the array rule to intermediate fields.
 */
function collectLeafPaths(
  paths: readonly LeafPath[],
  event: CloudEvent,
  input: FilterInput,
  into: IdSink,
): boolean {
  for (let p = 0; p < paths.length; p++) {
    const { fields, keys } = paths[p]!;
    const first = fields[0]!;
    let value = first === 'data' ? input.data() : ownValue(event.attributes, first);
    for (let i = 1; i < fields.length && value !== undefined; i++) {
      if (isEventObject(value)) value = ownValue(value, fields[i]!);
      else if (Array.isArray(value)) return false;
      else value = undefined; // a scalar has no fields
    }
    if (value !== undefined) keys.collect(value, into);
  }
  return true;
}

/** Looks up the leaves of `value` at `node`, then descends into its objects for deeper fields. */
function visitValue(node: PathNode, value: unknown, into: IdSink): void {
  if (value === undefined) return;
  node.keys?.collect(value, into);
  if (node.children.length === 0) return;
  if (isEventObject(value)) visitObject(node, value, into);
  else if (Array.isArray(value)) for (const object of objectsOf(value)) visitObject(node, object, into);
}

/**
 * Visits the indexed fields of `object`: by name when few are indexed, else by walking the object's
 * own keys, so that a wide set of indexed fields costs no more than the object's size.
 */
function visitObject(node: PathNode, object: EventObject, into: IdSink, skip?: string): void {
  const { fields, children } = node;
  if (fields.length <= READ_BY_NAME_LIMIT) {
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      if (field !== skip) visitValue(children[i]!, ownValue(object, field), into);
    }
    return;
  }
  for (const field of Object.keys(object)) {
    const child = node.byField.get(field);
    if (child !== undefined && field !== skip) visitValue(child, object[field], into);
  }
}
