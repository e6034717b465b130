import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../broker/errors.js';
import { httpStatusOf } from '../../../broker/http/status.js';

describe('httpStatusOf', () => {
  it('gives every error code a 4xx or 5xx status', () => {
    for (const code of ERROR_CODES) {
      const status = httpStatusOf(code);
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(600);
    }
  });

  it('answers the codes a client acts on with their own statuses', () => {
    expect(httpStatusOf('invalid_attribute')).toBe(400);
    expect(httpStatusOf('bad_signature')).toBe(401);
    expect(httpStatusOf('forbidden_origin')).toBe(403);
    expect(httpStatusOf('unknown_source')).toBe(404);
    expect(httpStatusOf('method_not_allowed')).toBe(405);
    expect(httpStatusOf('request_timeout')).toBe(408);
    expect(httpStatusOf('body_too_large')).toBe(413);
    expect(httpStatusOf('unsupported_media_type')).toBe(415);
    expect(httpStatusOf('headers_too_large')).toBe(431);
    expect(httpStatusOf('overloaded')).toBe(429);
    expect(httpStatusOf('internal')).toBe(500);
    expect(httpStatusOf('unavailable')).toBe(503);
    expect(httpStatusOf('empty_selection')).toBe(400);
    expect(httpStatusOf('unknown_subscription')).toBe(404);
  });
});
