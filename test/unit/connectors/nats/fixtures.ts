// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are ce templates of the manifest language, not JavaScript template literals
// What the nats tests share whether or not a server runs: building a Source from a manifest
// block as the configuration compiler does. Pure, so test/connectors/nats.test.ts uses it too.
import { Secret } from '../../../../broker/config/secrets.js';
import type { CeMappingSpec } from '../../../../broker/config/types.js';
import type { PathSegment } from '../../../../broker/config/yaml-document.js';
import type { Connector } from '../../../../broker/ports/connector.js';
import { buildNatsConnector } from '../../../../connectors/nats/index.js';

export const CONTRACT_CE: CeMappingSpec = { type: 'contract.raw', source: '/contract', id: '${body.id}' };

export interface BuildResult {
  connector: Connector | undefined;
  problems: { path: string; message: string }[];
}

/** Names the Sources a test does not name (test/connectors/nats.test.ts names them after its channels). */
let built = 0;

/** Builds a nats connector from a manifest block as the configuration compiler would. */
export function build(
  spec: Record<string, unknown>,
  ce: CeMappingSpec | 'none' = CONTRACT_CE,
  options: BuildOptions = {},
): BuildResult {
  const problems: { path: string; message: string }[] = [];
  const connector = buildNatsConnector({
    name: options.name ?? `nats-${++built}`,
    spec,
    ce: ce === 'none' ? undefined : ce,
    path: ['spec', 'nats'],
    report: (path: readonly PathSegment[], message: string) =>
      problems.push({ path: path.join('.'), message }),
    secret: (ref) => {
      const value = 'fromEnv' in ref ? options.secrets?.[ref.fromEnv] : undefined;
      const chosen = value ?? options.token;
      return chosen === undefined ? undefined : new Secret(Buffer.from(chosen));
    },
  });
  return { connector, problems };
}

export interface BuildOptions {
  name?: string;
  /** What every secret reference resolves to, unless `secrets` names it. */
  token?: string;
  /** Secret values by the environment variable a reference names. */
  secrets?: Record<string, string>;
}
