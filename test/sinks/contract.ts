import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { classifyHttpMessage, decodeHttpMessage } from '../../broker/bindings/http.js';
import type { AttributeValue, CloudEvent } from '../../broker/cloudevents/event.js';
import type { Sink } from '../../broker/ports/sink.js';
import type { TraceContext } from '../../broker/tracing/trace-context.js';

/** How the function behind a sink under test answers. */
export type FunctionBehaviour = 'ok' | 'retryable' | 'permanent' | 'hang';

/**
 * What a sink plugin's test supplies to the shared sink contract: a way to build its sink
 * (through its descriptor, as the configuration compiler does) against a real function endpoint
 * that answers as asked, and what that endpoint received.
 */
export interface SinkContractSubject {
  /** The registered sink kind this proves (plugins.ts); a kind without a subject fails a test. */
  kind: string;
  name: string;
  /** A sink whose function answers with `behaviour`. */
  sink(behaviour: FunctionBehaviour): Sink;
  /** The ids of the events the functions received so far. */
  receivedIds(): string[];
  /**
   * Every request that reached the function (or the platform's API in front of it) so far, as
   * received: the event in it is read with the HTTP binding (binary or structured mode) or, for
   * a platform whose API takes the event in the JSON format as its body (Lambda's Invoke,
   * OpenWhisk's actions), from that body.
   */
  receivedRequests(): readonly { headers: IncomingHttpHeaders; body: string | Uint8Array }[];
}

/** The event's attributes in a request as a function receives it. */
function attributesIn(request: {
  headers: IncomingHttpHeaders;
  body: string | Uint8Array;
}): Record<string, AttributeValue> {
  const body = typeof request.body === 'string' ? Buffer.from(request.body) : request.body;
  try {
    if (classifyHttpMessage(request.headers) !== 'none') {
      const [decoded] = decodeHttpMessage(request.headers, body).events;
      return { ...decoded?.attributes };
    }
    return JSON.parse(Buffer.from(body).toString('utf8')) as Record<string, AttributeValue>;
  } catch {
    return {}; // not a request that carried an event (a token, an empty body)
  }
}

const event = (id: string, extensions: Record<string, string> = {}): CloudEvent => ({
  attributes: {
    specversion: '1.0',
    id,
    source: '/contract',
    type: 'contract.sink',
    datacontenttype: 'application/json',
    ...extensions,
  },
  data: { kind: 'json', value: { n: 1 } },
});

const attempt = (sink: Sink, id: string, timeoutMs = 5_000, signal = new AbortController().signal) =>
  sink.deliver(event(id), { signal, timeoutMs });

/** The event's starting trace (its distributed-tracing extension) and an attempt's own context. */
const STARTING = {
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  tracestate: 'congo=t61rcWkgMzE',
};
const ATTEMPT: TraceContext = {
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01',
  tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
};

/**
 * The one contract every sink obeys (docs/architecture.md, "Ports"): a success is `ok`; an
 * answer that may succeed later is `retryable`, one that never will is `permanent`; a function
 * that does not answer in time is a `retryable` timeout; and an attempt aborted because the
 * broker shuts down rejects instead of reporting an outcome, so the delivery is handed back
 * rather than counted. The distributed-tracing extension passes through unchanged, and the
 * attempt's W3C trace context goes along as the request's `traceparent`/`tracestate` headers.
 */
export function sinkContract(subject: SinkContractSubject): void {
  describe(`${subject.name} sink: the sink contract`, () => {
    it('delivers the event and reports ok', async () => {
      const outcome = await attempt(subject.sink('ok'), 'ok-1');
      expect(outcome.kind).toBe('ok');
      expect(subject.receivedIds()).toContain('ok-1');
    });

    it('reports an answer that may succeed later as retryable, with an error', async () => {
      const outcome = await attempt(subject.sink('retryable'), 'retry-1');
      expect(outcome.kind).toBe('retryable');
      expect(outcome.kind !== 'ok' && outcome.error.length).toBeGreaterThan(0);
    });

    it('reports an answer that never will succeed as permanent, with an error', async () => {
      const outcome = await attempt(subject.sink('permanent'), 'permanent-1');
      expect(outcome.kind).toBe('permanent');
      expect(outcome.kind !== 'ok' && outcome.error.length).toBeGreaterThan(0);
    });

    it('gives up on a function that does not answer in time: a retryable timeout', async () => {
      const outcome = await attempt(subject.sink('hang'), 'hang-1', 300);
      expect(outcome).toMatchObject({ kind: 'retryable' });
      expect(outcome.kind !== 'ok' && outcome.error).toMatch(/timed out/);
    });

    it("keeps the event's traceparent and tracestate, and sends the attempt's trace context as W3C headers", async () => {
      // The distributed-tracing extension travels with the event unchanged (its "Using the
      // Distributed Tracing Extension": the starting trace, never a hop's); the transport's
      // `traceparent`/`tracestate` headers carry the attempt's (W3C Trace Context 3).
      const outcome = await subject.sink('ok').deliver(event('trace-1', STARTING), {
        signal: new AbortController().signal,
        timeoutMs: 5_000,
        trace: ATTEMPT,
      });
      expect(outcome.kind).toBe('ok');
      const request = subject.receivedRequests().find((r) => attributesIn(r)['id'] === 'trace-1');
      expect(request, 'the request that carried trace-1').toBeDefined();
      expect(attributesIn(request!)).toMatchObject(STARTING);
      expect(request!.headers['traceparent']).toBe(ATTEMPT.traceparent);
      expect(request!.headers['tracestate']).toBe(ATTEMPT.tracestate);
    });

    it('sends no trace headers for an attempt without a trace context', async () => {
      expect((await attempt(subject.sink('ok'), 'untraced-1')).kind).toBe('ok');
      const request = subject.receivedRequests().find((r) => attributesIn(r)['id'] === 'untraced-1');
      expect(request!.headers['traceparent']).toBeUndefined();
      expect(request!.headers['tracestate']).toBeUndefined();
    });

    it('rejects an attempt aborted for shutdown instead of reporting an outcome', async () => {
      const controller = new AbortController();
      const pending = attempt(subject.sink('hang'), 'abort-1', 30_000, controller.signal);
      setTimeout(() => controller.abort(new Error('broker shutting down')), 100);
      await expect(pending).rejects.toBeDefined();
    });
  });
}
