import { describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../../broker/cloudevents/event.js';
import {
  eventTraceContext,
  formatTraceparent,
  normaliseTracestate,
  parseTraceparent,
  traceContextFromHeaders,
  withTraceContext,
} from '../../../broker/tracing/trace-context.js';

/** W3C Trace Context's own example values (3.2.2.5 and 3.3.1). */
const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const TS = 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE';

const event = (attributes: Record<string, string> = {}): CloudEvent => ({
  attributes: { specversion: '1.0', id: '1', source: '/s', type: 't', ...attributes },
  data: { kind: 'none' },
});

describe('traceparent (W3C Trace Context 3.2)', () => {
  it('reads version 00 and writes it back', () => {
    expect(parseTraceparent(TP)).toEqual({
      version: 0,
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      flags: 1,
    });
    expect(formatTraceparent('4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', 1)).toBe(TP);
    expect(parseTraceparent(`  ${TP} `)).toBeDefined(); // the header's optional white space
  });

  it.each([
    ['upper-case hex', TP.toUpperCase()],
    ['an all-zero trace-id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['an all-zero parent-id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['version ff', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['version 00 with more fields', `${TP}-what`],
    ['a short trace-id', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01'],
    ['two values joined (a repeated header)', `${TP}, ${TP}`],
    ['an empty string', ''],
  ])('refuses %s', (_label, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('reads a later version for its four fields, whatever follows them after a dash (3.2.4)', () => {
    expect(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03-future')).toMatchObject({
      version: 1,
      flags: 3,
    });
    expect(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03x')).toBeUndefined();
  });

  it('reads no value that is not a string', () => {
    expect(parseTraceparent(7)).toBeUndefined();
    expect(parseTraceparent(undefined)).toBeUndefined();
  });
});

describe('tracestate (W3C Trace Context 3.3)', () => {
  it('keeps a valid list, dropping empty members and the white space around members', () => {
    expect(normaliseTracestate(TS)).toBe(TS);
    expect(normaliseTracestate(' rojo=1 ,, congo=2\t')).toBe('rojo=1,congo=2');
    expect(normaliseTracestate('tenant@vendor=x')).toBe('tenant@vendor=x');
  });

  it('propagates nothing for an empty or invalid list', () => {
    expect(normaliseTracestate('')).toBeUndefined();
    expect(normaliseTracestate(' , ')).toBeUndefined();
    expect(normaliseTracestate('Rojo=1')).toBeUndefined(); // keys are lower case
    expect(normaliseTracestate('rojo')).toBeUndefined();
    expect(normaliseTracestate('rojo=a=b')).toBeUndefined();
    expect(normaliseTracestate(Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(','))).toBeUndefined();
  });
});

describe('trace context from headers', () => {
  it("reads an HTTP request's traceparent and tracestate", () => {
    expect(traceContextFromHeaders({ traceparent: TP, tracestate: TS })).toEqual({
      traceparent: TP,
      tracestate: TS,
    });
    expect(traceContextFromHeaders({ traceparent: TP })).toEqual({ traceparent: TP });
  });

  it('joins repeated tracestate headers into one list (3.3.1.1)', () => {
    expect(traceContextFromHeaders({ traceparent: TP, tracestate: ['rojo=1', 'congo=2'] })).toEqual({
      traceparent: TP,
      tracestate: 'rojo=1,congo=2',
    });
  });

  it('has none without a valid traceparent, whatever the tracestate, or with a repeated traceparent', () => {
    expect(traceContextFromHeaders({ tracestate: TS })).toBeUndefined();
    expect(traceContextFromHeaders({ traceparent: 'garbage', tracestate: TS })).toBeUndefined();
    expect(traceContextFromHeaders({ traceparent: [TP, TP] })).toBeUndefined();
    expect(traceContextFromHeaders({ 'ce-traceparent': TP })).toBeUndefined(); // an attribute, not the transport's
  });

  it('keeps the traceparent and drops a tracestate that does not parse', () => {
    expect(traceContextFromHeaders({ traceparent: TP, tracestate: 'NOT VALID' })).toEqual({
      traceparent: TP,
    });
  });
});

describe('the distributed-tracing extension of an event', () => {
  it("reads the event's attributes as a trace context when traceparent is valid", () => {
    expect(eventTraceContext(event({ traceparent: TP, tracestate: TS }))).toEqual({
      traceparent: TP,
      tracestate: TS,
    });
    expect(eventTraceContext(event({ traceparent: 'not one' }))).toBeUndefined();
    expect(eventTraceContext(event())).toBeUndefined();
  });

  it('gives an event without traceparent the context, as a pair', () => {
    const other = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect(withTraceContext(event(), { traceparent: TP, tracestate: TS }).attributes).toMatchObject({
      traceparent: TP,
      tracestate: TS,
    });
    // An orphan tracestate (no traceparent) is replaced along with it, or dropped.
    expect(withTraceContext(event({ tracestate: 'old=1' }), { traceparent: other }).attributes).toEqual({
      specversion: '1.0',
      id: '1',
      source: '/s',
      type: 't',
      traceparent: other,
    });
  });

  it("keeps an event's own traceparent, even one that is not valid: the starting trace is the source's", () => {
    const own = event({ traceparent: TP, tracestate: 'mine=1' });
    expect(
      withTraceContext(own, { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }),
    ).toBe(own);
    const invalid = event({ traceparent: 'whatever the source sent' });
    expect(withTraceContext(invalid, { traceparent: TP })).toBe(invalid);
    expect(withTraceContext(event(), undefined).attributes['traceparent']).toBeUndefined();
  });
});
