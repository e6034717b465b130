import { nkeys } from '@nats-io/transport-node';
import { durationProblem, parseDuration } from '../../broker/config/duration.js';
import type { Secret } from '../../broker/config/secrets.js';
import type { SecretRef } from '../../broker/config/types.js';
import type { ConnectorBuildContext } from '../../broker/ports/connector.js';
import { jetStreamNameProblem, subjectFilterProblem } from './subject.js';

/** The `nats` block of a Source, as schemas/source.schema.json allows it. */
export interface NatsSourceSpec {
  servers: string[];
  subject: string;
  stream?: string;
  durable?: string;
  maxDeliver?: number;
  ackWait?: string;
  deliverPolicy?: 'all' | 'new';
  queue?: string;
  token?: SecretRef;
  user?: string;
  password?: SecretRef;
  nkeySeed?: SecretRef;
}

/** How the Source proves who it is to the server: at most one way per Source. */
export type NatsAuth =
  | { readonly kind: 'token'; readonly token: Secret }
  | { readonly kind: 'userPassword'; readonly user: string; readonly password: Secret }
  /** A user NKey's seed (`SU...`): the server sends a nonce and the client signs it. */
  | { readonly kind: 'nkey'; readonly seed: Uint8Array };

/** How messages are read: a plain subscription, or a durable JetStream pull consumer. */
export type NatsReadMode =
  | {
      readonly kind: 'core';
      /** A queue group: processes with the same queue split the subject's messages. */
      readonly queue: string | undefined;
    }
  | {
      readonly kind: 'jetstream';
      readonly stream: string;
      readonly durable: string;
      /** undefined: JetStream redelivers without limit. */
      readonly maxDeliver: number | undefined;
      readonly ackWaitMs: number;
      readonly deliverPolicy: 'all' | 'new';
    };

export interface NatsSettings {
  readonly sourceName: string;
  readonly servers: readonly string[];
  readonly subject: string;
  readonly mode: NatsReadMode;
  /** undefined without credentials, and in validate mode (secrets are not read then). */
  readonly auth: NatsAuth | undefined;
}

/** JetStream's own default; a message whose ingest takes longer than this is redelivered. */
export const DEFAULT_ACK_WAIT_MS = 30_000;

/** The durable consumer's name when the manifest names none: stable per Source. */
export function defaultDurableName(sourceName: string): string {
  return `trigger-broker-${sourceName}`;
}

/**
 * Checks what the JSON Schema cannot (subject syntax, server addresses, which fields need a
 * stream) and reports each problem at its manifest path. Returns undefined when any was found.
 */
export function readNatsSettings(context: ConnectorBuildContext): NatsSettings | undefined {
  const spec = context.spec as unknown as NatsSourceSpec;
  const at = (...segments: (string | number)[]) => [...context.path, ...segments];
  let ok = true;
  const problem = (path: (string | number)[], message: string) => {
    ok = false;
    context.report(at(...path), message);
  };

  spec.servers.forEach((server, index) => {
    const reason = serverAddressProblem(server);
    if (reason !== undefined) problem(['servers', index], reason);
  });
  const subjectReason = subjectFilterProblem(spec.subject);
  if (subjectReason !== undefined) problem(['subject'], subjectReason);

  let mode: NatsReadMode;
  if (spec.stream === undefined) {
    for (const field of ['durable', 'maxDeliver', 'ackWait', 'deliverPolicy'] as const) {
      if (spec[field] !== undefined)
        problem([field], `${field} applies to a JetStream consumer and needs "stream" to be set`);
    }
    if (spec.queue !== undefined && /\s/.test(spec.queue))
      problem(['queue'], 'a queue group name cannot contain whitespace');
    mode = { kind: 'core', queue: spec.queue };
  } else {
    if (spec.queue !== undefined) {
      problem(
        ['queue'],
        'queue applies to core NATS subscriptions; with "stream", processes share work through the durable consumer',
      );
    }
    const streamReason = jetStreamNameProblem('stream', spec.stream);
    if (streamReason !== undefined) problem(['stream'], streamReason);
    const durable = spec.durable ?? defaultDurableName(context.name);
    const durableReason = jetStreamNameProblem('durable', durable);
    if (durableReason !== undefined) problem(['durable'], durableReason);
    let ackWaitMs = DEFAULT_ACK_WAIT_MS;
    if (spec.ackWait !== undefined) {
      const parsed = parseDuration(spec.ackWait);
      if ('error' in parsed) problem(['ackWait'], parsed.error);
      else if (parsed.ms < 1000) problem(['ackWait'], durationProblem(spec.ackWait, 'must be at least PT1S'));
      else ackWaitMs = parsed.ms;
    }
    mode = {
      kind: 'jetstream',
      stream: spec.stream,
      durable,
      maxDeliver: spec.maxDeliver,
      ackWaitMs,
      deliverPolicy: spec.deliverPolicy ?? 'all',
    };
  }

  const auth = readAuth(spec, context, at, problem);
  if (!ok) return undefined;
  return { sourceName: context.name, servers: spec.servers, subject: spec.subject, mode, auth };
}

