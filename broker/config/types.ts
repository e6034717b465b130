/**
 * The manifests as users write them (after JSON Schema validation), kind by kind.
 * The JSON Schemas in `schemas/` are the source of truth for what is allowed; these types
 * mirror them for the compiler's sake.
 */
export type SecretRef = { fromEnv: string } | { fromFile: string };

export interface HttpSinkSpec {
  uri: string;
  format?: 'binary' | 'structured';
  headers?: Record<string, string>;
}
export type SinkSpec = HttpSinkSpec;

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
  store?: { type?: 'sqlite'; path?: string; synchronous?: 'full' | 'normal'; retention?: string };
  port?: number;
  host?: string;
  limits?: { maxBodyBytes?: number; maxPendingEvents?: number };
  auth?: { tokens: SecretRef[] };
  abuseProtection?: { allowedOrigins?: string[]; allowedRate?: number };
}

export interface SignatureSpec {
  secret: SecretRef;
  header?: string;
  algorithm?: 'sha1' | 'sha256' | 'sha512';
  prefix?: string;
  encoding?: 'hex' | 'base64';
  timestamp?: { header: string; toleranceSeconds?: number };
}

export interface WebhookSpec {
  preset?: 'github';
  signature?: SignatureSpec;
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

export const CONNECTOR_KINDS = ['webhook', 'mqtt', 'kafka', 'nats', 'log'] as const;
export type ConnectorKind = (typeof CONNECTOR_KINDS)[number];

export interface SourceSpec {
  webhook?: WebhookSpec;
  mqtt?: Record<string, unknown>;
  kafka?: Record<string, unknown>;
  nats?: Record<string, unknown>;
  log?: Record<string, unknown>;
  ce?: CeMappingSpec;
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
