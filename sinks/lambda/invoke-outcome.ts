import type { DeliveryOutcome } from '../../broker/ports/sink.js';
import {
  errorExcerpt,
  failedStatus,
  type HttpAnswer,
  headerValue,
  httpDetail,
} from '../../broker/sink-kit/http-outcome.js';

/** The longest function error or AWS error message kept in an outcome (and so in logs and dead letters). */
const MAX_MESSAGE_CHARS = 512;

/**
 * Error types the Invoke API answers with a 409 for a state that passes by itself (Lambda API
 * reference, Invoke, "Errors"): ResourceConflictException while the function is still Pending
 * after being created ("The operation cannot be performed at this time"), and
 * SnapStartNotReadyException while Lambda initializes a SnapStart version ("You can invoke the
 * function when the function state becomes Active"). Retried like a 5xx, so that a deployment
 * does not dead-letter the events that arrive during it.
 */
const TRANSIENT_CONFLICTS: ReadonlySet<string> = new Set([
  'ResourceConflictException',
  'SnapStartNotReadyException',
]);

/**
 * Reads an Invoke API answer (Lambda API reference, Invoke, "Response syntax"). 200
 * (RequestResponse), 202 (Event) and 204 (DryRun) mean the call worked; for RequestResponse the
 * function itself may still have failed, which Lambda says with a 200 carrying the
 * X-Amz-Function-Error header (Unhandled, or the legacy Handled) and the error object as
 * payload: a failed delivery that may succeed on a new run, so retryable. Other statuses are
 * Lambda's own errors, named by the x-amzn-ErrorType header: 429 (TooManyRequestsException,
 * with Retry-After) and 5xx are retryable, a 4xx is permanent unless it is a transient conflict.
 */
export function invokeOutcome(answer: HttpAnswer): DeliveryOutcome {
  const { status } = answer;
  if (status >= 200 && status < 300) {
    const functionError = headerValue(answer.headers, 'x-amz-function-error');
    if (functionError === undefined) return { kind: 'ok', detail: httpDetail(status) };
    return { kind: 'retryable', error: functionErrorText(functionError, answer), detail: httpDetail(status) };
  }
  const error = awsError(answer);
  if (error.type !== undefined && TRANSIENT_CONFLICTS.has(error.type))
    return { kind: 'retryable', error: error.text, detail: httpDetail(status) };
  return failedStatus(status, error.text, answer.headers);
}

/**
 * "the function failed (Unhandled): TypeError: x is undefined". The payload is the runtime's
 * error object ({"errorType", "errorMessage", "trace"/"stackTrace"}); its members are read
 * one by one, since a long stack trace is cut at the sink's answer limit and the whole object
 * would no longer parse.
 */
function functionErrorText(kind: string, answer: HttpAnswer): string {
  const text = answer.body.toString('utf8');
  const type = stringMember(text, 'errorType');
  const message = stringMember(text, 'errorMessage');
  const what =
    type !== undefined && message !== undefined
      ? `${type}: ${message}`
      : (message ?? type ?? errorExcerpt(answer.body));
  return `the function failed (${kind})${what ? `: ${oneLine(what)}` : ''}`;
}

/** An AWS error answer: its type (ResourceNotFoundException...) and a one-line text for the outcome. */
interface AwsError {
  readonly type: string | undefined;
  readonly text: string;
}

/**
 * "HTTP 404 ResourceNotFoundException: Function not found: arn:...". The type comes from the
 * x-amzn-ErrorType header, which restJson1 services such as Lambda always send, else from the
 * body's `__type` or `Type`; the message from the body's `message` (or `Message`). A body that is
 * not JSON (a proxy's error page, an emulator) is quoted instead.
 */
function awsError(answer: HttpAnswer): AwsError {
  const body = jsonObject(answer.body);
  const type =
    errorTypeName(headerValue(answer.headers, 'x-amzn-errortype')) ??
    errorTypeName(stringField(body, '__type')) ??
    stringField(body, 'Type');
  const reason = stringField(body, 'Reason');
  const message = stringField(body, 'message') ?? stringField(body, 'Message');
  const detail = message ?? (body === undefined ? errorExcerpt(answer.body) : '');
  const text = [
    `HTTP ${answer.status}`,
    type === undefined ? '' : ` ${type}`,
    reason === undefined ? '' : ` (${reason})`,
    detail ? `: ${oneLine(detail)}` : '',
  ].join('');
  return { type, text };
}

/**
 * The bare error name, as the AWS SDKs read it: the header may carry a suffix after ":"
 * ("ResourceNotFoundException:http://internal.amazon.com/coral/...") and `__type` a namespace
 * before "#" ("com.amazonaws.lambda#ResourceNotFoundException").
 */
function errorTypeName(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const name = value.split(':')[0]!.split('#').pop()!.trim();
  return name || undefined;
}

function jsonObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function stringField(object: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = object?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The string value of the first `"name": "..."` member in JSON text that may be cut short. */
function stringMember(text: string, name: string): string | undefined {
  const literal = new RegExp(`"${name}"\\s*:\\s*("(?:[^"\\\\]|\\\\.)*")`).exec(text)?.[1];
  if (literal === undefined) return undefined;
  try {
    return JSON.parse(literal) as string;
  } catch {
    return undefined;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, MAX_MESSAGE_CHARS);
}
