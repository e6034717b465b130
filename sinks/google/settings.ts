import type { HeaderEncoding } from '../../broker/bindings/http.js';
import type { SecretRef } from '../../broker/config/types.js';
import type { PathSegment } from '../../broker/config/yaml-document.js';
import type { JsonSchema } from '../../broker/ports/json-schema.js';
import type { SinkBuildContext } from '../../broker/ports/sink.js';
import { HEADER_ENCODING_SETTING, httpUrlSetting, secretRefSchema } from '../../broker/sink-kit/settings.js';
import { carriesCredentialsSafely } from './bearer-transport.js';
import { metadataServerUrl } from './metadata-id-token.js';
import type { GooglePlatform } from './platform.js';
import { parseServiceAccountKey, type ServiceAccountKey } from './service-account-key.js';

/** The `cloudrun` or `gcf` block of a sink, as schemas/sink.schema.json allows it. */
export interface GoogleSinkSpec {
  uri: string;
  audience?: string | null;
  serviceAccountKey?: SecretRef;
  auth?: 'metadata';
  headerEncoding?: HeaderEncoding;
}

/** Where the sink's ID tokens come from. */
export type GoogleCredentials =
  | { readonly kind: 'serviceAccountKey'; readonly key: ServiceAccountKey }
  | { readonly kind: 'metadata'; readonly server: URL };

/** A `cloudrun` or `gcf` block, checked and with its key file read. */
export interface GoogleSinkSettings {
  readonly uri: string;
  readonly audience: string;
  readonly credentials: GoogleCredentials;
  readonly headerEncoding: HeaderEncoding;
}

/** The settings' JSON Schema; which way to authenticate is checked by `readGoogleSettings`. */
export function googleSinkSettings(platform: GooglePlatform): JsonSchema {
  return {
    description: `A ${platform.product} endpoint called with a Google-signed ID token. Give exactly one of serviceAccountKey and auth: metadata.`,
    type: 'object',
    additionalProperties: false,
    required: ['uri'],
    properties: {
      uri: {
        type: 'string',
        description: platform.uriDescription,
        examples: [platform.uriExample],
      },
      audience: {
        type: ['string', 'null'],
        default: null,
        description: `The audience the ID token is for: a custom audience of the service, when it is reached through another URL (a custom domain, a load balancer). null: ${platform.audienceDefault}.`,
        examples: ['https://orders.example.com'],
      },
      serviceAccountKey: secretRefSchema(
        `The JSON key file of the service account the calls are made as (it needs ${platform.invokerRole}); its ID tokens are bought from the key file's own token_uri. Instead of auth: metadata.`,
        [{ fromFile: '/secrets/sa.json' }],
      ),
      auth: {
        enum: ['metadata'],
        description:
          "metadata: ID tokens come from the metadata server of the machine the broker runs on (GCE, GKE, Cloud Run), as its attached service account; the GCE_METADATA_HOST environment variable (host[:port]) points elsewhere, as for Google's own libraries. Instead of serviceAccountKey.",
        examples: ['metadata'],
      },
      headerEncoding: HEADER_ENCODING_SETTING,
    },
  };
}

/**
 * Checks a block beyond its schema and reads its key file. Reports every problem at its path
 * and returns undefined after any, or when the key file could not be read: in validate mode
 * (no secrets), only the block's shape is checked.
 */
export function readGoogleSettings(
  context: SinkBuildContext<GoogleSinkSpec>,
  env: NodeJS.ProcessEnv,
  platform: GooglePlatform,
): GoogleSinkSettings | undefined {
  const { spec, path, report } = context;
  const at = (name: string): PathSegment[] => [...path, name];
  const url = readUri(spec.uri, at('uri'), report);
  if (spec.audience === '') report(at('audience'), 'must not be empty (null: the default audience)');
  const credentials = readCredentials(context, env);
  if (!url || spec.audience === '' || !credentials) return undefined;
  return {
    uri: spec.uri,
    audience: spec.audience ?? platform.defaultAudience(url),
    credentials,
    headerEncoding: spec.headerEncoding ?? 'percent',
  };
}

function readUri(
  uri: string,
  path: readonly PathSegment[],
  report: SinkBuildContext['report'],
): URL | undefined {
  const url = httpUrlSetting(uri, path, report);
  if (!url) return undefined;
  if (url.username || url.password) {
    report(path, 'must not hold a user name or password: the ID token is what authenticates');
    return undefined;
  }
  if (!carriesCredentialsSafely(url)) {
    report(path, 'must be https:// (http:// only for a loopback host): every request carries an ID token');
    return undefined;
  }
  return url;
}

function readCredentials(
  { spec, path, report, secret }: SinkBuildContext<GoogleSinkSpec>,
  env: NodeJS.ProcessEnv,
): GoogleCredentials | undefined {
  if ((spec.serviceAccountKey === undefined) === (spec.auth === undefined)) {
    report(
      path,
      spec.auth === undefined
        ? 'give serviceAccountKey (a service account key file) or auth: metadata, to say where ID tokens come from'
        : 'give serviceAccountKey or auth: metadata, not both',
    );
    return undefined;
  }
  if (spec.auth !== undefined) {
    if (spec.auth !== 'metadata') {
      report([...path, 'auth'], `must be metadata, not ${JSON.stringify(spec.auth)}`);
      return undefined;
    }
    const server = metadataServerUrl(env['GCE_METADATA_HOST']);
    if (!server) {
      report(
        [...path, 'auth'],
        `the environment variable GCE_METADATA_HOST is "${env['GCE_METADATA_HOST']}", not a host[:port]`,
      );
      return undefined;
    }
    return { kind: 'metadata', server };
  }
  const keyPath = [...path, 'serviceAccountKey'];
  const file = secret(spec.serviceAccountKey!, keyPath);
  if (!file) return undefined;
  const parsed = parseServiceAccountKey(file.text());
  if ('problem' in parsed) {
    report(keyPath, parsed.problem);
    return undefined;
  }
  return { kind: 'serviceAccountKey', key: parsed.key };
}
