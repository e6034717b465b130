/**
 * A radix trie of strings, compared in UTF-16 code units like `startsWith`/`endsWith`. Walking it
 * over a value visits the bucket of every stored key that is a prefix of the value (or a suffix,
 * for a trie built `fromEnd`), at a cost proportional to the value's length, whatever the number of
 * keys. Edges carry whole runs of code units, so a walk does one child lookup per branching point
 * rather than per character.
 */
interface TrieNode<T> {
  /** The code units leading to this node from its parent, in walk order. */
  label: string;
  /** The first code unit of each child's label, parallel to `children`. */
  readonly units: number[];
  readonly children: TrieNode<T>[];
  /**
   * Once there are too many children to scan (a short scan beats any lookup, and most nodes have a
   * handful: letters of a word, digits of an id), the children by first code unit: in an array
   * indexed from `directBase` when their units are close together (digits, letters), else a map.
   */
  direct: (TrieNode<T> | undefined)[] | undefined;
  directBase: number;
  byUnit: Map<number, TrieNode<T>> | undefined;
  /** What was stored under the key ending exactly here. */
  bucket: T[] | undefined;
}

const SCAN_LIMIT = 8;
const DIRECT_SPAN_LIMIT = 256;

const newNode = <T>(label: string): TrieNode<T> => ({
  label,
  units: [],
  children: [],
  direct: undefined,
  directBase: 0,
  byUnit: undefined,
  bucket: undefined,
});

function childOf<T>(node: TrieNode<T>, unit: number): TrieNode<T> | undefined {
  const direct = node.direct;
  if (direct !== undefined) {
    const at = unit - node.directBase;
    return at >= 0 && at < direct.length ? direct[at] : undefined;
  }
  if (node.byUnit !== undefined) return node.byUnit.get(unit);
  const units = node.units;
  for (let i = 0; i < units.length; i++) if (units[i] === unit) return node.children[i];
  return undefined;
}

/** Adds or replaces the child whose label starts with `unit`. */
function setChild<T>(node: TrieNode<T>, unit: number, child: TrieNode<T>): void {
  const at = node.units.indexOf(unit);
  if (at >= 0) node.children[at] = child;
  else {
    node.units.push(unit);
    node.children.push(child);
  }
  if (node.units.length <= SCAN_LIMIT) return;
  // Rebuilt on every change: tries are built once per configuration, walked once per event.
  const base = Math.min(...node.units);
  const span = Math.max(...node.units) - base + 1;
  if (span <= DIRECT_SPAN_LIMIT) {
    const direct: (TrieNode<T> | undefined)[] = Array.from({ length: span }, () => undefined);
    node.units.forEach((u, i) => {
      direct[u - base] = node.children[i];
    });
    node.direct = direct;
    node.directBase = base;
    node.byUnit = undefined;
  } else {
    node.direct = undefined;
    node.byUnit = new Map(node.units.map((u, i) => [u, node.children[i]!]));
  }
}

export class AffixTrie<T> {
  private readonly root: TrieNode<T> = newNode('');
  private keyCount = 0;

  /** @param fromEnd match suffixes: keys and values are read from their last code unit backwards */
  constructor(private readonly fromEnd: boolean) {}

  get size(): number {
    return this.keyCount;
  }

  add(key: string, item: T): void {
    const units = this.fromEnd ? reverseCodeUnits(key) : key;
    let node = this.root;
    let at = 0;
    while (at < units.length) {
      const first = units.charCodeAt(at);
      let child = childOf(node, first);
      if (child === undefined) {
        child = newNode(units.slice(at));
        setChild(node, first, child);
        node = child;
        break;
      }
      const shared = sharedLength(child.label, units, at);
      if (shared < child.label.length) {
        // The key diverges (or ends) inside the edge: split it so the key gets a node of its own.
        const middle = newNode<T>(child.label.slice(0, shared));
        child.label = child.label.slice(shared);
        setChild(middle, child.label.charCodeAt(0), child);
        setChild(node, first, middle);
        child = middle;
      }
      node = child;
      at += shared;
    }
    if (node.bucket === undefined) {
      node.bucket = [];
      this.keyCount++;
    }
    node.bucket.push(item);
  }

  /** Calls `visit` with the bucket of every stored key that `value` starts (or ends) with. */
  walk(value: string, visit: (bucket: readonly T[]) => void): void {
    let node = this.root;
    if (node.bucket !== undefined) visit(node.bucket);
    const step = this.fromEnd ? -1 : 1;
    let position = this.fromEnd ? value.length - 1 : 0;
    let remaining = value.length;
    while (remaining > 0) {
      const child = childOf(node, value.charCodeAt(position));
      if (child === undefined) return;
      const label = child.label;
      if (label.length > remaining) return;
      // The first code unit was matched by the lookup; compare the rest of the edge.
      for (let i = 1; i < label.length; i++) {
        if (label.charCodeAt(i) !== value.charCodeAt(position + i * step)) return;
      }
      position += label.length * step;
      remaining -= label.length;
      node = child;
      if (node.bucket !== undefined) visit(node.bucket);
    }
  }
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
