import { loadManifests } from '../config/load.js';
import type { Problem } from '../config/problem.js';
import type { SecretMode } from '../config/secrets.js';
import { EXTRA_DIALECTS } from '../filters/dialects.js';
import type { PluginSet } from '../ports/plugins.js';
import { compileConfig, type RuntimeConfig } from './compile.js';

/** Loads, checks and compiles the configuration directory in one step. */
export function readConfig(
  dir: string,
  secrets: SecretMode,
  plugins: PluginSet,
  env: NodeJS.ProcessEnv = process.env,
): { config?: RuntimeConfig; problems: Problem[] } {
  const loaded = loadManifests(dir);
  const compiled = compileConfig(loaded.manifests, { secrets, dialects: EXTRA_DIALECTS, plugins, env });
  const problems = [...loaded.problems, ...compiled.problems].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col,
  );
  return problems.length > 0
    ? { problems }
    : compiled.config
      ? { config: compiled.config, problems }
      : { problems };
}
