/**
 * A radix trie of strings, compared in UTF-16 code units like `startsWith`/`endsWith`. Walking it
 * over a value hands over the ids stored under every key that is a prefix of the value (or a
 * suffix, for a trie built `fromEnd`), at a cost proportional to the value's length, whatever the
 * number of keys. Edges carry whole runs of code units, so a walk does one child lookup per
 * branching point rather than per character.
 *
 * Keys are added to a tree of objects, which is packed into one typed array the first time the
 * trie is walked: nodes laid out one after another in depth-first order, each with its label, ids
 * and children inline, instead of objects scattered over the heap. With thousands of keys a walk
 * then touches about one cache line per node rather than several, which is what its cost is made
 * of at that size.
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
 * A packed node is one run of the `nodes` array holding everything a walk reads there: the length
 * of its label, how many ids and children it has, the label's code units, its ids, then its
 * children as (first code unit, child's offset) pairs sorted by unit. A walk thus reads each node
 * it passes from one place, usually a single cache line, which is what a walk costs once the trie
 * no longer fits in the processor's caches.
 */
const LABEL_LENGTH = 0;
const ID_COUNT = 1;
const CHILD_COUNT = 2;
const HEADER = 3;

/** Up to this many children, a linear scan of their first units beats a binary search. */
const SCAN_LIMIT = 8;

export class AffixTrie {
  private readonly root = newNode('');
  private keyCount = 0;
  private packed: Int32Array | undefined;

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
    const nodes = this.packed;
    // The root's label is empty: its ids follow its header.
    if (nodes[ID_COUNT]! > 0) into.addRange(nodes, HEADER, HEADER + nodes[ID_COUNT]!);
    const step = this.fromEnd ? -1 : 1;
    let position = this.fromEnd ? value.length - 1 : 0;
    let remaining = value.length;
    let node = 0;
    while (remaining > 0) {
      const child = childOf(nodes, node, value.charCodeAt(position));
      if (child < 0) return;
      const labelLength = nodes[child + LABEL_LENGTH]!;
      if (labelLength > remaining) return;
      // The first code unit was matched by the lookup; compare the rest of the edge.
      const label = child + HEADER;
      for (let i = 1; i < labelLength; i++) {
        if (nodes[label + i] !== value.charCodeAt(position + i * step)) return;
      }
      position += labelLength * step;
      remaining -= labelLength;
      node = child;
      const idCount = nodes[child + ID_COUNT]!;
      if (idCount > 0) into.addRange(nodes, label + labelLength, label + labelLength + idCount);
    }
  }
}

/** The offset of the child of `node` whose label starts with `unit`, or -1. */
function childOf(nodes: Int32Array, node: number, unit: number): number {
  const count = nodes[node + CHILD_COUNT]!;
  const first = node + HEADER + nodes[node + LABEL_LENGTH]! + nodes[node + ID_COUNT]!;
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
function pack(root: BuildNode): Int32Array {
  const order: BuildNode[] = [];
  const childrenOf = new Map<BuildNode, [number, BuildNode][]>();
  const pending = [root];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    order.push(node);
    const children = [...node.children].sort(([a], [b]) => a - b);
    childrenOf.set(node, children);
    // Pushed in reverse, so that they are popped, and laid out, in ascending order.
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]![1]);
  }
  const offsets = new Map<BuildNode, number>();
  let size = 0;
  for (const node of order) {
    offsets.set(node, size);
    size += HEADER + node.label.length + node.ids.length + 2 * node.children.size;
  }
  const nodes = new Int32Array(size);
  for (const node of order) {
    let at = offsets.get(node)!;
    nodes[at + LABEL_LENGTH] = node.label.length;
    nodes[at + ID_COUNT] = node.ids.length;
    nodes[at + CHILD_COUNT] = node.children.size;
    at += HEADER;
    for (let i = 0; i < node.label.length; i++) nodes[at++] = node.label.charCodeAt(i);
    for (const id of node.ids) nodes[at++] = id;
    for (const [unit, child] of childrenOf.get(node)!) {
      nodes[at++] = unit;
      nodes[at++] = offsets.get(child)!;
    }
  }
  return nodes;
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
