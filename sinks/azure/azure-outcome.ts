import type { DeliveryOutcome } from '../../broker/ports/sink.js';
import {
  errorExcerpt,
  failedStatus,
  type HttpAnswer,
  httpOutcome,
} from '../../broker/sink-kit/http-outcome.js';

/**
 * Reads an Azure Functions answer: the delivery promise's reading of the status (`httpOutcome`:
 * 429 and 5xx retried, which covers the 503 the app answers while it scales out or starts), with
 * a hint for the two permanent statuses the platform itself answers before the function runs:
 * 401 when the request lacks the key the function's authorization level asks for, or has a
 * wrong one, and 404 when no enabled function has this route.
 */
export function azureOutcome(answer: HttpAnswer, hasKey: boolean): DeliveryOutcome {
  const hint = hintFor(answer.status, hasKey);
  if (hint === undefined) return httpOutcome(answer);
  const excerpt = errorExcerpt(answer.body);
  return failedStatus(answer.status, `HTTP ${answer.status}: ${hint}${excerpt ? ` (${excerpt})` : ''}`);
}

function hintFor(status: number, hasKey: boolean): string | undefined {
  if (status === 401)
    return hasKey
      ? 'the function app refused the key in functionKey: it is not a key of this function or a host key of its app'
      : 'the function needs a key (its authorization level is function or admin): set functionKey';
  if (status === 404)
    return 'no function answers at this URL: check the function name and the route prefix (api/ by default), and that the function is enabled';
  return undefined;
}