/**
 * The Source's credentials: `token`, `user` with `password`, or `nkeySeed`, at most one of them.
 * Secrets are read here, so a seed that is not a user seed is a manifest problem at its path
 * rather than a refused connection later.
 */
function readAuth(
  spec: NatsSourceSpec,
  context: ConnectorBuildContext,
  at: (...segments: (string | number)[]) => (string | number)[],
  problem: (path: (string | number)[], message: string) => void,
): NatsAuth | undefined {
  const ways = [
    spec.token === undefined ? undefined : 'token',
    spec.user === undefined && spec.password === undefined ? undefined : 'user and password',
    spec.nkeySeed === undefined ? undefined : 'nkeySeed',
  ].filter((way) => way !== undefined);
  if (ways.length > 1) {
    problem([], `give one way to authenticate, not ${ways.join(' and ')}`);
    return undefined;
  }
  if (spec.token !== undefined) {
    const token = context.secret(spec.token, at('token'));
    return token === undefined ? undefined : { kind: 'token', token };
  }
  if (spec.user !== undefined || spec.password !== undefined) {
    if (spec.password === undefined) problem(['user'], 'user needs a password (a secret)');
    if (spec.user === undefined) problem(['password'], 'password needs a user');
    if (spec.user === undefined || spec.password === undefined) return undefined;
    const password = context.secret(spec.password, at('password'));
    return password === undefined ? undefined : { kind: 'userPassword', user: spec.user, password };
  }
  if (spec.nkeySeed !== undefined) {
    const secret = context.secret(spec.nkeySeed, at('nkeySeed'));
    if (secret === undefined) return undefined;
    // A seed file usually ends with a line break; the seed itself never has spaces.
    const seed = new TextEncoder().encode(secret.text().trim());
    if (!isUserSeed(seed)) {
      problem(['nkeySeed'], 'not an NKey user seed (one starts with "SU"; nk -gen user makes one)');
      return undefined;
    }
    return { kind: 'nkey', seed };
  }
  return undefined;
}

function isUserSeed(seed: Uint8Array): boolean {
  try {
    return nkeys.fromSeed(seed).getPublicKey().startsWith('U');
  } catch {
    return false;
  }
}

/**
 * nats.js takes `nats://host:port`, `tls://host:port` or a bare `host:port`. Credentials in the
 * address would put a secret into the manifest, which the design forbids: `token`, `password` and
 * `nkeySeed` take secret references instead.
 */
function serverAddressProblem(server: string): string | undefined {
  const withScheme = server.includes('://') ? server : `nats://${server}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return `"${server}" is not a NATS server address (such as nats://127.0.0.1:4222)`;
  }
  if (url.protocol !== 'nats:' && url.protocol !== 'tls:') {
    return `"${server}": the scheme must be nats:// or tls://`;
  }
  if (url.hostname === '') return `"${server}" names no host`;
  if (url.username !== '' || url.password !== '') {
    return 'credentials do not belong in the server address; use token, or user and password (secrets), instead';
  }
  return undefined;
}
