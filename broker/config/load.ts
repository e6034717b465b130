import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { validateManifestShape } from './manifest-schema.js';
import type { Problem } from './problem.js';
import type { Manifest } from './types.js';
import { type ManifestDocument, parseManifestFile } from './yaml-document.js';

/** A manifest that passed its JSON Schema, with the document it came from (for positions). */
export interface LoadedManifest<M extends Manifest = Manifest> {
  manifest: M;
  doc: ManifestDocument;
}

export interface LoadResult {
  manifests: LoadedManifest[];
  problems: Problem[];
}

/** Every `*.yaml`/`*.yml` file under `dir`, recursively, in a stable order. */
export function listManifestFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (entry.name.startsWith('.')) continue; // editor swap files, .git
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ya?ml$/i.test(entry.name) && statSync(full).isFile()) out.push(full);
    }
  };
  walk(dir);
  return out;
}

/**
 * Reads and schema-checks every manifest under `dir`. File names in problems are given as
 * the user named the directory (`config/subs.yaml`), so they can be clicked in a terminal.
 */
export function loadManifests(dir: string, displayBase = dir): LoadResult {
  const problems: Problem[] = [];
  const manifests: LoadedManifest[] = [];
  let files: string[];
  try {
    files = listManifestFiles(dir);
  } catch (err) {
    return {
      manifests,
      problems: [
        {
          file: dir,
          line: 1,
          col: 1,
          message: `cannot read the configuration directory: ${(err as Error).message}`,
        },
      ],
    };
  }
  for (const file of files) {
    const display = join(displayBase, relative(dir, file));
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      problems.push({ file: display, line: 1, col: 1, message: `cannot read: ${(err as Error).message}` });
      continue;
    }
    const parsed = parseManifestFile(display, text);
    problems.push(...parsed.problems);
    for (const doc of parsed.documents) {
      if (doc.value === null || typeof doc.value !== 'object' || Array.isArray(doc.value)) {
        problems.push(
          doc.problem([], 'a manifest must be a mapping with apiVersion, kind, metadata and spec'),
        );
        continue;
      }
      const violations = validateManifestShape(doc.value);
      if (violations.length > 0) {
        for (const v of violations) problems.push(doc.problem(v.path, v.message, { key: v.key }));
        continue;
      }
      manifests.push({ manifest: doc.value as Manifest, doc });
    }
  }
  return { manifests, problems };
}
