import { Pool, request, errors as undiciErrors } from 'undici';
import type { CloudEvent } from '../cloudevents/event.js';
import type { DeliveryOptions, DeliveryOutcome, Sink } from '../ports/sink.js';
import type { TraceContext } from '../tracing/trace-context.js';
import { type HttpAnswer, httpOutcome } from './http-outcome.js';
import { SinkCallError } from './sink-call-error.js';

/** One HTTP request a sink makes for one event. */
export interface HttpCall {
  /** Absolute URL, on the sink's `origin`. */
  readonly url: string;
  readonly method?: 'POST' | 'PUT';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string | undefined;
}

export interface HttpFunctionSinkOptions {
  /** What the sink calls, safe to log and to put in `deadletterdest` (no credentials). */
  readonly destination: string;
  /** The scheme, host and port every call goes to: the sink's own connection pool serves it. */
  readonly origin: string;
  /** Connections of the pool: the subscription's `delivery.concurrency`. */
  readonly connections: number;
  /**
   * Builds the request for one event: encodes it as the platform wants and adds credentials
   * (a cached token, a signature). Throws SinkCallError when that fails; it runs inside the
   * delivery's timeout.
   */
  prepare(event: CloudEvent, signal: AbortSignal): HttpCall | Promise<HttpCall>;
  /** Reads the platform's answer as an outcome; by default the status alone (`httpOutcome`). */
  judge?(answer: HttpAnswer, event: CloudEvent): DeliveryOutcome;
  /**
   * Whether a 2xx body is read and handed to `judge` (replies, a platform's verdict in the
   * body); otherwise it is discarded unread. Error bodies are always read, for the message.
   */
  readonly readSuccessBody?: boolean;
  /** The most body bytes kept; the rest is read and dropped, and `truncated` says so. */
  readonly maxAnswerBytes?: number;
  /** Set by sinks whose function may answer with a CloudEvent to ingest (see `Sink.replies`). */
  readonly replies?: { readonly maxHops: number };
  /** Releases what the sink holds besides its pool (a token refresher). */
  readonly onClose?: () => Promise<void> | void;
}

const DEFAULT_MAX_ANSWER_BYTES = 2048;

/**
 * A sink that calls a function over HTTP: the transport every HTTP-based sink plugin shares
 * (docs/architecture.md, "Sinks"). A plugin says how one event becomes a request and how the
 * platform's answer reads; this class owns the rest of the delivery contract: a keep-alive pool
 * of exactly `connections` connections (so a delivery never queues for one, and its timeout
 * measures the attempt alone), one timer per attempt covering preparation and the whole
 * exchange, refused connections and timeouts as retryable, and an abort for shutdown as a
 * rejection (the delivery is handed back, it was not an attempt).
 *
 * Sinks never share a pool: with a shared one, subscriptions whose function hangs on the same
 * host:port took every connection and the healthy ones queued behind them. An unused pool holds
 * no socket or timer, so a sink that is built and never delivers needs no `close`.
 */
export class HttpFunctionSink implements Sink {
  readonly destination: string;
  readonly replies: { readonly maxHops: number } | undefined;
  private readonly options: HttpFunctionSinkOptions;
  private readonly pool: Pool;

  constructor(options: HttpFunctionSinkOptions) {
    this.options = options;
    this.destination = options.destination;
    this.replies = options.replies;
    this.pool = new Pool(options.origin, {
      connections: options.connections,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 300_000,
      // One request per connection at a time: a slow answer never holds up the next delivery.
      pipelining: 1,
    });
  }

  async close(): Promise<void> {
    await this.pool.close();
    await this.options.onClose?.();
  }

  async deliver(event: CloudEvent, { signal, timeoutMs, trace }: DeliveryOptions): Promise<DeliveryOutcome> {
    if (signal.aborted) throw signal.reason;
    // One controller and one timer per attempt, linked to the shutdown signal by a listener
    // that is removed afterwards (cheaper than AbortSignal.timeout + AbortSignal.any).
    const attempt = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      attempt.abort(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const onShutdown = () => attempt.abort(signal.reason);
    signal.addEventListener('abort', onShutdown, { once: true });
    try {
      const call = withTraceHeaders(await this.options.prepare(event, attempt.signal), trace);
      attempt.signal.throwIfAborted();
      const answer = await this.exchange(call, attempt.signal, timeoutMs);
      return (this.options.judge ?? httpOutcome)(answer, event);
    } catch (err) {
      if (signal.aborted) throw err; // shutdown: the caller hands the delivery back
      if (timedOut) return { kind: 'retryable', error: `timed out after ${timeoutMs} ms` };
      if (err instanceof SinkCallError)
        return { kind: err.retryable ? 'retryable' : 'permanent', error: err.message };
      return { kind: 'retryable', error: describeNetworkError(err) };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onShutdown);
    }
  }

  private async exchange(call: HttpCall, signal: AbortSignal, timeoutMs: number): Promise<HttpAnswer> {
    const body = typeof call.body === 'string' ? Buffer.from(call.body) : call.body;
    const res = await request(call.url, {
      method: call.method ?? 'POST',
      headers: call.headers,
      body: body === undefined ? undefined : Buffer.from(body.buffer, body.byteOffset, body.byteLength),
      dispatcher: this.pool,
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const success = res.statusCode >= 200 && res.statusCode < 300;
    if (success && !this.options.readSuccessBody) {
      await res.body.dump();
      return { status: res.statusCode, headers: res.headers, body: Buffer.alloc(0), truncated: false };
    }
    const limit = this.options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
    const chunks: Buffer[] = [];
    let kept = 0;
    let truncated = false;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      if (kept < limit) {
        const part = chunk.subarray(0, limit - kept);
        chunks.push(part);
        kept += part.length;
        if (part.length < chunk.length) truncated = true;
      } else truncated = true;
    }
    return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), truncated };
  }
}

/**
 * The call with the attempt's trace context in the W3C `traceparent` and `tracestate` headers
 * (Trace Context 3), added after `prepare`, so every HTTP-based sink sends them alike whatever
 * the content mode: in binary mode the event's own attribute travels apart, as `ce-traceparent`
 * (the distributed-tracing extension's HTTP example shows both). A header the plugin set itself
 * is kept.
 */
function withTraceHeaders(call: HttpCall, trace: TraceContext | undefined): HttpCall {
  if (trace === undefined) return call;
  const names = Object.keys(call.headers).map((n) => n.toLowerCase());
  if (names.includes('traceparent')) return call;
  const headers: Record<string, string> = { ...call.headers, traceparent: trace.traceparent };
  if (trace.tracestate !== undefined && !names.includes('tracestate'))
    headers['tracestate'] = trace.tracestate;
  return { ...call, headers };
}

/** A refused connection, a reset, a DNS failure: what went wrong, with its code. */
export function describeNetworkError(err: unknown): string {
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError)
    return 'timed out';
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? e.code;
  const message = e.cause?.message ?? e.message ?? String(err);
  return code ? `${code}: ${message}` : message;
}

/** A URL as it may be logged: without user name and password. */
export function redactUserinfo(uri: string): string {
  try {
    const u = new URL(uri);
    if (u.username || u.password) {
      u.username = '';
      u.password = '';
    }
    return u.toString();
  } catch {
    return uri;
  }
}
