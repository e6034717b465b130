/**
 * Every error the broker reports to a client, as one map of named codes (the fastify way).
 * The code is what a client matches on; the HTTP status follows from it; `detail` says which
 * attribute, header or byte is wrong, and never contains a secret.
 */
export const ERROR_CODES = {
  malformed_json: 400,
  malformed_event: 400,
  missing_attribute: 400,
  invalid_attribute: 400,
  invalid_extension_name: 400,
  unsupported_specversion: 400,
  invalid_data: 400,
  mapping_failed: 400,
  schema_violation: 400,
  bad_request: 400,
  unauthorized: 401,
  forbidden_origin: 403,
  bad_signature: 401,
  stale_signature: 401,
  unknown_source: 404,
  not_found: 404,
  method_not_allowed: 405,
  body_too_large: 413,
  unsupported_media_type: 415,
  overloaded: 429,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class BrokerError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string;
  /** Seconds a client should wait before trying again (429 and 503). */
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, detail: string, options?: { retryAfter?: number; cause?: unknown }) {
    super(`${code}: ${detail}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BrokerError';
    this.code = code;
    this.status = ERROR_CODES[code];
    this.detail = detail;
    this.retryAfter = options?.retryAfter;
  }

  toJSON(): { error: ErrorCode; detail: string } {
    return { error: this.code, detail: this.detail };
  }
}
