import { hostname } from 'node:os';
import { parseDuration } from '../../broker/config/duration.js';
import type { Secret } from '../../broker/config/secrets.js';
import type { SecretRef } from '../../broker/config/types.js';
import type { ConnectorBuildContext } from '../../broker/ports/connector.js';
import { topicFilterProblem } from './topic-filter.js';

/** The `mqtt` block of a Source as the manifest schema (schemas/source.schema.json) admits it. */
export interface MqttSourceSpec {
  url: string;
  protocolVersion?: 4 | 5;
  topics: string[];
  qos?: 0 | 1 | 2;
  clientId?: string;
  sharedGroup?: string;
  membershipTopic?: string;
  retained?: 'take' | 'ignore';
  username?: string;
  password?: SecretRef;
  sessionExpiry?: string;
  tls?: { ca?: SecretRef; cert?: SecretRef; key?: SecretRef; rejectUnauthorized?: boolean };
}

/** TLS material for an mqtts:// (or wss://) URL, read like secrets. */
export interface MqttTls {
  readonly ca: Secret | undefined;
  readonly cert: Secret | undefined;
  readonly key: Secret | undefined;
  readonly rejectUnauthorized: boolean;
}

/** Everything the connector needs, defaults applied. */
export interface MqttSettings {
  readonly url: string;
  /** The URL without user information, for log lines. */
  readonly displayUrl: string;
  readonly protocolVersion: 4 | 5;
  readonly topics: readonly string[];
  readonly qos: 0 | 1 | 2;
  readonly clientId: string;
  readonly sharedGroup: string | undefined;
  /**
   * Where the members of the shared group announce themselves (`PREFIX/GROUP/members/CLIENTID`),
   * so that a survivor can take over a dead member's session (see shared-group/takeover.ts); undefined
   * without `sharedGroup` or with MQTT 3.1.1, where there is no takeover.
   */
  readonly membershipTopic: string | undefined;
  readonly retained: 'take' | 'ignore';
  readonly username: string | undefined;
  readonly password: Secret | undefined;
  /** MQTT 5 Session Expiry Interval in seconds; 0xFFFFFFFF means the session never expires. */
  readonly sessionExpirySeconds: number;
  readonly tls: MqttTls | undefined;
}

/** MQTT 5.0 3.1.2.11.2: this value means "the session does not expire". */
export const SESSION_NEVER_EXPIRES = 0xffff_ffff;

/** The default prefix of the membership topics of shared groups. */
export const DEFAULT_MEMBERSHIP_TOPIC = 'trigger-broker/groups';

/**
 * Applies defaults and checks what the schema cannot: topic filter syntax, credentials kept out
 * of the URL, the session expiry duration. Problems are reported at their manifest position.
 */
export function compileMqttSettings(context: ConnectorBuildContext): MqttSettings {
  const spec = context.spec as unknown as MqttSourceSpec;
  const at = (...rest: (string | number)[]) => [...context.path, ...rest];

  let displayUrl = spec.url;
  try {
    const parsed = new URL(spec.url);
    if (parsed.username !== '' || parsed.password !== '') {
      context.report(
        at('url'),
        'credentials do not belong in the URL: set `username`, and `password: { fromEnv: NAME }`',
      );
      parsed.username = '';
      parsed.password = '';
      displayUrl = parsed.toString();
    }
  } catch {
    context.report(at('url'), `"${spec.url}" is not a URL such as mqtt://127.0.0.1:1883`);
  }

  spec.topics.forEach((topic, i) => {
    const problem = topicFilterProblem(topic);
    if (problem) context.report(at('topics', i), problem);
  });

  const protocolVersion = spec.protocolVersion ?? 5;
  let sessionExpirySeconds = SESSION_NEVER_EXPIRES;
  if (spec.sessionExpiry !== undefined) {
    if (protocolVersion !== 5) {
      context.report(
        at('sessionExpiry'),
        'sessionExpiry is an MQTT 5 setting; a 3.1.1 session lasts as long as the MQTT broker keeps it',
      );
    }
    const parsed = parseDuration(spec.sessionExpiry);
    if ('error' in parsed) context.report(at('sessionExpiry'), parsed.error);
    else sessionExpirySeconds = Math.min(SESSION_NEVER_EXPIRES - 1, Math.max(1, Math.ceil(parsed.ms / 1000)));
  }

  if (spec.membershipTopic !== undefined) {
    const problem =
      spec.sharedGroup === undefined
        ? 'membershipTopic applies to a shared group: set sharedGroup too'
        : protocolVersion !== 5
          ? 'membershipTopic is an MQTT 5 setting: with 3.1.1 a member does not take over the session of a member that is away'
          : membershipTopicProblem(spec.membershipTopic);
    if (problem) context.report(at('membershipTopic'), problem);
  }

  return {
    url: spec.url,
    displayUrl,
    protocolVersion,
    topics: spec.topics,
    qos: spec.qos ?? 1,
    clientId: spec.clientId ?? defaultClientId(context.name, spec.sharedGroup),
    sharedGroup: spec.sharedGroup,
    membershipTopic:
      spec.sharedGroup !== undefined && protocolVersion === 5
        ? (spec.membershipTopic ?? DEFAULT_MEMBERSHIP_TOPIC)
        : undefined,
    retained: spec.retained ?? 'take',
    username: spec.username,
    password: spec.password ? context.secret(spec.password, at('password')) : undefined,
    sessionExpirySeconds,
    tls: compileTls(context, spec),
  };
}

/** A topic name prefix the membership topics can be built on, or what is wrong with it. */
function membershipTopicProblem(prefix: string): string | undefined {
  if (prefix.startsWith('$')) return 'membershipTopic must not start with "$" (reserved for the MQTT broker)';
  if (/[+#]/.test(prefix)) return 'membershipTopic is a topic name: no "+" or "#"';
  if (prefix.includes('\u0000')) return 'membershipTopic must not contain a NUL character';
  if (prefix === '' || prefix.endsWith('/'))
    return 'membershipTopic must not be empty or end with "/" (GROUP/members/CLIENTID is added to it)';
  return undefined;
}

function compileTls(context: ConnectorBuildContext, spec: MqttSourceSpec): MqttTls | undefined {
  const { tls } = spec;
  if (tls === undefined) return undefined;
  const at = (name: string) => [...context.path, 'tls', name];
  if (!/^(mqtts|wss|ssl):/i.test(spec.url))
    context.report([...context.path, 'tls'], 'tls applies to an mqtts:// (or wss://) url only');
  if ((tls.cert === undefined) !== (tls.key === undefined))
    context.report([...context.path, 'tls'], 'a client certificate needs both cert and key');
  return {
    ca: tls.ca ? context.secret(tls.ca, at('ca')) : undefined,
    cert: tls.cert ? context.secret(tls.cert, at('cert')) : undefined,
    key: tls.key ? context.secret(tls.key, at('key')) : undefined,
    rejectUnauthorized: tls.rejectUnauthorized ?? true,
  };
}

/**
 * A fixed client id, so that the broker keeps this Source's session (and the messages queued in
 * it) across restarts. Members of a shared group each need a session of their own, so the host
 * name joins the id there; two members on one host must set `clientId` themselves.
 */
function defaultClientId(sourceName: string, sharedGroup: string | undefined): string {
  const base = `trigger-broker-${sourceName}`;
  return sharedGroup === undefined ? base : `${base}-${hostname()}`;
}
