import { Agent, request, errors as undiciErrors } from 'undici';
import { encodeBinary, encodeStructured } from '../../broker/bindings/http.js';
import type { CloudEvent } from '../../broker/cloudevents/event.js';
import type { DeliveryOutcome, ProtocolDetail, Sink } from '../../broker/ports/sink.js';

/**
 * One keep-alive connection pool for every HTTP sink of the process: undici keeps a pool per
 * origin inside the agent, so subscriptions that call the same function share connections.
 */
const sharedAgent = new Agent({
  keepAliveTimeout: 30_000,
  keepAliveMaxTimeout: 300_000,
  connections: 256,
  pipelining: 1,
});

export interface HttpSinkOptions {
  uri: string;
  format: 'binary' | 'structured';
  headers?: Record<string, string>;
}

const MAX_ERROR_BODY = 512;
const MAX_RETRY_AFTER_MS = 3_600_000;

/** Delivers a CloudEvent to an HTTP function (CloudEvents HTTP binding, binary or structured mode). */
export class HttpSink implements Sink {
  readonly destination: string;
  private readonly options: HttpSinkOptions;

  constructor(options: HttpSinkOptions) {
    this.options = options;
    this.destination = redactUserinfo(options.uri);
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
        dispatcher: sharedAgent,
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

export async function closeHttpSinks(): Promise<void> {
  await sharedAgent.close();
}
