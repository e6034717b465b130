import { durationProblem, parseDuration } from '../../broker/config/duration.js';
import type { SecretRef } from '../../broker/config/types.js';
import type { PathSegment } from '../../broker/config/yaml-document.js';
import type { ConnectorBuildContext } from '../../broker/ports/connector.js';

/** The `kafka` block of a Source, as schemas/source.schema.json admits it. */
export interface KafkaSourceSpec {
  brokers: string[];
  topics?: string[];
  topicPattern?: string;
  groupId?: string;
  clientId?: string;
  fromBeginning?: boolean;
  sessionTimeout?: string;
  ssl?: boolean | KafkaTlsSpec;
  sasl?: { mechanism: SaslMechanism; username: string; password: SecretRef };
}

export interface KafkaTlsSpec {
  rejectUnauthorized?: boolean;
  servername?: string;
  ca?: SecretRef;
  cert?: SecretRef;
  key?: SecretRef;
  passphrase?: SecretRef;
}

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

/** Which topics to read: a fixed list, or every topic whose whole name matches a pattern. */
export type TopicSelection =
  | { readonly kind: 'names'; readonly names: readonly string[] }
  | { readonly kind: 'pattern'; readonly pattern: RegExp; readonly text: string };

/** TLS options handed to the client as they are (Node's tls.connect options). */
export interface KafkaTlsOptions {
  rejectUnauthorized?: boolean;
  servername?: string;
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
}

/** Everything the Kafka Source needs, with defaults applied and secrets resolved. */
export interface KafkaSettings {
  readonly brokers: readonly string[];
  readonly topics: TopicSelection;
  readonly groupId: string;
  readonly clientId: string;
  readonly fromBeginning: boolean;
  readonly sessionTimeoutMs: number;
  /** `true` for TLS with Node's defaults, options for more, undefined for plaintext. */
  readonly ssl: true | KafkaTlsOptions | undefined;
  readonly sasl: { mechanism: SaslMechanism; username: string; password: string } | undefined;
}

/** Kafka's own default since 3.0 is 45 s; 30 s keeps a crashed member's partitions idle for less time. */
const DEFAULT_SESSION_TIMEOUT_MS = 30_000;
/** The broker refuses shorter sessions (group.min.session.timeout.ms, 6 s by default). */
const MIN_SESSION_TIMEOUT_MS = 6_000;

/**
 * Reads a schema-valid `kafka` block into settings, reporting what the schema cannot express
 * (exactly one of `topics`/`topicPattern`, a pattern that does not compile, a bad duration).
 * Returns undefined when something was reported. Secrets are undefined in validate mode; the
 * settings are still returned then, with an empty password.
 */
export function readKafkaSettings(
  context: ConnectorBuildContext<KafkaSourceSpec>,
): KafkaSettings | undefined {
  const { spec, path, report } = context;
  let ok = true;
  const problem = (at: readonly PathSegment[], message: string) => {
    ok = false;
    report(at, message);
  };

  let topics: TopicSelection | undefined;
  if (spec.topics !== undefined && spec.topicPattern !== undefined) {
    problem([...path, 'topicPattern'], 'give either topics or topicPattern, not both');
  } else if (spec.topics !== undefined) {
    topics = { kind: 'names', names: [...new Set(spec.topics)] };
  } else if (spec.topicPattern !== undefined) {
    try {
      // Kafka's Java consumer matches a subscription pattern against the whole topic name
      // (Matcher.matches), so `orders\..*` must not also pick `old-orders.x`.
      topics = {
        kind: 'pattern',
        pattern: new RegExp(`^(?:${spec.topicPattern})$`),
        text: spec.topicPattern,
      };
    } catch (err) {
      problem([...path, 'topicPattern'], `not a regular expression: ${(err as Error).message}`);
    }
  } else {
    problem(path, 'a kafka Source needs topics (a list of names) or topicPattern (a regular expression)');
  }

  let sessionTimeoutMs = DEFAULT_SESSION_TIMEOUT_MS;
  if (spec.sessionTimeout !== undefined) {
    const parsed = parseDuration(spec.sessionTimeout);
    if ('error' in parsed) problem([...path, 'sessionTimeout'], parsed.error);
    else if (parsed.ms < MIN_SESSION_TIMEOUT_MS)
      problem(
        [...path, 'sessionTimeout'],
        durationProblem(spec.sessionTimeout, 'must be at least PT6S (the broker refuses shorter sessions)'),
      );
    else sessionTimeoutMs = parsed.ms;
  }

  const secretText = (ref: SecretRef, at: readonly PathSegment[]) => context.secret(ref, at)?.text();
  let ssl: KafkaSettings['ssl'];
  if (spec.ssl === true) ssl = true;
  else if (typeof spec.ssl === 'object') {
    const tls: KafkaTlsOptions = {};
    const block = spec.ssl;
    if (block.rejectUnauthorized !== undefined) tls.rejectUnauthorized = block.rejectUnauthorized;
    if (block.servername !== undefined) tls.servername = block.servername;
    for (const field of ['ca', 'cert', 'key', 'passphrase'] as const) {
      const ref = block[field];
      if (ref === undefined) continue;
      const value = secretText(ref, [...path, 'ssl', field]);
      if (value !== undefined) tls[field] = value;
    }
    ssl = tls;
  }

  let sasl: KafkaSettings['sasl'];
  if (spec.sasl) {
    sasl = {
      mechanism: spec.sasl.mechanism,
      username: spec.sasl.username,
      password: secretText(spec.sasl.password, [...path, 'sasl', 'password']) ?? '',
    };
  }

  if (!ok || topics === undefined) return undefined;
  return {
    brokers: spec.brokers,
    topics,
    groupId: spec.groupId ?? `trigger-broker-${context.name}`,
    clientId: spec.clientId ?? `trigger-broker-${context.name}`,
    fromBeginning: spec.fromBeginning ?? false,
    sessionTimeoutMs,
    ssl,
    sasl,
  };
}
