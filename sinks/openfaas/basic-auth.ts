import type { Secret } from '../../broker/config/secrets.js';
import type { PathSegment } from '../../broker/config/yaml-document.js';
import type { SinkBuildContext } from '../../broker/ports/sink.js';
import type { OpenFaasSinkSpec } from './settings.js';

/** Basic auth credentials for the gateway's routes; the password stays a Secret until the header is made. */
export interface BasicCredentials {
  readonly username: string;
  readonly password: Secret;
}

/** The Authorization header value for basic auth (RFC 7617, UTF-8). */
export function basicAuthorization({ username, password }: BasicCredentials): string {
  return `Basic ${Buffer.from(`${username}:${password.text()}`, 'utf8').toString('base64')}`;
}

/**
 * The strings that give the credentials away, for scrubbing them out of error text: a function
 * behind the gateway sees the Authorization header too, and one that echoes its request in an
 * error body would otherwise put them into the outcome, the log and the dead letter.
 */
export function credentialTexts(credentials: BasicCredentials): string[] {
  const header = basicAuthorization(credentials);
  return [header.slice('Basic '.length), credentials.password.text()];
}

/**
 * Reads `basicAuth`. Returns `false` after reporting a mistake; `undefined` when there is no
 * basic auth or its password is not resolved: in validate mode secrets are never read, and a
 * missing one has been reported by the context, so the compile fails before anything is sent.
 */
export function readBasicAuth(
  spec: OpenFaasSinkSpec['basicAuth'],
  path: readonly PathSegment[],
  context: Pick<SinkBuildContext, 'report' | 'secret'>,
): BasicCredentials | undefined | false {
  if (spec === undefined) return undefined;
  let valid = true;
  if (spec.username === undefined || spec.username === '') {
    context.report([...path, 'username'], 'basic auth needs a username');
    valid = false;
  } else if (spec.username.includes(':')) {
    // RFC 7617 2: the user-id ends at the first colon, so the gateway would read another name.
    context.report([...path, 'username'], 'a basic auth username cannot contain ":"');
    valid = false;
  }
  if (spec.password === undefined) {
    context.report(
      [...path, 'password'],
      'basic auth needs a password: { fromEnv: NAME } or { fromFile: PATH }',
    );
    valid = false;
  }
  if (!valid || spec.username === undefined || spec.password === undefined) return false;
  const password = context.secret(spec.password, [...path, 'password']);
  return password === undefined ? undefined : { username: spec.username, password };
}
