import type { DeliveryOutcome, ProtocolDetail } from '../ports/sink.js';

/** The longest Retry-After honoured: a function asking for more is retried after an hour. */
const MAX_RETRY_AFTER_MS = 3_600_000;
/** How much of an error body is kept in the outcome (and so in logs and dead letters). */
const MAX_ERROR_EXCERPT = 512;

/** What an HTTP function answered: status, headers and the first bytes of its body. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body, up to the sink's `maxAnswerBytes`. */
  readonly body: Buffer;
  /** True when the body was longer than what was kept. */
  readonly truncated: boolean;
}

/** The HTTP status kept beside the protocol-neutral outcome (the `deadletterstatus` extension). */
export function httpDetail(code: number): ProtocolDetail {
  return { protocol: 'http', code };
}

/**
 * The delivery promise's reading of an HTTP status (docs/architecture.md, "The delivery
 * promise"): any 2xx succeeds; 5xx, 408 and 429 may succeed later (with the function's
 * Retry-After honoured); every other status is permanent. 3xx are not followed: a function URL
 * that redirects is a configuration mistake.
 */
export function httpOutcome(answer: HttpAnswer): DeliveryOutcome {
  const { status } = answer;
  if (status >= 200 && status < 300) return { kind: 'ok', detail: httpDetail(status) };
  const excerpt = errorExcerpt(answer.body);
  const error = `HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`;
  return failedStatus(status, error, answer.headers);
}

/** A failed status as an outcome with the given error text: retryable for 5xx, 408 and 429. */
export function failedStatus(
  status: number,
  error: string,
  headers: HttpAnswer['headers'] = {},
): DeliveryOutcome {
  if (status >= 500 || status === 408 || status === 429) {
    const retryAfterMs = parseRetryAfter(headers['retry-after']);
    return retryAfterMs === undefined
      ? { kind: 'retryable', error, detail: httpDetail(status) }
      : { kind: 'retryable', error, retryAfterMs, detail: httpDetail(status) };
  }
  return { kind: 'permanent', error, detail: httpDetail(status) };
}

/** A short, one-line excerpt of a body for an error message. */
export function errorExcerpt(body: Uint8Array): string {
  return Buffer.from(body.subarray(0, MAX_ERROR_EXCERPT * 4))
    .toString('utf8')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_ERROR_EXCERPT);
}

/** RFC 9110 10.2.3: delay-seconds or an HTTP-date, capped at an hour. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Math.min(Number(text.trim()) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}

/** One header's value, the first when it was sent more than once. */
export function headerValue(headers: HttpAnswer['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
