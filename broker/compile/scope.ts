import { dirname } from 'node:path';
import { parseDuration } from '../config/duration.js';
import type { LoadedManifest } from '../config/load.js';
import type { Problem } from '../config/problem.js';
import { resolveSecret, type Secret, type SecretMode } from '../config/secrets.js';
import { touchesSetAside } from '../config/set-aside.js';
import type { Manifest, SecretRef } from '../config/types.js';
import type { PathSegment } from '../config/yaml-document.js';
import type { ReportProblem } from '../filters/compile.js';

/**
 * What compiling one manifest needs: a way to report a problem at a path in it (file:line:col),
 * to resolve its secrets, and to read its durations. Problems are collected, never thrown, so
 * that one run reports all of them. For a manifest that failed its schema, problems at the parts
 * set aside (LoadedManifest.setAside) are left out: the schema's own problem says what is wrong.
 */
export interface ManifestScope<M extends Manifest = Manifest> {
  readonly item: LoadedManifest<M>;
  report: ReportProblem;
  secret(ref: SecretRef, path: readonly PathSegment[]): Secret | undefined;
  /** The duration at `path` in milliseconds (`fallback` when unset); 0 after reporting a bad one. */
  duration(value: string | undefined, fallback: string, path: readonly PathSegment[]): number;
}

export interface ScopeOptions {
  secrets: SecretMode;
  env?: NodeJS.ProcessEnv;
}

export function manifestScope<M extends Manifest>(
  item: LoadedManifest<M>,
  problems: Problem[],
  options: ScopeOptions,
): ManifestScope<M> {
  const setAside = item.setAside;
  const report: ReportProblem = setAside
    ? (path, message, opts) => {
        // At, inside or above what the schema refused: a repeat of its problem, or a consequence.
        if (!touchesSetAside(path, setAside)) problems.push(item.doc.problem(path, message, opts));
      }
    : (path, message, opts) => {
        problems.push(item.doc.problem(path, message, opts));
      };
  return {
    item,
    report,
    secret(ref, path) {
      if (options.secrets === 'form') return undefined;
      try {
        return resolveSecret(ref, dirname(item.doc.file), options.env);
      } catch (err) {
        report(path, (err as Error).message);
        return undefined;
      }
    },
    duration(value, fallback, path) {
      const parsed = parseDuration(value ?? fallback);
      if ('error' in parsed) {
        report(path, parsed.error);
        return 0;
      }
      return parsed.ms;
    },
  };
}
