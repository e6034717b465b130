import { describe, expect, it } from 'vitest';
import { type DigestLine, FailureDigest } from '../../broker/failure-digest.js';

const S = 1000;

/** Feeds `digest` a timeline and collects every line, flushing whenever it asks to be flushed. */
function play(
  digest: FailureDigest<string>,
  events: readonly (readonly [at: number, outcome: 'fail' | 'ok'])[],
  until: number,
): (DigestLine<string> & { at: number })[] {
  const lines: (DigestLine<string> & { at: number })[] = [];
  const flushUpTo = (t: number) => {
    for (let at = digest.flushAt(); at !== undefined && at <= t; at = digest.flushAt()) {
      const line = digest.flush(at);
      if (!line) break;
      lines.push({ ...line, at });
    }
  };
  for (const [at, outcome] of events) {
    flushUpTo(at);
    const line = outcome === 'fail' ? digest.failed(at, `error at ${at}`) : digest.succeeded(at);
    if (line) lines.push({ ...line, at });
  }
  flushUpTo(until);
  return lines;
}

describe('FailureDigest', () => {
  it('reports the first failure at once, with its detail', () => {
    const digest = new FailureDigest<string>(30 * S);
    expect(digest.failed(0, 'HTTP 503')).toEqual({
      kind: 'failing',
      failed: 1,
      succeeded: 0,
      since: 0,
      last: 'HTTP 503',
    });
  });

  it('counts the failures that follow and sums them up once per interval, with the last detail', () => {
    const digest = new FailureDigest<string>(30 * S);
    digest.failed(0, 'first');
    for (let t = 100; t < 30 * S; t += 100) expect(digest.failed(t, `at ${t}`)).toBeUndefined();
    expect(digest.flushAt()).toBe(30 * S);
    expect(digest.flush(30 * S - 1)).toBeUndefined();
    expect(digest.flush(30 * S)).toMatchObject({
      kind: 'still-failing',
      failed: 299,
      since: 0,
      last: 'at 29900',
    });
    expect(digest.flushAt()).toBeUndefined(); // nothing left to report
  });

  it('reports the first success after a reported streak at once, with the failures not yet reported', () => {
    const digest = new FailureDigest<string>(30 * S);
    digest.failed(0, 'a');
    digest.failed(1 * S, 'b');
    digest.failed(2 * S, 'c');
    expect(digest.succeeded(5 * S)).toEqual({
      kind: 'recovered',
      failed: 2,
      succeeded: 1,
      since: 0,
      last: 'c',
    });
    expect(digest.succeeded(6 * S)).toBeUndefined();
    expect(digest.flushAt()).toBeUndefined();
  });

  it('gives a ten-second outage two lines, whatever the number of attempts', () => {
    const events: [number, 'fail' | 'ok'][] = [];
    for (let t = 0; t < 10 * S; t += 5) events.push([t, 'fail']);
    events.push([10 * S, 'ok']);
    const lines = play(new FailureDigest<string>(30 * S), events, 100 * S);
    expect(lines.map((l) => l.kind)).toEqual(['failing', 'recovered']);
    expect(lines.reduce((n, l) => n + l.failed, 0)).toBe(2000); // every failure is in some line
  });

  it('sums up a long outage once per interval', () => {
    const events: [number, 'fail' | 'ok'][] = [];
    for (let t = 0; t < 95 * S; t += 50) events.push([t, 'fail']);
    events.push([95 * S, 'ok']);
    const lines = play(new FailureDigest<string>(30 * S), events, 200 * S);
    expect(lines.map((l) => [l.kind, l.at])).toEqual([
      ['failing', 0],
      ['still-failing', 30 * S],
      ['still-failing', 60 * S],
      ['still-failing', 90 * S],
      ['recovered', 95 * S],
    ]);
    expect(lines.reduce((n, l) => n + l.failed, 0)).toBe(events.length - 1);
  });

  it('keeps a sink that fails every other attempt to at most two lines per interval, and loses no failure', () => {
    const events: [number, 'fail' | 'ok'][] = [];
    for (let t = 0; t < 600 * S; t += 10) events.push([t, (t / 10) % 2 === 0 ? 'fail' : 'ok']);
    const lines = play(new FailureDigest<string>(30 * S), events, 700 * S);
    expect(lines.length).toBeLessThanOrEqual(2 * 20 + 2);
    expect(lines.reduce((n, l) => n + l.failed, 0)).toBe(30_000);
    for (let from = 0; from < 600 * S; from += 30 * S) {
      expect(lines.filter((l) => l.at >= from && l.at < from + 30 * S).length).toBeLessThanOrEqual(2);
    }
  });

  it('reports a short failure soon after the last line at the next flush, as intermittent when it is over', () => {
    const digest = new FailureDigest<string>(30 * S);
    digest.failed(0, 'a');
    digest.succeeded(1 * S); // recovered: a line at 1 s
    expect(digest.failed(5 * S, 'b')).toBeUndefined(); // too soon for another line
    expect(digest.succeeded(6 * S)).toBeUndefined(); // never reported, so no "recovered"
    expect(digest.flushAt()).toBe(31 * S);
    expect(digest.flush(31 * S)).toEqual({
      kind: 'intermittent',
      failed: 1,
      succeeded: 1,
      since: 5 * S,
      last: 'b',
    });
  });

  it('reports a quiet streak that still fails at the next flush as failing, and then its recovery', () => {
    const digest = new FailureDigest<string>(30 * S);
    digest.failed(0, 'a');
    digest.succeeded(1 * S);
    digest.failed(5 * S, 'b');
    expect(digest.flush(31 * S)).toMatchObject({ kind: 'failing', failed: 1, since: 5 * S });
    expect(digest.succeeded(32 * S)).toMatchObject({ kind: 'recovered', failed: 0 });
  });

  it('used for failures only (dead letters): the first of a burst at once, the rest once per interval', () => {
    const events: [number, 'fail' | 'ok'][] = [];
    for (let t = 0; t < 50 * S; t += 1) events.push([t, 'fail']); // a burst of 50,000
    events.push([3600 * S, 'fail']); // one more, an hour later
    const lines = play(new FailureDigest<string>(30 * S), events, 4000 * S);
    expect(lines.map((l) => [l.at, l.failed])).toEqual([
      [0, 1],
      [30 * S, 29_999],
      [60 * S, 20_000],
      [3600 * S, 1],
    ]);
  });
});
