import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Rejection, RejectionLog } from '../../../broker/http/rejection-log.js';

/** A pino logger that keeps its lines. */
function capture(): { lines: Record<string, unknown>[]; log: pino.Logger } {
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { level: 'debug' },
    { write: (chunk: string) => lines.push(JSON.parse(chunk) as Record<string, unknown>) },
  );
  return { lines, log };
}

const refusal = (overrides: Partial<Rejection> = {}): Rejection => ({
  code: 'bad_signature',
  status: 401,
  ingress: 'webhook:gh',
  request: 'POST /webhooks/gh',
  client: '192.0.2.7',
  detail: 'the signature does not match',
  ...overrides,
});

describe('RejectionLog', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('logs the first refusal of a code at once, at info, with its reason and source', () => {
    const { lines, log } = capture();
    const rejections = new RejectionLog(log);
    rejections.refused(refusal());
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'request refused',
        reason: 'bad_signature',
        status: 401,
        ingress: 'webhook:gh',
        request: 'POST /webhooks/gh',
        client: '192.0.2.7',
        detail: 'the signature does not match',
      }),
    ]);
    expect(lines[0]).not.toHaveProperty('refused');
    rejections.close();
  });

  it('writes at most one line per code every 10 s, counting the refusals in between', () => {
    const { lines, log } = capture();
    const rejections = new RejectionLog(log);
    rejections.refused(refusal({ client: '192.0.2.1' }));
    for (let i = 2; i <= 500; i++) {
      vi.advanceTimersByTime(10);
      rejections.refused(refusal({ client: `192.0.2.${i % 250}` }));
    }
    // Another code has its own line.
    rejections.refused(refusal({ code: 'unauthorized', ingress: 'events', request: 'POST /events' }));
    expect(lines.map((l) => [l['reason'], l['msg']])).toEqual([
      ['bad_signature', 'request refused'],
      ['unauthorized', 'request refused'],
    ]);
    // The rest of the burst is summed up once the 10 s have passed, without a further refusal.
    vi.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({
      level: 30,
      reason: 'bad_signature',
      refused: 499,
      client: '192.0.2.0',
      msg: '499 requests refused with bad_signature since the last line (one line per reason every 10 s; the last one shown)',
    });
    // Quiet for longer than the interval: the next refusal is a line of its own again.
    vi.advanceTimersByTime(60_000);
    rejections.refused(refusal());
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatchObject({ msg: 'request refused', reason: 'bad_signature' });
    rejections.close();
  });

  it('cuts a long detail short and logs nothing after close', () => {
    const { lines, log } = capture();
    const rejections = new RejectionLog(log);
    rejections.refused(refusal({ code: 'invalid_attribute', detail: 'x'.repeat(1000) }));
    expect(String(lines[0]?.['detail'])).toHaveLength(203);
    rejections.refused(refusal({ code: 'invalid_attribute' }));
    rejections.close();
    vi.advanceTimersByTime(60_000);
    rejections.refused(refusal());
    expect(lines).toHaveLength(1);
  });
});
