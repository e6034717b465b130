/**
 * The manifests as users write them (after JSON Schema validation), kind by kind.
 * The JSON Schemas in `schemas/` are the source of truth for what is allowed; these types
 * mirror them for the compiler's sake.
 */
export type SecretRef = { fromEnv: string } | { fromFile: string };

/**
 * A `sink` block: the inline sink's settings (`{ uri, ... }`) or `{ <kind>: settings }`. Its
 * shape belongs to the sink plugins (broker/ports/sink.ts), which check it.
 */
export type SinkSpec = Readonly<Record<string, unknown>>;

export type FilterSpec =
  | { exact: Record<string, string> }
  | { prefix: Record<string, string> }
  | { suffix: Record<string, string> }
  | { all: FilterSpec[] }
  | { any: FilterSpec[] }
  | { not: FilterSpec }
  | { sql: string }
  | { pattern: Record<string, unknown> };

export interface BrokerSpec {
  store?: { type?: string; path?: string; synchronous?: 'full' | 'normal'; retention?: string };
  port?: number;
  host?: string;
  limits?: { maxBodyBytes?: number; maxPendingEvents?: number; maxDispatchBacklog?: number };
  auth?: { tokens: SecretRef[] };
  admin?: { tokens: SecretRef[] };
  abuseProtection?: { allowedOrigins?: string[]; allowedRate?: number };
}

export interface CeMappingSpec {
  type?: string;
  source?: string;
  subject?: string;
  id?: string;
  time?: string;
  dataschema?: string;
  datacontenttype?: string;
  extensions?: Record<string, string>;
}

/**
 * A Source: exactly one connector block, named by its connector's kind (`webhook`, `mqtt`, ...;
 * the kinds are the registered plugins'), the `ce` mapping, and `required`.
 */
export interface SourceSpec {
  ce?: CeMappingSpec;
  /** Counts in readiness (`/readyz` 503 while this Source is not up). Default false. */
  required?: boolean;
  readonly [connectorKind: string]: unknown;
}

export interface DeliverySpec {
  retry?: number;
  backoffPolicy?: 'exponential' | 'linear';
  backoffDelay?: string;
  timeout?: string;
  deadLetterSink?: SinkSpec;
  concurrency?: number;
}

export interface SubscriptionSpec {
  filters?: FilterSpec[];
  sink: SinkSpec;
  delivery?: DeliverySpec;
}

export interface EventSchemaSpec {
  type: string;
  schema: Record<string, unknown> | boolean | string;
  onInvalid?: 'reject' | 'deadletter';
}

interface ManifestBase<K extends string, S> {
  apiVersion: 'trigger-broker/v1';
  kind: K;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: S;
}

export type BrokerManifest = ManifestBase<'Broker', BrokerSpec>;
export type SourceManifest = ManifestBase<'Source', SourceSpec>;
export type SubscriptionManifest = ManifestBase<'Subscription', SubscriptionSpec>;
export type EventSchemaManifest = ManifestBase<'EventSchema', EventSchemaSpec>;
export type Manifest = BrokerManifest | SourceManifest | SubscriptionManifest | EventSchemaManifest;
