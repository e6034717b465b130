import type { Logger } from 'pino';
import { tracingSettingsFromEnv } from './settings.js';
import { NO_TRACING, type Tracing } from './tracing.js';

/** The OpenTelemetry implementation, imported only when tracing is on. */
export type OpenTelemetryModule = typeof import('./otel.js');

/**
 * The broker's tracing, as the OTEL_* environment asks (settings.ts): `NO_TRACING` unless it does,
 * and then OpenTelemetry, whose SDK is imported here and only here, so a broker without the
 * variables never loads it. A tracing that cannot start is logged and left off: telemetry never
 * keeps the broker from running.
 */
export async function loadTracing(
  env: Readonly<Record<string, string | undefined>>,
  log: Logger,
  importOpenTelemetry: () => Promise<OpenTelemetryModule> = () => import('./otel.js'),
): Promise<Tracing> {
  const settings = tracingSettingsFromEnv(env);
  for (const problem of settings.problems) log.warn({ problem }, 'tracing: an OTEL_* setting is not used');
  if (!settings.enabled) {
    log.debug({ reason: settings.reason }, 'tracing off');
    return NO_TRACING;
  }
  try {
    const { createOpenTelemetryTracing } = await importOpenTelemetry();
    const tracing = await createOpenTelemetryTracing(settings, log);
    log.info(
      {
        exporters: settings.exporters,
        ...(settings.exporters.includes('otlp') ? { protocol: settings.protocol } : {}),
      },
      'tracing on: spans for ingest, routing and delivery are exported',
    );
    return tracing;
  } catch (err) {
    log.error({ err }, 'tracing could not start; the broker runs without it');
    return NO_TRACING;
  }
}
