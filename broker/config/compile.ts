import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CONNECTOR_BUILDERS } from '../../connectors/registry.js';
import type { Connector } from '../../connectors/types.js';
import { compileWebhookSource, type WebhookSource } from '../../connectors/webhook/source.js';
import {
  compileEventSchema,
  type EventSchemaEntry,
  EventSchemaRegistry,
} from '../../schemas/event-schema-registry.js';
import { HttpSink } from '../../sinks/http.js';
import type { Sink } from '../../sinks/types.js';
import type { SubscriptionRuntime } from '../dispatch/types.js';
import { compileFilters, type ExtraDialects, type ReportProblem } from '../filters/compile.js';
import { type RoutedSubscription, Router } from '../router/router.js';
import { parseDuration } from './duration.js';
import type { LoadedManifest } from './load.js';
import type { Problem } from './problem.js';
import { resolveSecret, type Secret, type SecretMode } from './secrets.js';
import type {
  BrokerManifest,
  EventSchemaManifest,
  SecretRef,
  SinkSpec,
  SourceManifest,
  SubscriptionManifest,
} from './types.js';
import type { PathSegment } from './yaml-document.js';

/** Broker-wide settings with every default applied. */
export interface BrokerSettings {
  port: number | undefined;
  host: string | undefined;
  storePath: string | undefined;
  synchronous: 'full' | 'normal';
  retentionMs: number;
  maxBodyBytes: number;
  maxPendingEvents: number;
  /** Bearer tokens POST /events requires; undefined when the route is open. */
  authTokens: Secret[] | undefined;
  allowedOrigins: string[];
  allowedRate: number | undefined;
}

export interface RuntimeConfig {
  broker: BrokerSettings;
  webhooks: Map<string, WebhookSource>;
  /** Message connectors (mqtt, kafka, nats, log), each with a fingerprint of its manifest so a reload restarts only what changed. */
  connectors: { connector: Connector; fingerprint: string }[];
  subscriptions: SubscriptionRuntime[];
  router: Router;
  schemas: EventSchemaRegistry;
}

export const DELIVERY_DEFAULTS = {
  retry: 3,
  backoffPolicy: 'exponential' as const,
  backoffDelay: 'PT0.5S',
  timeout: 'PT30S',
  concurrency: 32,
};

export interface CompileOptions {
  secrets: SecretMode;
  dialects: ExtraDialects;
  env?: NodeJS.ProcessEnv;
}

/**
 * Turns schema-valid manifests into what the broker runs: compiled filters, templates,
 * sinks and schemas. Every semantic problem (a duplicate name, a bad duration, a filter
 * that does not parse, a missing secret) is reported at its position; the configuration is
 * usable only when there are none.
 */
