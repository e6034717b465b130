// What the azure sink tests share whether or not a function app runs: building the sink from a
// manifest block through its descriptor, as the configuration compiler does. Pure, so
// test/sinks/azure.test.ts uses it too.
import { Secret } from '../../../../broker/config/secrets.js';
import type { SecretRef } from '../../../../broker/config/types.js';
import type { PathSegment } from '../../../../broker/config/yaml-document.js';
import type { Sink } from '../../../../broker/ports/sink.js';
import { azureFunctionsSink } from '../../../../sinks/azure/index.js';

export const SINK_PATH = ['spec', 'sink', 'azure'] as const;

export interface BuildResult {
  sink: Sink | undefined;
  problems: { path: string; message: string }[];
  /** Where each secret reference was read, as dotted paths. */
  secretPaths: string[];
}

/**
 * Builds an azure sink. `secrets` holds the values of the environment variables references
 * name; a reference to any other is not read, as in validate mode.
 */
export function buildAzure(spec: Record<string, unknown>, secrets: Record<string, string> = {}): BuildResult {
  const problems: BuildResult['problems'] = [];
  const secretPaths: string[] = [];
  const sink = azureFunctionsSink.build({
    spec: spec as never,
    path: SINK_PATH,
    report: (path: readonly PathSegment[], message: string) =>
      problems.push({ path: path.join('.'), message }),
    secret: (ref: SecretRef, path: readonly PathSegment[]) => {
      secretPaths.push(path.join('.'));
      const value = 'fromEnv' in ref ? secrets[ref.fromEnv] : undefined;
      return value === undefined ? undefined : new Secret(Buffer.from(value));
    },
    concurrency: 2,
  });
  return { sink, problems, secretPaths };
}
