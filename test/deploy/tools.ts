import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { harnessCacheDir, pinnedVersion } from '../harness/cache.js';

/** What test/harness/deploy-tools.sh fetched, and where. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DEPLOY_DIR = join(REPO_ROOT, 'deploy');
export const CHART_DIR = join(DEPLOY_DIR, 'helm', 'trigger-broker');
export const TOOLS_DIR = join(harnessCacheDir(), 'deploy');

export const run = promisify(execFile);

export function helmBinary(): string | undefined {
  const path = join(TOOLS_DIR, 'bin', `helm-${pinnedVersion('HELM_VERSION')}`, 'helm');
  return existsSync(path) ? path : undefined;
}

/** The cached file, or undefined (the test then skips, naming deploy-tools.sh). */
export function cachedFile(...parts: string[]): string | undefined {
  const path = join(TOOLS_DIR, ...parts);
  return existsSync(path) ? path : undefined;
}

export const MISSING_TOOLS =
  'not in the harness cache: run `bash test/harness/setup.sh` (test/harness/deploy-tools.sh fetches it)';

/** Every document of a YAML stream, as plain data; a document with a YAML error throws. */
export function yamlDocuments(text: string, what: string): unknown[] {
  const out: unknown[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${what}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

/** A Kubernetes object as far as these tests look at it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [key: string]: unknown };
  [key: string]: unknown;
}

export function isKubeObject(value: unknown): value is KubeObject {
  const v = value as Partial<KubeObject> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.apiVersion === 'string' &&
    typeof v.kind === 'string' &&
    typeof v.metadata?.name === 'string'
  );
}

/** `helm template` of the chart with these --set-json values; the rendered objects. */
export async function helmTemplate(
  helm: string,
  values: Record<string, unknown> = {},
  extraArgs: string[] = [],
): Promise<{ text: string; objects: KubeObject[] }> {
  const args = ['template', 'trigger-broker', CHART_DIR, '--namespace', 'trigger-broker', ...extraArgs];
  for (const [key, value] of Object.entries(values))
    args.push('--set-json', `${key}=${JSON.stringify(value)}`);
  const { stdout } = await run(helm, args, { env: helmEnv(), maxBuffer: 16 * 1024 * 1024 });
  const objects = yamlDocuments(stdout, 'helm template').map((o) => {
    if (!isKubeObject(o))
      throw new Error(`helm template rendered something that is not an object: ${JSON.stringify(o)}`);
    return o;
  });
  return { text: stdout, objects };
}

/** Helm with its own cache and config directories, so that tests never read or write the user's. */
export function helmEnv(): NodeJS.ProcessEnv {
  const home = join(TOOLS_DIR, 'helm-home');
  return {
    ...process.env,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  };
}
