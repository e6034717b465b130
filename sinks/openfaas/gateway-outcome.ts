import type { DeliveryOutcome } from '../../broker/ports/sink.js';
import {
  errorExcerpt,
  failedStatus,
  type HttpAnswer,
  httpOutcome,
} from '../../broker/sink-kit/http-outcome.js';

/** What the judge needs to know about the call it reads the answer of. */
export interface GatewayCall {
  readonly functionName: string;
  /** Whether basic auth was sent, to say what a 401 means. */
  readonly authenticated: boolean;
  /** Texts that must never reach an outcome's error (see credentialTexts). */
  readonly secrets: readonly string[];
}

/**
 * The gateway's answer as an outcome: the delivery promise's reading of the status
 * (httpOutcome: any 2xx succeeds, so a sync 200 and an async 202 alike; 5xx, 408 and 429 are
 * retried), with errors that say what the gateway means by its statuses:
 * - 404: the gateway has no such function (with scale from zero on, it looks the name up
 *   before forwarding; without, its provider answers 503 for it, which reads as retryable);
 * - 401: basic auth in front of the function (an ingress, a function checking it, a gateway
 *   that guards invocations; the community gateway guards only /system/) refused the
 *   credentials, which retrying cannot fix;
 * - 502, 503, 504: the function is down or still scaling from zero, which passes;
 * - 429: the function is at its concurrency limit (of-watchdog's max_inflight).
 */
export function gatewayOutcome(answer: HttpAnswer, call: GatewayCall): DeliveryOutcome {
  const meaning = statusMeaning(answer.status, call);
  const outcome =
    meaning === undefined
      ? httpOutcome(answer)
      : failedStatus(answer.status, describe(answer, meaning), answer.headers);
  return withoutSecrets(outcome, call.secrets);
}

function statusMeaning(status: number, call: GatewayCall): string | undefined {
  const fn = `function "${call.functionName}"`;
  switch (status) {
    case 404:
      return `${fn} not found on the gateway`;
    case 401:
      return call.authenticated
        ? 'the basic auth credentials were refused'
        : 'basic auth is required: set basicAuth';
    case 502:
    case 503:
    case 504:
      return `${fn} is not ready (down, or scaling from zero)`;
    case 429:
      return `${fn} is at its concurrency limit`;
    default:
      return undefined;
  }
}

function describe(answer: HttpAnswer, meaning: string): string {
  const excerpt = errorExcerpt(answer.body);
  return `HTTP ${answer.status}: ${meaning}${excerpt ? ` (${excerpt})` : ''}`;
}

function withoutSecrets(outcome: DeliveryOutcome, secrets: readonly string[]): DeliveryOutcome {
  if (outcome.kind === 'ok' || secrets.length === 0) return outcome;
  let error = outcome.error;
  for (const secret of secrets) error = error.split(secret).join('[redacted]');
  return error === outcome.error ? outcome : { ...outcome, error };
}
