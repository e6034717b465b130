/**
 * The Google sinks: `sink: { cloudrun: { uri, audience, serviceAccountKey | auth } }` for a Cloud
 * Run service and `sink: { gcf: { ... } }` for a Cloud Function, with the same settings. Both
 * POST the event in CloudEvents HTTP binary mode with a Google-signed ID token as bearer token.
 */
import type { SinkDescriptor } from '../../broker/ports/sink.js';
import { GoogleSink } from './google-sink.js';
import { type FetchIdToken, IdTokenCache } from './id-token-cache.js';
import { metadataIdToken } from './metadata-id-token.js';
import { CLOUD_FUNCTIONS, CLOUD_RUN, type GooglePlatform } from './platform.js';
import { serviceAccountIdToken } from './service-account-id-token.js';
import {
  type GoogleCredentials,
  type GoogleSinkSpec,
  googleSinkSettings,
  readGoogleSettings,
} from './settings.js';

export type { GoogleSinkSpec } from './settings.js';

export const cloudRunSink: SinkDescriptor<GoogleSinkSpec> = googleSinkDescriptor(CLOUD_RUN);
export const cloudFunctionsSink: SinkDescriptor<GoogleSinkSpec> = googleSinkDescriptor(CLOUD_FUNCTIONS);

function googleSinkDescriptor(platform: GooglePlatform): SinkDescriptor<GoogleSinkSpec> {
  return {
    kind: platform.kind,
    summary: platform.summary,
    settings: googleSinkSettings(platform),
    build(context) {
      // GCE_METADATA_HOST is read when the manifest is compiled: a reload picks up a change.
      const settings = readGoogleSettings(context, process.env, platform);
      if (!settings) return undefined;
      // Each sink holds its own token: one request per sink per token lifetime is cheap, and a
      // reload that changes the key or the audience can never meet a token bought for the old one.
      const idTokens = new IdTokenCache(idTokenSource(settings.credentials, settings.audience));
      return new GoogleSink({
        platform,
        uri: settings.uri,
        audience: settings.audience,
        idTokens,
        connections: context.concurrency,
        headerEncoding: settings.headerEncoding,
      });
    },
  };
}

function idTokenSource(credentials: GoogleCredentials, audience: string): FetchIdToken {
  return credentials.kind === 'metadata'
    ? metadataIdToken(credentials.server, audience)
    : serviceAccountIdToken(credentials.key, audience);
}
