import {
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
} from 'yaml';
import type { Problem } from './problem.js';
import { documentValue } from './yaml-value.js';

export type PathSegment = string | number;

/** One YAML document of a manifest file, able to say where any path inside it is. */
export interface ManifestDocument {
  file: string;
  /** The document as plain data. */
  value: unknown;
  /**
   * The position of the node at `path` (its key when `key` is set), or of the deepest
   * existing ancestor when the path does not exist (a missing field is reported where it
   * should have been written).
   */
  locate(
    path: readonly PathSegment[],
    options?: { key?: boolean; offset?: number },
  ): { line: number; col: number };
  problem(
    path: readonly PathSegment[],
    message: string,
    options?: { key?: boolean; offset?: number },
  ): Problem;
}

/**
 * Parses every YAML document of one file; syntax errors, and documents the library cannot turn
 * into data (an alias bomb), come back as problems.
 */
export function parseManifestFile(
  file: string,
  text: string,
): { documents: ManifestDocument[]; problems: Problem[] } {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: Problem[] = [];
  const documents: ManifestDocument[] = [];
  const list = Array.isArray(docs) ? docs : [];
  if (!Array.isArray(docs)) return { documents, problems };
  for (const doc of list) {
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        const pos = lineCounter.linePos(err.pos[0]);
        problems.push({ file, line: pos.line, col: pos.col, message: `YAML: ${firstLine(err.message)}` });
      }
      continue;
    }
    if (doc.contents === null) continue; // an empty document (e.g. a trailing `---`)
    const converted = documentValue(doc);
    if (!converted.ok) {
      const pos = lineCounter.linePos(converted.offset);
      problems.push({ file, line: pos.line, col: pos.col, message: `YAML: ${firstLine(converted.message)}` });
      continue;
    }
    documents.push(makeDocument(file, doc, lineCounter, converted.value));
  }
  return { documents, problems };
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}

function makeDocument(
  file: string,
  doc: Document.Parsed,
  lineCounter: LineCounter,
  value: unknown,
): ManifestDocument {
  const locate: ManifestDocument['locate'] = (path, options) => {
    const offset = offsetOf(doc, path, options?.key ?? false, options?.offset);
    return lineCounter.linePos(offset);
  };
  return {
    file,
    value,
    locate,
    problem(path, message, options) {
      const { line, col } = locate(path, options);
      return { file, line, col, message };
    },
  };
}

/**
 * `inner`, when given, is an offset into the string value at `path` (a CESQL or template
 * fault): a quoted scalar's text starts one character after its quote. Escapes inside a
 * double-quoted scalar are not counted, so such a column can be off by their length.
 */
function offsetOf(
  doc: Document.Parsed,
  path: readonly PathSegment[],
  wantKey: boolean,
  inner?: number,
): number {
  const start = nodeOffset(doc, path, wantKey);
  if (inner === undefined) return start.offset;
  const quoted =
    start.node !== undefined &&
    isScalar(start.node) &&
    (start.node.type === 'QUOTE_DOUBLE' || start.node.type === 'QUOTE_SINGLE');
  return start.offset + inner + (quoted ? 1 : 0);
}

function nodeOffset(
  doc: Document.Parsed,
  path: readonly PathSegment[],
  wantKey: boolean,
): { offset: number; node?: Node } {
  let node: Node | null | undefined = doc.contents;
  let best = node?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (!pair) return { offset: best };
      const keyNode = pair.key as Node;
      if (last && wantKey) return { offset: keyNode.range?.[0] ?? best };
      node = pair.value as Node | null;
      // A key with no value (`sink:`) has no node, or an empty null one: point at the key.
      const empty = !node || (isScalar(node) && node.range != null && node.range[0] === node.range[1]);
      best = (empty ? keyNode.range?.[0] : node?.range?.[0]) ?? best;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) return { offset: best };
      node = item;
      best = item.range?.[0] ?? best;
    } else {
      return { offset: best };
    }
  }
  return node ? { offset: best, node } : { offset: best };
}
