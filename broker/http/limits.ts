/**
 * How long the HTTP port waits for a client and how many body bytes it holds at once. They are
 * constants, not Broker settings: they protect the broker from clients, not shape its
 * behaviour for a workload, so a deployment has no reason to loosen them (README, HTTP surface).
 * Tests pass shorter ones to createHttpServer.
 */
export interface HttpLimits {
  /** Time for a request's header section, from its first byte (Node's `headersTimeout`). */
  headersTimeoutMs: number;
  /** Time to receive a whole request, headers and body (Node's `requestTimeout`). */
  requestTimeoutMs: number;
  /**
   * How often Node checks the two timeouts above: a request is cut off between the timeout and
   * the timeout plus this interval (Node's `connectionsCheckingInterval`, 30 s by default).
   */
  timeoutCheckIntervalMs: number;
  /** A socket on which nothing moves in either direction during a request is closed (fastify's `connectionTimeout`). */
  idleTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long (Node's `keepAliveTimeout`). */
  keepAliveTimeoutMs: number;
  /**
   * Request bodies held at once, in bytes, across all connections: declared lengths are counted
   * when their reading starts and released when their response is done. Never below
   * `limits.maxBodyBytes`, so one body of the largest allowed size always fits.
   */
  maxBodyBytesInFlight: number;
}

export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = {
  // A client on a slow link still sends a few kilobytes of headers in well under a second.
  headersTimeoutMs: 10_000,
  // The largest body (1 MiB by default) at 50 KB/s; a sender slower than that is holding a slot.
  requestTimeoutMs: 30_000,
  timeoutCheckIntervalMs: 1_000,
  // Beyond the request timeout: it only ends a handler that never answers or a client that never reads.
  idleTimeoutMs: 60_000,
  // Longer than the 60 s idle timeout of common load balancers, so the balancer closes an idle
  // connection first and never sends a request on one the broker has just closed.
  keepAliveTimeoutMs: 65_000,
  // 64 bodies of the default 1 MiB limit: memory stays bounded whatever the number of connections.
  maxBodyBytesInFlight: 64 * 1024 * 1024,
};
