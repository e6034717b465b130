import type { SecretRef } from '../../broker/config/types.js';
import type { JsonSchema } from '../../broker/ports/json-schema.js';
import { HEADER_ENCODING_SETTING, secretRefSchema } from '../../broker/sink-kit/settings.js';

/** `sink: { azure: { uri, functionKey } }`. */
export interface AzureFunctionsSinkSpec {
  uri: string;
  functionKey?: SecretRef;
  headerEncoding?: 'percent' | 'utf8';
}

export const AZURE_SETTINGS_SCHEMA: JsonSchema = {
  description:
    'An HTTP-triggered Azure Function, called with the CloudEvents HTTP binding in binary mode; its function key, if it needs one, travels in the x-functions-key header.',
  type: 'object',
  additionalProperties: false,
  required: ['uri'],
  properties: {
    uri: {
      type: 'string',
      description:
        "The function's invoke URL (https://<app>.azurewebsites.net/api/<function>, or the function's own route), without the `code` query parameter: the key goes in `functionKey`, so that it never shows in logs or dead letters.",
      examples: ['https://orders-app.azurewebsites.net/api/on-order'],
    },
    functionKey: secretRefSchema(
      'The function key (or the host key) for a function whose authorization level is `function` or `admin`, sent as the x-functions-key header. Leave it out for an `anonymous` function.',
      [{ fromEnv: 'AZ_KEY' }],
    ),
    headerEncoding: HEADER_ENCODING_SETTING,
  },
};
