import { describe, expect, it } from 'vitest';
import type { HttpAnswer } from '../../../../broker/sink-kit/http-outcome.js';
import { azureOutcome } from '../../../../sinks/azure/azure-outcome.js';

const answer = (status: number, body = '', headers: HttpAnswer['headers'] = {}): HttpAnswer => ({
  status,
  headers,
  body: Buffer.from(body),
  truncated: false,
});

describe('azure sink: reading the answer', () => {
  it('counts any 2xx as delivered (204 is what a function without an output binding answers)', () => {
    expect(azureOutcome(answer(204), true)).toEqual({ kind: 'ok', detail: { protocol: 'http', code: 204 } });
    expect(azureOutcome(answer(200, 'done'), false)).toMatchObject({ kind: 'ok' });
  });

  it('makes 401 permanent, with a hint that depends on whether a key was sent', () => {
    expect(azureOutcome(answer(401), false)).toEqual({
      kind: 'permanent',
      error: expect.stringMatching(/^HTTP 401: the function needs a key .*set functionKey/),
      detail: { protocol: 'http', code: 401 },
    });
    expect(azureOutcome(answer(401), true)).toMatchObject({
      kind: 'permanent',
      error: expect.stringContaining('refused the key in functionKey'),
    });
  });

  it('makes 404 permanent, pointing at the route and a disabled function', () => {
    const outcome = azureOutcome(answer(404, 'Not Found'), true);
    expect(outcome).toMatchObject({ kind: 'permanent', detail: { protocol: 'http', code: 404 } });
    expect(outcome.kind !== 'ok' && outcome.error).toMatch(/route prefix .*enabled.*\(Not Found\)$/);
  });

  it('retries 429 and 5xx, the 503 of an app that scales out or starts included, honouring Retry-After', () => {
    expect(azureOutcome(answer(503, 'Service Unavailable', { 'retry-after': '10' }), true)).toEqual({
      kind: 'retryable',
      error: 'HTTP 503: Service Unavailable',
      retryAfterMs: 10_000,
      detail: { protocol: 'http', code: 503 },
    });
    expect(azureOutcome(answer(429), true).kind).toBe('retryable');
    expect(azureOutcome(answer(500, 'Exception while executing function'), true)).toMatchObject({
      kind: 'retryable',
      error: 'HTTP 500: Exception while executing function',
    });
  });

  it('leaves other 4xx permanent, as the function answered them', () => {
    expect(azureOutcome(answer(400, 'order id missing'), true)).toMatchObject({
      kind: 'permanent',
      error: 'HTTP 400: order id missing',
    });
  });
});
