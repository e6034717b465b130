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

/** Per packed node: where its label, children and ids lie in the other arrays. */
const LABEL_START = 0;
const LABEL_END = 1;
const CHILD_START = 2;
const CHILD_END = 3;
const IDS_START = 4;
const IDS_END = 5;
const FIELDS = 6;

/** Up to this many children, a linear scan of their first units beats a binary search. */
const SCAN_LIMIT = 8;

interface Packed {
  readonly nodes: Int32Array;
  readonly labels: Uint16Array;
  /** The first code unit of each child's label, sorted within each node's run. */
  readonly childUnits: Uint16Array;
  /** The packed index of each child, parallel to `childUnits`. */
  readonly childNodes: Int32Array;
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
    const { nodes, labels, childUnits, childNodes, ids } = this.packed;
    if (nodes[IDS_END]! > nodes[IDS_START]!) into.addRange(ids, nodes[IDS_START]!, nodes[IDS_END]!);
    const step = this.fromEnd ? -1 : 1;
    let position = this.fromEnd ? value.length - 1 : 0;
    let remaining = value.length;
    let node = 0;
    while (remaining > 0) {
      const child = childOf(node, value.charCodeAt(position), nodes, childUnits, childNodes);
      if (child < 0) return;
      const at = child * FIELDS;
      const labelStart = nodes[at + LABEL_START]!;
      const labelLength = nodes[at + LABEL_END]! - labelStart;
      if (labelLength > remaining) return;
      // The first code unit was matched by the lookup; compare the rest of the edge.
      for (let i = 1; i < labelLength; i++) {
        if (labels[labelStart + i] !== value.charCodeAt(position + i * step)) return;
      }
      position += labelLength * step;
      remaining -= labelLength;
      node = child;
      const idsStart = nodes[at + IDS_START]!;
      const idsEnd = nodes[at + IDS_END]!;
      if (idsEnd > idsStart) into.addRange(ids, idsStart, idsEnd);
    }
  }
}

function childOf(
  node: number,
  unit: number,
  nodes: Int32Array,
  childUnits: Uint16Array,
  childNodes: Int32Array,
): number {
  let low = nodes[node * FIELDS + CHILD_START]!;
  let high = nodes[node * FIELDS + CHILD_END]!;
  if (high - low <= SCAN_LIMIT) {
    for (let i = low; i < high; i++) if (childUnits[i] === unit) return childNodes[i]!;
    return -1;
  }
  while (low < high) {
    const middle = (low + high) >>> 1;
    const found = childUnits[middle]!;
    if (found === unit) return childNodes[middle]!;
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
    const children = [...node.children].sort(([a], [b]) => a - b);
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]![1]);
  }
  const indexOf = new Map(order.map((node, index) => [node, index]));
  const nodes = new Int32Array(order.length * FIELDS);
  const labels = new Uint16Array(order.reduce((sum, node) => sum + node.label.length, 0));
  const childUnits = new Uint16Array(order.length - 1);
  const childNodes = new Int32Array(order.length - 1);
  const ids = new Int32Array(order.reduce((sum, node) => sum + node.ids.length, 0));
  let labelAt = 0;
  let childAt = 0;
  let idAt = 0;
  order.forEach((node, index) => {
    const at = index * FIELDS;
    nodes[at + LABEL_START] = labelAt;
    for (let i = 0; i < node.label.length; i++) labels[labelAt++] = node.label.charCodeAt(i);
    nodes[at + LABEL_END] = labelAt;
    nodes[at + CHILD_START] = childAt;
    for (const [unit, child] of [...node.children].sort(([a], [b]) => a - b)) {
      childUnits[childAt] = unit;
      childNodes[childAt++] = indexOf.get(child)!;
    }
    nodes[at + CHILD_END] = childAt;
    nodes[at + IDS_START] = idAt;
    for (const id of node.ids) ids[idAt++] = id;
    nodes[at + IDS_END] = idAt;
  });
  return { nodes, labels, childUnits, childNodes, ids };
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
