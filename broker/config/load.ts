import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { validateManifestShape } from './manifest-schema.js';
import type { Problem } from './problem.js';
import { setAsideViolations } from './set-aside.js';
import type { Manifest } from './types.js';
import { type ManifestDocument, type PathSegment, parseManifestFile } from './yaml-document.js';

/**
 * A manifest, with the document it came from (for positions). One that failed its JSON Schema
 * comes with `setAside`: its problems are reported already, and `manifest` is what is left once
 * the values at those paths are taken out (set-aside.ts), compiled only to report the rest.
 */
export interface LoadedManifest<M extends Manifest = Manifest> {
  manifest: M;
  doc: ManifestDocument;
  setAside?: readonly PathSegment[][];
}

export interface LoadResult {
  manifests: LoadedManifest[];
  problems: Problem[];
}

/**
 * Every `*.yaml`/`*.yml` file under `dir`, recursively, in a stable order. A name whose target
 * cannot be looked at (a dangling symlink, a file removed while an editor saves) is listed all
 * the same: reading it then reports the problem against that file, not the whole directory.
 */
export function listManifestFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (entry.name.startsWith('.')) continue; // editor swap files, .git
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ya?ml$/i.test(entry.name) && isFileOrUnknown(full)) out.push(full);
    }
  };
  walk(dir);
  return out;
}

function isFileOrUnknown(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return true;
  }
}

/**
 * Reads and schema-checks every manifest under `dir`; `manifests` holds those that failed too,
 * with what failed set aside (LoadedManifest.setAside), so that the compile step can check the
 * rest of them in the same run. File names in problems are given as
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
    try {
      const loaded = loadFile(file, display);
      problems.push(...loaded.problems);
      manifests.push(...loaded.manifests);
    } catch (err) {
      // Nothing below is expected to throw (the yaml library reports into its documents), but
      // a manifest must never take the broker down: whatever it is becomes this file's problem.
      problems.push({ file: display, line: 1, col: 1, message: `cannot load: ${messageOf(err)}` });
    }
  }
  return { manifests, problems };
}

/** One file's manifests and problems. */
function loadFile(file: string, display: string): LoadResult {
  const problems: Problem[] = [];
  const manifests: LoadedManifest[] = [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return {
      manifests,
      problems: [{ file: display, line: 1, col: 1, message: `cannot read: ${messageOf(err)}` }],
    };
  }
  const parsed = parseManifestFile(display, text);
  problems.push(...parsed.problems);
  for (const doc of parsed.documents) {
    if (doc.value === null || typeof doc.value !== 'object' || Array.isArray(doc.value)) {
      problems.push(doc.problem([], 'a manifest must be a mapping with apiVersion, kind, metadata and spec'));
      continue;
    }
    const violations = validateManifestShape(doc.value);
    if (violations.length > 0) {
      for (const v of violations) problems.push(doc.problem(v.path, v.message, { key: v.key }));
      // The rest of the document is still checked, in the same run (set-aside.ts).
      const rest = setAsideViolations(doc.value, violations);
      if (rest) manifests.push({ manifest: rest.value as unknown as Manifest, doc, setAside: rest.paths });
      continue;
    }
    manifests.push({ manifest: doc.value as Manifest, doc });
  }
  return { manifests, problems };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