export function compileConfig(
  loaded: readonly LoadedManifest[],
  options: CompileOptions,
): { config?: RuntimeConfig; problems: Problem[] } {
  const problems: Problem[] = [];
  const seen = new Map<string, LoadedManifest>();
  const byKind = {
    Broker: [] as LoadedManifest<BrokerManifest>[],
    Source: [] as LoadedManifest<SourceManifest>[],
    Subscription: [] as LoadedManifest<SubscriptionManifest>[],
    EventSchema: [] as LoadedManifest<EventSchemaManifest>[],
  };
  for (const item of loaded) {
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
  for (const extra of byKind.Broker.slice(1)) {
    problems.push(extra.doc.problem(['kind'], 'at most one Broker manifest is allowed'));
  }

  const reporterFor =
    (item: LoadedManifest): ReportProblem =>
    (path, message, opts) => {
      problems.push(item.doc.problem(path, message, opts));
    };
  const secretFor = (
    item: LoadedManifest,
    ref: SecretRef,
    path: readonly PathSegment[],
  ): Secret | undefined => {
    if (options.secrets === 'form') return undefined;
    try {
      return resolveSecret(ref, dirname(item.doc.file), options.env);
    } catch (err) {
      problems.push(item.doc.problem(path, (err as Error).message));
      return undefined;
    }
  };
  const durationAt = (
    item: LoadedManifest,
    value: string | undefined,
    fallback: string,
    path: readonly PathSegment[],
  ): number => {
    const parsed = parseDuration(value ?? fallback);
    if ('error' in parsed) {
      problems.push(item.doc.problem(path, parsed.error));
      return 0;
    }
    return parsed.ms;
  };

  // Broker
  const brokerItem = byKind.Broker[0];
  const bspec = brokerItem?.manifest.spec ?? {};
  const broker: BrokerSettings = {
    port: bspec.port,
    host: bspec.host,
    storePath: bspec.store?.path,
    synchronous: bspec.store?.synchronous ?? 'normal',
    retentionMs: brokerItem
      ? durationAt(brokerItem, bspec.store?.retention, 'P7D', ['spec', 'store', 'retention'])
      : 7 * 86_400_000,
    maxBodyBytes: bspec.limits?.maxBodyBytes ?? 1_048_576,
    maxPendingEvents: bspec.limits?.maxPendingEvents ?? 10_000,
    authTokens: undefined,
    allowedOrigins: bspec.abuseProtection?.allowedOrigins ?? ['*'],
    allowedRate: bspec.abuseProtection?.allowedRate,
  };
  if (brokerItem && bspec.auth) {
    const tokens = bspec.auth.tokens.map((ref, i) =>
      secretFor(brokerItem, ref, ['spec', 'auth', 'tokens', i]),
    );
    broker.authTokens = tokens.filter((t): t is Secret => t !== undefined);
  }

  // Sources
  const webhooks = new Map<string, WebhookSource>();
  const connectors: RuntimeConfig['connectors'] = [];
  for (const item of byKind.Source) {
    const spec = item.manifest.spec;
    const kinds = (['webhook', 'mqtt', 'kafka', 'nats', 'log'] as const).filter((k) => spec[k] !== undefined);
    if (kinds.length !== 1) {
      problems.push(
        item.doc.problem(
          ['spec'],
          kinds.length === 0
            ? 'a Source needs exactly one of: webhook, mqtt, kafka, nats, log'
            : `a Source has exactly one connector, found ${kinds.join(' and ')}`,
        ),
      );
      continue;
    }
    if (spec.webhook) {
      const sig = spec.webhook.signature;
      const secret = sig
        ? secretFor(item, sig.secret, ['spec', 'webhook', 'signature', 'secret'])
        : undefined;
      webhooks.set(
        item.manifest.metadata.name,
        compileWebhookSource(
          item.manifest.metadata.name,
          spec.webhook,
          spec.ce,
          ['spec'],
          reporterFor(item),
          secret,
        ),
      );
    } else {
      const kind = kinds[0] as 'mqtt' | 'kafka' | 'nats' | 'log';
      const build = CONNECTOR_BUILDERS[kind];
      if (!build) {
        problems.push(
          item.doc.problem(['spec', kind], `the ${kind} connector is not available in this build`, {
            key: true,
          }),
        );
        continue;
      }
      const connector = build({
        name: item.manifest.metadata.name,
        spec: spec[kind] as Record<string, unknown>,
        ce: spec.ce,
        path: ['spec', kind],
        report: reporterFor(item),
        secret: (ref, path) => secretFor(item, ref, path),
      });
      if (connector) connectors.push({ connector, fingerprint: JSON.stringify(spec) });
    }
  }

  // Event schemas
  const schemaEntries: EventSchemaEntry[] = [];
  const schemaTypes = new Map<string, string>();
  for (const item of byKind.EventSchema) {
    const spec = item.manifest.spec;
    const other = schemaTypes.get(spec.type);
    if (other)
      problems.push(
        item.doc.problem(['spec', 'type'], `type "${spec.type}" already has EventSchema "${other}"`),
      );
    schemaTypes.set(spec.type, item.manifest.metadata.name);
    let schema: object | boolean;
    if (typeof spec.schema === 'string') {
      const file = resolve(dirname(item.doc.file), spec.schema);
      try {
        schema = JSON.parse(readFileSync(file, 'utf8')) as object;
      } catch (err) {
        problems.push(
          item.doc.problem(['spec', 'schema'], `cannot load schema file ${file}: ${(err as Error).message}`),
        );
        continue;
      }
    } else schema = spec.schema;
    const validate = compileEventSchema(schema);
    if (typeof validate === 'string') {
      problems.push(item.doc.problem(['spec', 'schema'], `invalid JSON Schema: ${validate}`));
      continue;
    }
    schemaEntries.push({
      name: item.manifest.metadata.name,
      type: spec.type,
      onInvalid: spec.onInvalid ?? 'reject',
      validate,
    });
  }

  // Subscriptions
  const subscriptions: SubscriptionRuntime[] = [];
  const routed: RoutedSubscription[] = [];
  for (const item of byKind.Subscription) {
    const spec = item.manifest.spec;
    const report = reporterFor(item);
    const predicate = compileFilters(spec.filters, ['spec', 'filters'], report, options.dialects);
    const sink = buildSink(spec.sink, ['spec', 'sink'], report);
    const d = spec.delivery ?? {};
    const deadLetterSink = d.deadLetterSink
      ? buildSink(d.deadLetterSink, ['spec', 'delivery', 'deadLetterSink'], report)
      : undefined;
    const timeoutMs = durationAt(item, d.timeout, DELIVERY_DEFAULTS.timeout, ['spec', 'delivery', 'timeout']);
    if (timeoutMs === 0 && d.timeout !== undefined && 'ms' in parseDuration(d.timeout)) {
      problems.push(item.doc.problem(['spec', 'delivery', 'timeout'], 'timeout must be longer than zero'));
    }
    if (!sink) continue;
    subscriptions.push({
      name: item.manifest.metadata.name,
      sink,
      deadLetterSink,
      delivery: {
        retry: d.retry ?? DELIVERY_DEFAULTS.retry,
        backoffPolicy: d.backoffPolicy ?? DELIVERY_DEFAULTS.backoffPolicy,
        backoffDelayMs: durationAt(item, d.backoffDelay, DELIVERY_DEFAULTS.backoffDelay, [
          'spec',
          'delivery',
          'backoffDelay',
        ]),
        timeoutMs,
        concurrency: d.concurrency ?? DELIVERY_DEFAULTS.concurrency,
      },
      fingerprint: JSON.stringify(spec),
    });
    routed.push({ name: item.manifest.metadata.name, filters: spec.filters, predicate });
  }
  if (problems.length > 0) return { problems };
  const router = new Router(routed);
  return {
    problems,
    config: {
      broker,
      webhooks,
      connectors,
      subscriptions,
      router,
      schemas: new EventSchemaRegistry(schemaEntries),
    },
  };
}

function buildSink(spec: SinkSpec, path: readonly PathSegment[], report: ReportProblem): Sink | undefined {
  let url: URL;
  try {
    url = new URL(spec.uri);
  } catch {
    report([...path, 'uri'], `"${spec.uri}" is not an absolute URL`);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    report([...path, 'uri'], `sink URL must be http:// or https://, not ${url.protocol}`);
    return undefined;
  }
  return new HttpSink({
    uri: spec.uri,
    format: spec.format ?? 'binary',
    ...(spec.headers ? { headers: spec.headers } : {}),
  });
}
