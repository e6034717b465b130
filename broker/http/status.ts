/**
 * The HTTP status each error code is answered with. Only the HTTP side of the broker needs it:
 * the core, connectors and sinks deal in codes (broker/errors.ts).
 */
import type { ErrorCode } from '../errors.js';

/** A Record over every code, so that a code added to ERROR_CODES without a status fails to compile. */
const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
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
  empty_selection: 400,
  headers_too_large: 431,
  request_timeout: 408,
  unauthorized: 401,
  forbidden_origin: 403,
  bad_signature: 401,
  stale_signature: 401,
  unknown_source: 404,
  not_found: 404,
  unknown_subscription: 404,
  method_not_allowed: 405,
  body_too_large: 413,
  unsupported_media_type: 415,
  overloaded: 429,
  unavailable: 503,
  internal: 500,
};

/** The HTTP status a BrokerError with `code` is answered with. */
export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code];
}
