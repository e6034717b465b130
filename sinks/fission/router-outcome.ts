import type { DeliveryOutcome } from '../../broker/ports/sink.js';
import {
  errorExcerpt,
  failedStatus,
  type HttpAnswer,
  headerValue,
  httpOutcome,
} from '../../broker/sink-kit/http-outcome.js';

/**
 * The router marks a 404 of its own on a /fission-function/ route with this header, telling a
 * route miss (no such function, or not yet routed) apart from a 404 the function answered.
 */
const ROUTE_MISS_HEADER = 'x-fission-route-miss';

/**
 * The router's answer as an outcome: the delivery promise's reading of the status
 * (httpOutcome), with a clearer error for a 404 the router says is its own.
 */
export function routerOutcome(answer: HttpAnswer, target: string): DeliveryOutcome {
  if (answer.status === 404 && headerValue(answer.headers, ROUTE_MISS_HEADER) !== undefined) {
    const excerpt = errorExcerpt(answer.body);
    return failedStatus(
      404,
      `HTTP 404: the router has no route for ${target}${excerpt ? ` (${excerpt})` : ''}`,
      answer.headers,
    );
  }
  return httpOutcome(answer);
}
