/** Reading the Invoke API's answers: success, function errors and Lambda's own errors. */
import { describe, expect, it } from 'vitest';
import type { HttpAnswer } from '../../../../broker/sink-kit/http-outcome.js';
import { invokeOutcome } from '../../../../sinks/lambda/invoke-outcome.js';

const answer = (
  status: number,
  headers: HttpAnswer['headers'] = {},
  body: string | object = '',
  truncated = false,
): HttpAnswer => ({
  status,
  headers,
  body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  truncated,
});

const errorOf = (outcome: ReturnType<typeof invokeOutcome>) => (outcome.kind === 'ok' ? '' : outcome.error);

describe('invokeOutcome', () => {
  it('counts 200 (RequestResponse), 202 (Event) and 204 (DryRun) without a function error as delivered', () => {
    for (const status of [200, 202, 204])
      expect(invokeOutcome(answer(status, {}, status === 200 ? '"hello"' : ''))).toEqual({
        kind: 'ok',
        detail: { protocol: 'http', code: status },
      });
  });

  it("retries a function error, quoting the runtime's errorType and errorMessage", () => {
    const outcome = invokeOutcome(
      answer(
        200,
        { 'x-amz-function-error': 'Unhandled' },
        { errorMessage: 'bad input', errorType: 'ValueError' },
      ),
    );
    expect(outcome).toEqual({
      kind: 'retryable',
      error: 'the function failed (Unhandled): ValueError: bad input',
      detail: { protocol: 'http', code: 200 },
    });
  });

  it('reads errorType and errorMessage from a payload cut short by a long stack trace', () => {
    const payload = `{"errorType":"Error","errorMessage":"line one\\nline \\"two\\"","trace":["Error: at ${'x'.repeat(5000)}`;
    const outcome = invokeOutcome(
      answer(200, { 'x-amz-function-error': 'Handled' }, payload.slice(0, 4096), true),
    );
    expect(errorOf(outcome)).toBe('the function failed (Handled): Error: line one line "two"');
  });

  it('quotes a function error payload that is not an error object', () => {
    expect(
      errorOf(invokeOutcome(answer(200, { 'x-amz-function-error': 'Unhandled' }, 'Task timed out'))),
    ).toBe('the function failed (Unhandled): Task timed out');
    expect(errorOf(invokeOutcome(answer(200, { 'x-amz-function-error': 'Unhandled' })))).toBe(
      'the function failed (Unhandled)',
    );
  });

  it('retries 429 after Retry-After and names the throttling reason', () => {
    const outcome = invokeOutcome(
      answer(
        429,
        { 'x-amzn-errortype': 'TooManyRequestsException', 'retry-after': '2' },
        { Reason: 'ConcurrentInvocationLimitExceeded', Type: 'User', message: 'Rate Exceeded.' },
      ),
    );
    expect(outcome).toEqual({
      kind: 'retryable',
      error: 'HTTP 429 TooManyRequestsException (ConcurrentInvocationLimitExceeded): Rate Exceeded.',
      retryAfterMs: 2000,
      detail: { protocol: 'http', code: 429 },
    });
  });

  it('gives up on a 4xx, naming the error type from the header (without its suffix) or the body', () => {
    const notFound = invokeOutcome(
      answer(
        404,
        {
          'x-amzn-errortype':
            'ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.awslambda/',
        },
        { Type: 'User', message: 'Function not found: arn:aws:lambda:eu-west-1:123456789012:function:f' },
      ),
    );
    expect(notFound).toEqual({
      kind: 'permanent',
      error:
        'HTTP 404 ResourceNotFoundException: Function not found: arn:aws:lambda:eu-west-1:123456789012:function:f',
      detail: { protocol: 'http', code: 404 },
    });
    const tooLarge = invokeOutcome(
      answer(
        413,
        {},
        { __type: 'com.amazonaws.lambda#RequestTooLargeException', Message: 'Request must be smaller' },
      ),
    );
    expect(tooLarge).toMatchObject({
      kind: 'permanent',
      error: 'HTTP 413 RequestTooLargeException: Request must be smaller',
    });
    expect(
      errorOf(invokeOutcome(answer(400, {}, { Type: 'User', message: 'Could not parse request body' }))),
    ).toBe('HTTP 400 User: Could not parse request body');
  });

  it('quotes an error body that is not JSON (a proxy, an emulator)', () => {
    expect(invokeOutcome(answer(403, {}, '<html>Forbidden</html>'))).toMatchObject({
      kind: 'permanent',
      error: 'HTTP 403: <html>Forbidden</html>',
    });
    expect(invokeOutcome(answer(503, {}, 'Slow Down'))).toMatchObject({
      kind: 'retryable',
      error: 'HTTP 503: Slow Down',
    });
  });

  it('retries the 409s of a function that is not ready yet', () => {
    for (const type of ['ResourceConflictException', 'SnapStartNotReadyException'])
      expect(invokeOutcome(answer(409, { 'x-amzn-errortype': type }, { message: 'not yet' }))).toMatchObject({
        kind: 'retryable',
        error: `HTTP 409 ${type}: not yet`,
      });
  });
});
