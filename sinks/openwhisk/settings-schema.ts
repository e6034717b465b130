import type { SecretRef } from '../../broker/config/types.js';
import type { JsonSchema } from '../../broker/ports/json-schema.js';
import { secretRefSchema } from '../../broker/sink-kit/settings.js';

/** `sink: { openwhisk: { apiHost, namespace, action, blocking, auth } }`. */
export interface OpenWhiskSinkSpec {
  apiHost: string;
  namespace?: string;
  action: string;
  blocking?: boolean;
  auth: SecretRef;
}

/** OpenWhisk's name for the namespace the credentials belong to. */
export const DEFAULT_NAMESPACE = '_';

export const OPENWHISK_SETTINGS_SCHEMA: JsonSchema = {
  description:
    "An Apache OpenWhisk action, invoked through the platform's REST API with the event in the CloudEvents JSON format as its parameters.",
  type: 'object',
  additionalProperties: false,
  required: ['apiHost', 'action', 'auth'],
  properties: {
    apiHost: {
      type: 'string',
      description:
        'The OpenWhisk API host as an http:// or https:// URL (the APIHOST of ~/.wskprops, with its scheme); the sink adds /api/v1/namespaces/... itself. A path is kept as a prefix, for an API behind a reverse proxy.',
      examples: ['https://openwhisk.example.com', 'http://127.0.0.1:3233'],
    },
    namespace: {
      type: 'string',
      minLength: 1,
      default: DEFAULT_NAMESPACE,
      description: 'The namespace of the action; `_` is the default namespace of the credentials in `auth`.',
      examples: ['_', 'guest'],
    },
    action: {
      type: 'string',
      minLength: 1,
      description:
        'The action to invoke: its name, or `package/name` for an action in a package (the namespace goes in `namespace`).',
      examples: ['hello', 'orders/on-created'],
    },
    blocking: {
      type: 'boolean',
      default: true,
      description:
        "true: wait for the activation and count a failed one (HTTP 502, or a record whose response.success is false) as a delivery to retry; OpenWhisk waits at most 60 s, then answers 202 and the delivery counts as done. Set the subscription's delivery.timeout (PT30S by default) above the action's run time, or a slow action is given up on and invoked again. false: success means OpenWhisk accepted the activation (202), whatever the action does with it.",
      examples: [false],
    },
    auth: secretRefSchema(
      'The OpenWhisk authorization key `UUID:KEY` (the AUTH of ~/.wskprops, `wsk property get --auth`), sent as HTTP Basic authentication.',
      [{ fromEnv: 'WSK_AUTH' }],
    ),
  },
};
