/**
 * Every error the broker reports, as one list of named codes. The code is what a client or a
 * dead-letter reader matches on; `detail` says which attribute, header or byte is wrong, and
 * never contains a secret. Errors know no transport: how a code is answered over HTTP is
 * broker/http/status.ts's business.
 */
export const ERROR_CODES = [
  'malformed_json',
  'malformed_event',
  'missing_attribute',
  'invalid_attribute',
  'invalid_extension_name',
  'unsupported_specversion',
  'invalid_data',
  'mapping_failed',
  'schema_violation',
  'bad_request',
  'empty_selection',
  'headers_too_large',
  'request_timeout',
  'unauthorized',
  'forbidden_origin',
  'bad_signature',
  'stale_signature',
  'unknown_source',
  'not_found',
  'unknown_subscription',
  'method_not_allowed',
  'body_too_large',
  'unsupported_media_type',
  'overloaded',
  'unavailable',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class BrokerError extends Error {
  readonly code: ErrorCode;
  readonly detail: string;
  /** Seconds a client should wait before trying again (overloaded and unavailable). */
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, detail: string, options?: { retryAfter?: number; cause?: unknown }) {
    super(`${code}: ${detail}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BrokerError';
    this.code = code;
    this.detail = detail;
    this.retryAfter = options?.retryAfter;
  }

  toJSON(): { error: ErrorCode; detail: string } {
    return { error: this.code, detail: this.detail };
  }
}
