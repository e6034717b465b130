import type { DeliveryOutcome } from '../../broker/ports/sink.js';
import {
  errorExcerpt,
  failedStatus,
  type HttpAnswer,
  headerValue,
  httpDetail,
} from '../../broker/sink-kit/http-outcome.js';

/**
 * The parts of an activation record (or of OpenWhisk's error answer, `{ error, code }`) the
 * sink reads; everything else in it (logs, annotations, timings) is ignored.
 */
interface OpenWhiskAnswerBody {
  readonly activationId?: unknown;
  readonly error?: unknown;
  readonly response?: { readonly status?: unknown; readonly success?: unknown; readonly result?: unknown };
}

/**
 * Reads the answer to an action invocation (OpenWhisk REST API, POST .../actions/{name}):
 *
 * - 202 `{activationId}`: a non-blocking invocation was accepted, or a blocking one outlived the
 *   blocking wait and goes on running. Either way the action has the event: delivered.
 * - 200 with the activation record: delivered, unless the record says `response.success: false`
 *   (some deployments answer a failed blocking activation so).
 * - 502 with the activation record: the action failed (`application error`: it returned an
 *   error; `action developer error`: it crashed or ran out of time). Retried, like every 5xx:
 *   the next activation may succeed, and if none does the event ends as a dead letter whose
 *   error names the activation to look up.
 * - 401/403 (the key is wrong or not allowed in the namespace), 404 (no such action) and other
 *   4xx are permanent; 429 (a rate or concurrency limit) and other 5xx are retried.
 */
export function activationOutcome(answer: HttpAnswer): DeliveryOutcome {
  const { status } = answer;
  const body = parseBody(answer);
  const activationId = activationIdOf(body, answer);
  if (status >= 200 && status < 300) {
    if (body?.response?.success !== false) return { kind: 'ok', detail: httpDetail(status) };
    // A failed activation, whatever the status says: retried like the 502 OpenWhisk answers for one.
    return {
      kind: 'retryable',
      error: failedActivation(status, body, activationId),
      detail: httpDetail(status),
    };
  }
  if (body?.response !== undefined)
    return failedStatus(status, failedActivation(status, body, activationId), answer.headers);
  return failedStatus(status, refusal(status, body, answer), answer.headers);
}

/** `HTTP 502: activation 4f1c... failed (application error): <the action's error>`. */
function failedActivation(
  status: number,
  body: OpenWhiskAnswerBody,
  activationId: string | undefined,
): string {
  const response = body.response ?? {};
  const verdict = typeof response.status === 'string' ? response.status : 'unsuccessful';
  const result = response.result as { error?: unknown } | undefined;
  const reason = excerptOf(result?.error ?? result);
  return `HTTP ${status}: activation ${activationId ?? '(no id)'} failed (${verdict})${reason ? `: ${reason}` : ''}`;
}

/** An answer from the API itself, before any activation: what went wrong, with a hint where one helps. */
function refusal(status: number, body: OpenWhiskAnswerBody | undefined, answer: HttpAnswer): string {
  const said = typeof body?.error === 'string' ? excerptOf(body.error) : errorExcerpt(answer.body);
  const hint = HINTS[status];
  return `HTTP ${status}${said ? `: ${said}` : ''}${hint ? ` (${hint})` : ''}`;
}

const HINTS: Readonly<Record<number, string>> = {
  401: 'OpenWhisk does not know the key in auth',
  403: 'the key in auth may not invoke actions in this namespace',
  404: 'no such action in this namespace: check namespace and action (package/name for an action in a package)',
  429: 'a rate or concurrency limit of the namespace',
};

function parseBody(answer: HttpAnswer): OpenWhiskAnswerBody | undefined {
  // A body cut at the size limit is not JSON; the status alone then decides.
  if (answer.body.length === 0 || answer.truncated) return undefined;
  try {
    const value: unknown = JSON.parse(answer.body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as OpenWhiskAnswerBody)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The record's activationId, else the header OpenWhisk sets on every invocation answer. */
function activationIdOf(body: OpenWhiskAnswerBody | undefined, answer: HttpAnswer): string | undefined {
  if (typeof body?.activationId === 'string') return body.activationId;
  return headerValue(answer.headers, 'x-openwhisk-activation-id');
}

function excerptOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return errorExcerpt(Buffer.from(text, 'utf8'));
}
