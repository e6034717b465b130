/**
 * A radix trie of strings, compared in UTF-16 code units like `startsWith`/`endsWith`. Walking it
 * over a value hands over the ids stored under every key that is a prefix of the value (or a
 * suffix, for a trie built `fromEnd`), at a cost proportional to the value's length, whatever the
 * number of keys. Edges carry whole runs of code units, so a walk does one child lookup per
 * branching point rather than per character.
 *
 * Keys are added to a tree of objects, which is then packed into a few typed arrays the first time
 * the trie is walked: a walk reads nodes laid out one after another in depth-first order, labels
 * as code units in one array, and ids in another, instead of following pointers between objects
 * scattered over the heap. With thousands of keys the walk then touches a few cache lines rather
 * than several per node, which is what its cost is made of at that size.
 */
import type { IdSink } from './candidate-set.js';

interface BuildNode {
  /** The code units leading to this node from its parent, in walk order. */
  label: string;
  /** Children by the first code unit of their label. */
  readonly children: Map<number, BuildNode>;
  /** The ids stored under the key ending exactly here, in insertion order. */
  readonly ids: number[];
}

const newNode = (label: string): BuildNode => ({ label, children: new Map(), ids: [] });

/**
 * A packed node is a run of the `nodes` array: where its label and ids lie in the other arrays,
 * then its children as (first code unit, child's offset) pairs sorted by unit. A walk thus reads a
 * node and the choice of its next step from one place, usually one cache line.
 */
const LABEL_START = 0;
const LABEL_LENGTH = 1;
const IDS_START = 2;
const IDS_END = 3;
const CHILD_COUNT = 4;
const CHILDREN = 5;

/** Up to this many children, a linear scan of their first units beats a binary search. */
const SCAN_LIMIT = 8;

interface Packed {
  /** Node runs, depth first from the root at offset 0. */
  readonly nodes: Int32Array;
  readonly labels: Uint16Array;
  readonly ids: Int32Array;
}

export class AffixTrie {
  private readonly root = newNode('');
  private keyCount = 0;
  private packed: Packed | undefined;

  /** @param fromEnd match suffixes: keys and values are read from their last code unit backwards */
  constructor(private readonly fromEnd: boolean) {}

  get size(): number {
    return this.keyCount;
  }

  add(key: string, id: number): void {
    this.packed = undefined;
    const units = this.fromEnd ? reverseCodeUnits(key) : key;
    let node = this.root;
    let at = 0;
    while (at < units.length) {
      const first = units.charCodeAt(at);
      let child = node.children.get(first);
      if (child === undefined) {
        child = newNode(units.slice(at));
        node.children.set(first, child);
        node = child;
        break;
      }
      const shared = sharedLength(child.label, units, at);
      if (shared < child.label.length) {
        // The key diverges (or ends) inside the edge: split it so the key gets a node of its own.
        const middle = newNode(child.label.slice(0, shared));
        child.label = child.label.slice(shared);
        middle.children.set(child.label.charCodeAt(0), child);
        node.children.set(first, middle);
        child = middle;
      }
      node = child;
      at += shared;
    }
    if (node.ids.length === 0) this.keyCount++;
    node.ids.push(id);
  }

  /** Hands `into` the ids of every stored key that `value` starts (or ends) with. */
  walk(value: string, into: IdSink): void {
    this.packed ??= pack(this.root);
    const { nodes, labels, ids } = this.packed;
    if (nodes[IDS_END]! > nodes[IDS_START]!) into.addRange(ids, nodes[IDS_START]!, nodes[IDS_END]!);
    const step = this.fromEnd ? -1 : 1;
    let position = this.fromEnd ? value.length - 1 : 0;
    let remaining = value.length;
    let node = 0;
    while (remaining > 0) {
      const child = childOf(nodes, node, value.charCodeAt(position));
      if (child < 0) return;
      const labelStart = nodes[child + LABEL_START]!;
      const labelLength = nodes[child + LABEL_LENGTH]!;
      if (labelLength > remaining) return;
      // The first code unit was matched by the lookup; compare the rest of the edge.
      for (let i = 1; i < labelLength; i++) {
        if (labels[labelStart + i] !== value.charCodeAt(position + i * step)) return;
      }
      position += labelLength * step;
      remaining -= labelLength;
      node = child;
      const idsStart = nodes[child + IDS_START]!;
      const idsEnd = nodes[child + IDS_END]!;
      if (idsEnd > idsStart) into.addRange(ids, idsStart, idsEnd);
    }
  }
}

/** The offset of the child of `node` whose label starts with `unit`, or -1. */
function childOf(nodes: Int32Array, node: number, unit: number): number {
  const count = nodes[node + CHILD_COUNT]!;
  const first = node + CHILDREN;
  if (count <= SCAN_LIMIT) {
    for (let i = 0; i < count; i++) if (nodes[first + 2 * i] === unit) return nodes[first + 2 * i + 1]!;
    return -1;
  }
  let low = 0;
  let high = count;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const found = nodes[first + 2 * middle]!;
    if (found === unit) return nodes[first + 2 * middle + 1]!;
    if (found < unit) low = middle + 1;
    else high = middle;
  }
  return -1;
}

/** Lays the tree out depth first: a node's children follow it, in the order of their first unit. */
function pack(root: BuildNode): Packed {
  const order: BuildNode[] = [];
  const pending = [root];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    order.push(node);
    // Pushed in reverse, so that they are popped, and laid out, in ascending order.
    const children = sortedChildren(node);
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]![1]);
  }
  const offsets = new Map<BuildNode, number>();
  let size = 0;
  for (const node of order) {
    offsets.set(node, size);
    size += CHILDREN + 2 * node.children.size;
  }
  const nodes = new Int32Array(size);
  const labels = new Uint16Array(order.reduce((sum, node) => sum + node.label.length, 0));
  const ids = new Int32Array(order.reduce((sum, node) => sum + node.ids.length, 0));
  let labelAt = 0;
  let idAt = 0;
  for (const node of order) {
    const at = offsets.get(node)!;
    nodes[at + LABEL_START] = labelAt;
    nodes[at + LABEL_LENGTH] = node.label.length;
    for (let i = 0; i < node.label.length; i++) labels[labelAt++] = node.label.charCodeAt(i);
    nodes[at + IDS_START] = idAt;
    for (const id of node.ids) ids[idAt++] = id;
    nodes[at + IDS_END] = idAt;
    nodes[at + CHILD_COUNT] = node.children.size;
    sortedChildren(node).forEach(([unit, child], i) => {
      nodes[at + CHILDREN + 2 * i] = unit;
      nodes[at + CHILDREN + 2 * i + 1] = offsets.get(child)!;
    });
  }
  return { nodes, labels, ids };
}

function sortedChildren(node: BuildNode): [number, BuildNode][] {
  return [...node.children].sort(([a], [b]) => a - b);
}

function sharedLength(label: string, units: string, from: number): number {
  const limit = Math.min(label.length, units.length - from);
  let shared = 0;
  while (shared < limit && label.charCodeAt(shared) === units.charCodeAt(from + shared)) shared++;
  return shared;
}

/** Reverses code units, not code points: `endsWith` compares code units too. */
function reverseCodeUnits(text: string): string {
  let reversed = '';
  for (let i = text.length - 1; i >= 0; i--) reversed += text.charAt(i);
  return reversed;
}
