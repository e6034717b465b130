/** The `openwhisk` sink: an Apache OpenWhisk action (`sink: { openwhisk: { apiHost, action, auth, ... } }`). */
import type { Sink, SinkBuildContext, SinkDescriptor } from '../../broker/ports/sink.js';
import { actionSegments, actionUrl, apiHostSetting, namespaceSetting } from './action-url.js';
import { basicAuthorization } from './basic-auth.js';
import { OpenWhiskSink } from './openwhisk-sink.js';
import { DEFAULT_NAMESPACE, OPENWHISK_SETTINGS_SCHEMA, type OpenWhiskSinkSpec } from './settings-schema.js';

export type { OpenWhiskSinkSpec } from './settings-schema.js';

/**
 * Checks the block and reads the key, reporting every mistake at its field's path; returns
 * undefined after reporting one.
 */
export function buildOpenWhiskSink({
  spec,
  path,
  report,
  secret,
  concurrency,
}: SinkBuildContext<OpenWhiskSinkSpec>): Sink | undefined {
  const namespace = spec.namespace ?? DEFAULT_NAMESPACE;
  const apiHost = apiHostSetting(spec.apiHost, [...path, 'apiHost'], report);
  const namespaceOk = namespaceSetting(namespace, [...path, 'namespace'], report);
  const segments = actionSegments(spec.action, [...path, 'action'], report);
  const authorization = authorizationOf(spec, path, { report, secret });
  if (!apiHost || !namespaceOk || !segments || authorization === false) return undefined;
  return new OpenWhiskSink({
    action: actionUrl(apiHost, namespace, segments),
    blocking: spec.blocking ?? true,
    authorization,
    connections: concurrency,
  });
}

/**
 * The Authorization header from the `auth` secret: undefined when the secret is not read
 * (validate mode, or a missing one, already reported), false after reporting a malformed key.
 */
function authorizationOf(
  spec: OpenWhiskSinkSpec,
  path: SinkBuildContext['path'],
  { report, secret }: Pick<SinkBuildContext, 'report' | 'secret'>,
): string | undefined | false {
  const at = [...path, 'auth'];
  const auth = secret(spec.auth, at);
  if (!auth) return undefined;
  const result = basicAuthorization(auth);
  if ('error' in result) {
    report(at, result.error);
    return false;
  }
  return result.header;
}

export const openWhiskSink: SinkDescriptor<OpenWhiskSinkSpec> = {
  kind: 'openwhisk',
  summary:
    'Invokes an OpenWhisk action through its REST API with the event (CloudEvents JSON format) as parameters, by Basic authentication; an accepted or successful activation is success, a failed one (502), 429 and 5xx are retried, 401, 403, 404 and other 4xx are permanent.',
  settings: OPENWHISK_SETTINGS_SCHEMA,
  build: buildOpenWhiskSink,
};
