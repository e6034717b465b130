import { describe, expect, it } from 'vitest';
import type { HttpAnswer } from '../../../../broker/sink-kit/http-outcome.js';
import { activationOutcome } from '../../../../sinks/openwhisk/activation-outcome.js';

const ID = '8bd1a3e0c8b44c5e91a3e0c8b4dc5e2f';

const answer = (status: number, body: unknown, headers: HttpAnswer['headers'] = {}): HttpAnswer => ({
  status,
  headers,
  body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  truncated: false,
});

/** An activation record as a blocking invocation answers it (OpenWhisk REST API docs). */
const record = (response: Record<string, unknown>) => ({
  namespace: 'guest',
  name: 'hello',
  version: '0.0.1',
  subject: 'guest',
  activationId: ID,
  start: 1_700_000_000_000,
  end: 1_700_000_000_045,
  duration: 45,
  response,
  logs: [],
  annotations: [{ key: 'path', value: 'guest/hello' }],
  publish: false,
});

describe('openwhisk sink: reading an invocation answer', () => {
  it('counts an accepted activation (202: non-blocking, or the blocking wait ran out) as delivered', () => {
    expect(activationOutcome(answer(202, { activationId: ID }))).toEqual({
      kind: 'ok',
      detail: { protocol: 'http', code: 202 },
    });
  });

  it('counts a successful activation record as delivered', () => {
    const ok = answer(
      200,
      record({ status: 'success', statusCode: 0, success: true, result: { done: true } }),
    );
    expect(activationOutcome(ok)).toEqual({ kind: 'ok', detail: { protocol: 'http', code: 200 } });
  });

  it("retries a failed activation (502), naming it and quoting the action's error", () => {
    const failed = answer(
      502,
      record({
        status: 'application error',
        statusCode: 0,
        success: false,
        result: { error: 'no such order 42' },
      }),
    );
    expect(activationOutcome(failed)).toEqual({
      kind: 'retryable',
      error: `HTTP 502: activation ${ID} failed (application error): no such order 42`,
      detail: { protocol: 'http', code: 502 },
    });
  });

  it('retries a 200 whose record says the activation failed, and quotes a structured error as JSON', () => {
    const failed = answer(
      200,
      record({
        status: 'application error',
        success: false,
        result: { error: { message: 'bad input', code: 7 } },
      }),
    );
    expect(activationOutcome(failed)).toEqual({
      kind: 'retryable',
      error: `HTTP 200: activation ${ID} failed (application error): {"message":"bad input","code":7}`,
      detail: { protocol: 'http', code: 200 },
    });
  });

  it('takes the activation id from the x-openwhisk-activation-id header when the record has none', () => {
    const failed = answer(
      502,
      {
        response: {
          status: 'action developer error',
          success: false,
          result: { error: 'exited unexpectedly' },
        },
      },
      { 'x-openwhisk-activation-id': ID },
    );
    expect(activationOutcome(failed)).toMatchObject({
      kind: 'retryable',
      error: `HTTP 502: activation ${ID} failed (action developer error): exited unexpectedly`,
    });
  });

  it("makes the API's refusals permanent, with OpenWhisk's message and a hint", () => {
    const refused = (status: number) =>
      activationOutcome(answer(status, { error: 'The supplied authentication is invalid', code: 'x1' }));
    expect(refused(401)).toEqual({
      kind: 'permanent',
      error: 'HTTP 401: The supplied authentication is invalid (OpenWhisk does not know the key in auth)',
      detail: { protocol: 'http', code: 401 },
    });
    expect(refused(403)).toMatchObject({
      kind: 'permanent',
      error: expect.stringContaining('may not invoke'),
    });
    expect(activationOutcome(answer(404, { error: 'The requested resource does not exist.' }))).toMatchObject(
      {
        kind: 'permanent',
        error: expect.stringMatching(/^HTTP 404: The requested resource does not exist\. \(no such action/),
      },
    );
    expect(
      activationOutcome(answer(400, { error: 'Request defines parameters that are not allowed.' })),
    ).toEqual({
      kind: 'permanent',
      error: 'HTTP 400: Request defines parameters that are not allowed.',
      detail: { protocol: 'http', code: 400 },
    });
  });

  it('retries a throttled invocation (429, honouring Retry-After) and other 5xx', () => {
    const throttled = answer(
      429,
      { error: 'Too many requests in the last minute (count: 61, allowed: 60).' },
      { 'retry-after': '30' },
    );
    expect(activationOutcome(throttled)).toMatchObject({ kind: 'retryable', retryAfterMs: 30_000 });
    expect(activationOutcome(answer(503, '<html>Service Unavailable</html>'))).toEqual({
      kind: 'retryable',
      error: 'HTTP 503: <html>Service Unavailable</html>',
      detail: { protocol: 'http', code: 503 },
    });
    // A gateway in front of OpenWhisk may answer 502 itself: retried, though no record says why.
    expect(activationOutcome(answer(502, 'Bad Gateway')).kind).toBe('retryable');
  });

  it('goes by the status alone when a record is cut at the size limit', () => {
    expect(activationOutcome({ ...answer(200, '{"activationId":"'), truncated: true }).kind).toBe('ok');
    expect(activationOutcome({ ...answer(502, '{"activationId":"'), truncated: true }).kind).toBe(
      'retryable',
    );
  });
});
