import { Pool, request, errors as undiciErrors } from 'undici';
import { encodeBinary, encodeStructured } from '../../broker/bindings/http.js';
import type { CloudEvent } from '../../broker/cloudevents/event.js';
import type { DeliveryOutcome, ProtocolDetail, Sink } from '../../broker/ports/sink.js';

export interface HttpSinkOptions {
  uri: string;
  format: 'binary' | 'structured';
  headers?: Record<string, string>;
  /** Connections this sink may open: the subscription's `delivery.concurrency`. */
  connections: number;
}

const MAX_ERROR_BODY = 512;
const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * Delivers a CloudEvent to an HTTP function (CloudEvents HTTP binding, binary or structured mode).
 *
 * Each sink owns its keep-alive connection pool, as many connections as its subscription's
 * concurrency (docs/architecture.md, "The path of one event"). Sinks never share one: with a
 * shared pool, subscriptions whose function hangs on the same host:port took every connection
 * and the healthy ones queued behind them, their queueing counted against their delivery
 * timeout. Sized to the concurrency, a delivery never waits for a connection, so its timeout
 * measures the attempt alone. An unused pool holds no socket or timer, so a sink that is built
 * and never delivers (`validate`, a rejected reload) needs no `close`.
 */
export class HttpSink implements Sink {
  readonly destination: string;
  private readonly options: HttpSinkOptions;
  private readonly pool: Pool;

  constructor(options: HttpSinkOptions) {
    this.options = options;
    this.destination = redactUserinfo(options.uri);
    this.pool = new Pool(new URL(options.uri).origin, {
      connections: options.connections,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 300_000,
      // One request per connection at a time: a slow answer never holds up the next delivery.
      pipelining: 1,
    });
  }

  /** Closes the pool's connections once the requests on them are done. */
  async close(): Promise<void> {
    await this.pool.close();
  }

  async deliver(
    event: CloudEvent,
    { signal, timeoutMs }: { signal: AbortSignal; timeoutMs: number },
  ): Promise<DeliveryOutcome> {
    const encoded = this.options.format === 'structured' ? encodeStructured(event) : encodeBinary(event);
    const headers = { ...this.options.headers, ...encoded.headers };
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = AbortSignal.any([signal, timeout]);
    try {
      const res = await request(this.options.uri, {
        method: 'POST',
        headers,
        body: encoded.body === undefined ? undefined : Buffer.from(encoded.body),
        dispatcher: this.pool,
        signal: combined,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const status = res.statusCode;
      if (status >= 200 && status < 300) {
        await res.body.dump();
        return { kind: 'ok', detail: httpDetail(status) };
      }
      const text = await readSome(res.body);
      const error = `HTTP ${status}${text ? `: ${text}` : ''}`;
      if (status >= 500 || status === 408 || status === 429) {
        const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
        return retryAfterMs === undefined
          ? { kind: 'retryable', error, detail: httpDetail(status) }
          : { kind: 'retryable', error, retryAfterMs, detail: httpDetail(status) };
      }
      // 3xx are not followed: a function URL that redirects is a configuration mistake.
      return { kind: 'permanent', error, detail: httpDetail(status) };
    } catch (err) {
      if (timeout.aborted && !signal.aborted)
        return { kind: 'retryable', error: `timed out after ${timeoutMs} ms` };
      if (signal.aborted) throw err; // shutdown: the caller hands the delivery back, it is not an attempt
      return { kind: 'retryable', error: describeNetworkError(err) };
    }
  }
}

/** The HTTP status kept beside the protocol-neutral outcome (the `deadletterstatus` extension). */
function httpDetail(code: number): ProtocolDetail {
  return { protocol: 'http', code };
}

function describeNetworkError(err: unknown): string {
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError)
    return 'timed out';
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? e.code;
  const message = e.cause?.message ?? e.message ?? String(err);
  return code ? `${code}: ${message}` : message;
}

async function readSome(body: AsyncIterable<Uint8Array> & { dump(): Promise<void> }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < MAX_ERROR_BODY) chunks.push(Buffer.from(chunk));
    size += chunk.length;
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, MAX_ERROR_BODY).replace(/\s+/g, ' ').trim();
}

/** RFC 9110 10.2.3: delay-seconds or an HTTP-date. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Math.min(Number(text.trim()) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}

function redactUserinfo(uri: string): string {
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
