/** The `sink: { openfaas: ... }` block: its shape and its JSON Schema (the reference is generated from it). */
import type { SecretRef } from '../../broker/config/types.js';
import type { JsonSchema } from '../../broker/ports/json-schema.js';
import { HEADER_ENCODING_SETTING, secretRefSchema } from '../../broker/sink-kit/settings.js';

export interface OpenFaasSinkSpec {
  gateway: string;
  function: string;
  async?: boolean;
  callbackUrl?: string | null;
  basicAuth?: { username?: string; password?: SecretRef };
  headerEncoding?: 'percent' | 'utf8';
}

/**
 * A name the gateway routes: its router accepts `[-a-zA-Z_0-9.]+` after /function/, and reads
 * the part after the last dot as the namespace (`resize.openfaas-fn`). Leading, trailing and
 * doubled dots are refused here because they would name an empty function or namespace.
 */
export const OPENFAAS_FUNCTION_NAME = /^[-a-zA-Z_0-9]+(\.[-a-zA-Z_0-9]+)*$/;

export const openFaasSettings: JsonSchema = {
  description:
    'An OpenFaaS function, called through the OpenFaaS gateway with the CloudEvents HTTP binding (binary mode).',
  type: 'object',
  additionalProperties: false,
  required: ['gateway', 'function'],
  properties: {
    gateway: {
      type: 'string',
      description:
        'The OpenFaaS gateway: an absolute http:// or https:// URL, without credentials (use basicAuth).',
      examples: ['http://gateway.openfaas:8080', 'https://faas.example.com'],
    },
    function: {
      type: 'string',
      pattern: OPENFAAS_FUNCTION_NAME.source,
      description:
        "The function's name as deployed on the gateway; name.namespace calls it in another namespace.",
      examples: ['resize', 'resize.staging'],
    },
    async: {
      type: 'boolean',
      default: false,
      description:
        "Queue the call through the gateway's /async-function/ route: the gateway's 202 Accepted is the success, the function runs later.",
      examples: [true],
    },
    callbackUrl: {
      type: ['string', 'null'],
      default: null,
      description:
        "Where the gateway's queue worker POSTs the function's result of an async call (the X-Callback-Url header); async only.",
      examples: ['http://results.internal:8080/openfaas', null],
    },
    basicAuth: {
      type: 'object',
      additionalProperties: false,
      required: ['username', 'password'],
      description:
        'Basic auth credentials sent with every call, for a gateway or an ingress in front of it that guards function invocations.',
      examples: [{ username: 'admin', password: { fromEnv: 'OF_PASS' } }],
      properties: {
        username: {
          type: 'string',
          minLength: 1,
          description: 'The user name, usually admin.',
          examples: ['admin'],
        },
        password: secretRefSchema('The password.', [
          { fromEnv: 'OF_PASS' },
          { fromFile: '/var/secrets/openfaas/basic-auth-password' },
        ]),
      },
    },
    headerEncoding: HEADER_ENCODING_SETTING,
  },
};
