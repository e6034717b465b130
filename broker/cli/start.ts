import { ConfigError, formatProblem } from '../config/problem.js';
import { createLogger } from '../log.js';
import type { PluginSet } from '../ports/plugins.js';
import { startBroker } from '../runtime.js';
import { loadTracing } from '../tracing/load.js';

const SHUTDOWN_DEADLINE_MS = 9000;

/** Runs until SIGTERM or SIGINT, then stops within the contract's 10 seconds and exits 0. */
export async function runStart(
  dir: string,
  opts: { port?: number; host?: string; data?: string; logLevel: string },
  plugins: PluginSet,
): Promise<number | undefined> {
  const log = createLogger(opts.logLevel);
  // OpenTelemetry is loaded only when the OTEL_* environment asks for tracing (tracing/load.ts).
  const tracing = await loadTracing(process.env, log);
  let broker: Awaited<ReturnType<typeof startBroker>>;
  try {
    broker = await startBroker({
      configDir: dir,
      plugins,
      log,
      tracing,
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      ...(opts.host !== undefined ? { host: opts.host } : {}),
      ...(opts.data !== undefined ? { dataDir: opts.data } : {}),
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) process.stderr.write(`${formatProblem(p)}\n`);
      process.stderr.write(
        `trigger-broker: refusing to start: ${err.problems.length} problem(s) in ${dir}\n`,
      );
    } else {
      process.stderr.write(`trigger-broker: cannot start: ${(err as Error).message}\n`);
    }
    await tracing.shutdown();
    log.flush();
    return 1;
  }
  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) return;
    signalled = true;
    log.info({ signal }, 'signal received');
    const deadline = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      log.flush();
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    broker.stop().then(
      () => {
        log.flush();
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        log.flush();
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  return undefined;
}
