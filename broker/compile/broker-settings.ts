import type { Secret } from '../config/secrets.js';
import type { BrokerManifest, SecretRef } from '../config/types.js';
import type { ManifestScope } from './scope.js';

/** Broker-wide settings with every default applied. */
export interface BrokerSettings {
  port: number | undefined;
  host: string | undefined;
  /** `Broker.spec.store.type`: the store backend plugin to open; unset for the default. */
  storeType: string | undefined;
  storePath: string | undefined;
  synchronous: 'full' | 'normal';
  retentionMs: number;
  maxBodyBytes: number;
  maxPendingEvents: number;
  /** Fresh deliveries waiting for a free slot's turn beyond which intake is refused (Dispatcher.dispatchBacklog). */
  maxDispatchBacklog: number;
  /** Bearer tokens POST /events requires; undefined when the route is open. */
  authTokens: Secret[] | undefined;
  /** Bearer tokens the admin API (/admin/...) requires; undefined when it is off. */
  adminTokens: Secret[] | undefined;
  allowedOrigins: string[];
  allowedRate: number | undefined;
}

const DEFAULT_RETENTION_MS = 7 * 86_400_000;

/** The `Broker` manifest (at most one; none means every default). */
export function compileBrokerSettings(scope: ManifestScope<BrokerManifest> | undefined): BrokerSettings {
  const spec = scope?.item.manifest.spec ?? {};
  const settings: BrokerSettings = {
    port: spec.port,
    host: spec.host,
    storeType: spec.store?.type,
    storePath: spec.store?.path,
    synchronous: spec.store?.synchronous ?? 'normal',
    retentionMs: scope
      ? scope.duration(spec.store?.retention, 'P7D', ['spec', 'store', 'retention'])
      : DEFAULT_RETENTION_MS,
    maxBodyBytes: spec.limits?.maxBodyBytes ?? 1_048_576,
    maxPendingEvents: spec.limits?.maxPendingEvents ?? 10_000,
    maxDispatchBacklog: spec.limits?.maxDispatchBacklog ?? 4096,
    authTokens: undefined,
    adminTokens: undefined,
    allowedOrigins: spec.abuseProtection?.allowedOrigins ?? ['*'],
    allowedRate: spec.abuseProtection?.allowedRate,
  };
  // A list or an entry may be missing in a manifest that failed its schema (config/set-aside.ts).
  const secrets = (refs: readonly (SecretRef | undefined)[] | undefined, field: 'auth' | 'admin') =>
    (refs ?? []).map((ref, i) =>
      ref === undefined ? undefined : scope?.secret(ref, ['spec', field, 'tokens', i]),
    );
  if (scope && spec.auth) {
    settings.authTokens = secrets(spec.auth.tokens, 'auth').filter((t): t is Secret => t !== undefined);
  }
  if (scope && spec.admin) {
    const tokens = secrets(spec.admin.tokens, 'admin');
    settings.adminTokens = tokens.filter((t): t is Secret => t !== undefined);
    // An admin token that also lets events in would give every producer the admin API.
    const eventTokens = settings.authTokens ?? [];
    tokens.forEach((token, i) => {
      if (token && eventTokens.some((other) => other.bytes().equals(token.bytes())))
        scope.report(
          ['spec', 'admin', 'tokens', i],
          'an admin token must differ from every auth token: a producer holding it could replay and purge dead letters',
        );
    });
  }
  return settings;
}
