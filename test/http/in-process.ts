import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { compileBrokerSettings } from '../../broker/compile/broker-settings.js';
import type { RuntimeConfig } from '../../broker/compile/compile.js';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from '../../broker/http/limits.js';
import { createHttpServer } from '../../broker/http/server.js';
import type { Ingestor } from '../../broker/ingest.js';
import { createMetrics } from '../../broker/metrics.js';
import type { HttpIntakeConnector } from '../../broker/ports/connector.js';

/**
 * A webhook intake whose answers the test releases: a request reaches `receive` only once its
 * body has been read, and stays in flight (holding its body) until `open()` is called.
 */
export function gatedIntake(): {
  intake: HttpIntakeConnector;
  /** How many requests reached `receive`. */
  arrived(): number;
  /** Resolves once `count` requests reached `receive`. */
  waitForArrivals(count: number): Promise<void>;
  open(): void;
} {
  let count = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const waiters: { count: number; resolve: () => void }[] = [];
  const intake = {
    async receive() {
      count += 1;
      for (const w of waiters.filter((w) => w.count <= count)) w.resolve();
      await gate;
      return 1;
    },
  } as unknown as HttpIntakeConnector;
  return {
    intake,
    arrived: () => count,
    waitForArrivals: (n) =>
      n <= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count: n, resolve })),
    open: () => release(),
  };
}

/** Admits every request; most of these tests stop before an event reaches the ingestor. */
const NO_INGESTOR: Pick<Ingestor, 'admit' | 'ingest'> = {
  admit: () => undefined,
  ingest: () => Promise.reject(new Error('this test has no ingestor')),
};

/**
 * The broker's real HTTP server (createHttpServer) on a loopback port, in this process, for
 * what the CLI cannot set: short timeouts, a small bound on bodies in flight, a moment inside
 * a shutdown. Webhook Sources are the given intakes; the default configuration otherwise.
 */
export async function startHttpServer(options: {
  maxBodyBytes?: number;
  limits?: Partial<HttpLimits>;
  intakes?: Record<string, HttpIntakeConnector>;
  /** What POST /events reaches; by default nothing (these tests stop before the ingestor). */
  ingestor?: Pick<Ingestor, 'admit' | 'ingest'>;
}): Promise<{ app: FastifyInstance; port: number; url: string }> {
  const broker = compileBrokerSettings(undefined);
  if (options.maxBodyBytes !== undefined) broker.maxBodyBytes = options.maxBodyBytes;
  const app = createHttpServer(
    {
      config: () => ({ broker }) as RuntimeConfig,
      intake: async (name) => options.intakes?.[name],
      ingestor: (options.ingestor ?? NO_INGESTOR) as Ingestor,
      metrics: createMetrics(
        () => new Map(),
        () => [],
      ),
      log: pino({ level: 'silent' }),
      readiness: () => ({ ready: true, checks: {} }),
    },
    { ...DEFAULT_HTTP_LIMITS, ...options.limits },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  return { app, port, url: `http://127.0.0.1:${port}` };
}
