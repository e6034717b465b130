/** The `webhook` Source: its descriptor (registered in plugins.ts) and builder. */

import type { CeMappingSpec } from '../../broker/config/types.js';
import type { Connector, ConnectorBuildContext, ConnectorDescriptor } from '../../broker/ports/connector.js';
import { WebhookConnector } from './connector.js';
import { WEBHOOK_SETTINGS_SCHEMA } from './settings-schema.js';
import { compileWebhookSource, WEBHOOK_ROOTS, type WebhookSpec } from './source.js';

/** Checks the block, the signature secret and the `ce` mapping, builds the connector. */
export function buildWebhookConnector(context: ConnectorBuildContext): Connector | undefined {
  const spec = context.spec as WebhookSpec;
  const signature = spec.signature;
  const secret = signature
    ? context.secret(signature.secret, [...context.path, 'signature', 'secret'])
    : undefined;
  const source = compileWebhookSource(
    context.name,
    spec,
    context.ce as CeMappingSpec | undefined,
    context.path.slice(0, -1),
    context.report,
    secret,
  );
  return new WebhookConnector(source);
}

export const webhookConnector: ConnectorDescriptor<Record<string, unknown>> = {
  kind: 'webhook',
  summary:
    'Raw payloads POSTed to /webhooks/{name}, verified by an HMAC signature and mapped by `ce` (or by the GitHub preset); answered 202 only once stored.',
  settings: WEBHOOK_SETTINGS_SCHEMA,
  templateRoots: WEBHOOK_ROOTS,
  build: buildWebhookConnector,
};
