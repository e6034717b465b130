/** The `sink: { fission: ... }` block: its shape and its JSON Schema (the reference is generated from it). */
import type { JsonSchema } from '../../broker/ports/json-schema.js';
import { HEADER_ENCODING_SETTING } from '../../broker/sink-kit/settings.js';

export interface FissionSinkSpec {
  router: string;
  function?: string;
  namespace?: string;
  path?: string;
  headerEncoding?: 'percent' | 'utf8';
}

/** Fission checks function and namespace names as Kubernetes DNS-1123 labels. */
export const FISSION_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * An HTTP trigger's relative URL as Fission accepts one: it starts with one slash and is not the
 * router's root; a query may follow (a fragment never reaches a server).
 */
export const FISSION_TRIGGER_PATH = /^\/(?!\/)[^?#]*[^/?#][^#]*$/;

export const fissionSettings: JsonSchema = {
  description:
    "A Fission function, called through the Fission router with the CloudEvents HTTP binding (binary mode): by the function's name, or by the URL of an HTTP trigger; give exactly one of function and path.",
  type: 'object',
  additionalProperties: false,
  required: ['router'],
  properties: {
    router: {
      type: 'string',
      description: 'The Fission router: an absolute http:// or https:// URL.',
      examples: ['http://router.fission', 'http://router.fission.svc.cluster.local:80'],
    },
    function: {
      type: 'string',
      pattern: FISSION_NAME.source,
      description:
        "The function's name, called on the router's function route (/fission-function/...); recent Fission versions serve that route only on the router's internal port.",
      examples: ['hello'],
    },
    namespace: {
      type: 'string',
      pattern: FISSION_NAME.source,
      description: "The function's namespace; default when left out. Only with function.",
      examples: ['default', 'team-a'],
    },
    path: {
      type: 'string',
      pattern: FISSION_TRIGGER_PATH.source,
      description:
        "The relative URL of an HTTP trigger (fission httptrigger create --url), appended to the router's URL; the trigger names the function.",
      examples: ['/hello', '/orders/created'],
    },
    headerEncoding: HEADER_ENCODING_SETTING,
  },
};
