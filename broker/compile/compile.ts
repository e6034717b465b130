import { type EventSchemaEntry, EventSchemaRegistry } from '../../schemas/event-schema-registry.js';
import type { LoadedManifest } from '../config/load.js';
import type { Problem } from '../config/problem.js';
import type { SecretMode } from '../config/secrets.js';
import type {
  BrokerManifest,
  EventSchemaManifest,
  FilterSpec,
  SourceManifest,
  SubscriptionManifest,
} from '../config/types.js';
import type { SubscriptionRuntime } from '../dispatch/types.js';
import type { ExtraDialects } from '../filters/compile.js';
import type { PluginSet } from '../ports/plugins.js';
import { type RoutedSubscription, Router } from '../router/router.js';
import { type BrokerSettings, compileBrokerSettings } from './broker-settings.js';
import { compileEventSchemaManifest } from './event-schemas.js';
import { manifestScope } from './scope.js';
import { type ConfiguredConnector, compileSource } from './sources.js';
import { compileSubscription } from './subscriptions.js';

export type { BrokerSettings } from './broker-settings.js';
export type { ConfiguredConnector } from './sources.js';
export { DELIVERY_DEFAULTS } from './subscriptions.js';

export interface RuntimeConfig {
  broker: BrokerSettings;
  /** Every Source's connector (webhooks included), each with a fingerprint of its manifest. */
  connectors: ConfiguredConnector[];
  subscriptions: SubscriptionRuntime[];
  router: Router;
  /** Each subscription's filter list as configured, in configuration order (for `explain`). */
  filterSpecs: readonly { readonly name: string; readonly filters: readonly FilterSpec[] | undefined }[];
  schemas: EventSchemaRegistry;
}

export interface CompileOptions {
  secrets: SecretMode;
  dialects: ExtraDialects;
  plugins: PluginSet;
  env?: NodeJS.ProcessEnv;
}

/**
 * Turns schema-valid manifests into what the broker runs: compiled filters, templates,
 * sinks and schemas, one module per manifest kind (compile/). Every semantic problem (a
 * duplicate name, a bad duration, a filter that does not parse, a missing secret) is
 * reported at its position; the configuration is usable only when there are none.
 */
export function compileConfig(
  loaded: readonly LoadedManifest[],
  options: CompileOptions,
): { config?: RuntimeConfig; problems: Problem[] } {
  const problems: Problem[] = [];
  const byKind = groupByKind(loaded, problems);
  const scope = <M extends LoadedManifest['manifest']>(item: LoadedManifest<M>) =>
    manifestScope(item, problems, options);
  // A manifest that failed its schema is compiled only for the rest of its problems: should its
  // compilation trip over what was set aside, its schema problems already make the run fail.
  const checking = <M extends LoadedManifest['manifest'], R>(
    item: LoadedManifest<M>,
    compile: () => R,
  ): R | undefined => {
    if (!item.setAside) return compile();
    try {
      return compile();
    } catch {
      return undefined;
    }
  };

  for (const extra of byKind.Broker.slice(1)) {
    problems.push(extra.doc.problem(['kind'], 'at most one Broker manifest is allowed'));
  }
  const brokerItem = byKind.Broker[0];
  const broker =
    (brokerItem && checking(brokerItem, () => compileBrokerSettings(scope(brokerItem)))) ??
    compileBrokerSettings(undefined);

  const connectors: ConfiguredConnector[] = [];
  for (const item of byKind.Source) {
    const configured = checking(item, () => compileSource(scope(item), options.plugins.connectors));
    if (configured) connectors.push(configured);
  }

  const schemaEntries: EventSchemaEntry[] = [];
  const typesSeen = new Map<string, string>();
  for (const item of byKind.EventSchema) {
    const entry = checking(item, () => compileEventSchemaManifest(scope(item), typesSeen));
    if (entry) schemaEntries.push(entry);
  }

  const subscriptions: SubscriptionRuntime[] = [];
  const routed: RoutedSubscription[] = [];
  for (const item of byKind.Subscription) {
    const compiled = checking(item, () =>
      compileSubscription(scope(item), options.dialects, options.plugins.sinks),
    );
    if (!compiled) continue;
    subscriptions.push(compiled.runtime);
    routed.push(compiled.routed);
  }

  if (problems.length > 0) return { problems };
  return {
    problems,
    config: {
      broker,
      connectors,
      subscriptions,
      router: new Router(routed),
      filterSpecs: routed.map(({ name, filters }) => ({ name, filters })),
      schemas: new EventSchemaRegistry(schemaEntries),
    },
  };
}

interface ManifestsByKind {
  Broker: LoadedManifest<BrokerManifest>[];
  Source: LoadedManifest<SourceManifest>[];
  Subscription: LoadedManifest<SubscriptionManifest>[];
  EventSchema: LoadedManifest<EventSchemaManifest>[];
}

/**
 * Sorts manifests by kind, reporting a second manifest of the same kind and name. A name the
 * schema refused (a stand-in took its place, set-aside.ts) takes part in no comparison.
 */
function groupByKind(loaded: readonly LoadedManifest[], problems: Problem[]): ManifestsByKind {
  const seen = new Map<string, LoadedManifest>();
  const byKind: ManifestsByKind = { Broker: [], Source: [], Subscription: [], EventSchema: [] };
  for (const item of loaded) {
    if (item.setAside?.some((path) => path[0] === 'metadata' && path[1] === 'name')) {
      (byKind[item.manifest.kind] as LoadedManifest[]).push(item);
      continue;
    }
    const key = `${item.manifest.kind}/${item.manifest.metadata.name}`;
    const first = seen.get(key);
    if (first) {
      const at = first.doc.locate(['metadata', 'name']);
      problems.push(
        item.doc.problem(
          ['metadata', 'name'],
          `duplicate ${item.manifest.kind} name "${item.manifest.metadata.name}" (first defined at ${first.doc.file}:${at.line}:${at.col})`,
        ),
      );
      continue;
    }
    seen.set(key, item);
    (byKind[item.manifest.kind] as LoadedManifest[]).push(item);
  }
  return byKind;
}
