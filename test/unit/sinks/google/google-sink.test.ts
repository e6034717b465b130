import { describe, expect, it } from 'vitest';
import { judgeGoogleAnswer } from '../../../../sinks/google/google-sink.js';
import { CLOUD_RUN } from '../../../../sinks/google/platform.js';
import { withoutTokens } from '../../../../sinks/google/token-endpoint.js';

const answer = (status: number, body: string) => ({
  status,
  headers: {},
  body: Buffer.from(body),
  truncated: false,
});
const options = { platform: CLOUD_RUN, audience: 'https://svc-xyz.a.run.app' };
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl';

describe('judgeGoogleAnswer', () => {
  it('reads statuses as for any HTTP function', () => {
    expect(judgeGoogleAnswer(answer(202, ''), options)).toEqual({
      kind: 'ok',
      detail: { protocol: 'http', code: 202 },
    });
    expect(judgeGoogleAnswer(answer(429, 'slow down'), options)).toMatchObject({ kind: 'retryable' });
    expect(judgeGoogleAnswer(answer(404, 'no such route'), options)).toMatchObject({ kind: 'permanent' });
  });

  it('says what to check on 401 and 403', () => {
    expect(judgeGoogleAnswer(answer(401, ''), options)).toEqual({
      kind: 'permanent',
      error:
        'HTTP 401 (Cloud Run did not accept the ID token: is its audience "https://svc-xyz.a.run.app" the service\'s URL or one of its custom audiences (the audience setting)?)',
      detail: { protocol: 'http', code: 401 },
    });
    expect(judgeGoogleAnswer(answer(403, 'Forbidden'), options)).toMatchObject({
      kind: 'permanent',
      error: expect.stringMatching(/^HTTP 403: Forbidden \(.*roles\/run\.invoker on the service\?\)$/),
    });
  });

  it('keeps a token a function echoed out of the error', () => {
    const outcome = judgeGoogleAnswer(answer(500, `crashed; auth was Bearer ${JWT}`), options);
    expect(outcome).toMatchObject({ kind: 'retryable', error: 'HTTP 500: crashed; auth was Bearer [token]' });
  });
});

describe('withoutTokens', () => {
  it('blanks JWTs and nothing else', () => {
    expect(withoutTokens(`a ${JWT} b eyJhbGciOiJub25lIn0.eyJ9 c`)).toBe('a [token] b [token] c');
    expect(withoutTokens('invalid_grant: Invalid JWT Signature.')).toBe(
      'invalid_grant: Invalid JWT Signature.',
    );
  });
});
