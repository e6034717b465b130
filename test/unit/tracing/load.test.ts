import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { loadTracing, type OpenTelemetryModule } from '../../../broker/tracing/load.js';
import { NO_TRACING, type Tracing } from '../../../broker/tracing/tracing.js';

function logged() {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, lines };
}

const FAKE: Tracing = { ...NO_TRACING, enabled: true };
const fakeModule = () =>
  vi.fn(async () => ({ createOpenTelemetryTracing: async () => FAKE }) as unknown as OpenTelemetryModule);

describe('loading tracing', () => {
  it('creates no tracer and imports nothing of OpenTelemetry without the OTEL_* variables', async () => {
    const importOpenTelemetry = fakeModule();
    const { log, lines } = logged();
    expect(await loadTracing({ OTEL_SERVICE_NAME: 'orders' }, log, importOpenTelemetry)).toBe(NO_TRACING);
    expect(importOpenTelemetry).not.toHaveBeenCalled();
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'tracing off', level: 20 }));
  });

  it('imports nothing when OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none says so', async () => {
    const importOpenTelemetry = fakeModule();
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
    expect(
      await loadTracing({ ...endpoint, OTEL_SDK_DISABLED: 'true' }, logged().log, importOpenTelemetry),
    ).toBe(NO_TRACING);
    expect(
      await loadTracing({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }, logged().log, importOpenTelemetry),
    ).toBe(NO_TRACING);
    expect(importOpenTelemetry).not.toHaveBeenCalled();
  });

  it('imports OpenTelemetry once an endpoint is set', async () => {
    const importOpenTelemetry = fakeModule();
    const { log, lines } = logged();
    const tracing = await loadTracing(
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' },
      log,
      importOpenTelemetry,
    );
    expect(importOpenTelemetry).toHaveBeenCalledOnce();
    expect(tracing).toBe(FAKE);
    expect(lines).toContainEqual(
      expect.objectContaining({ exporters: ['otlp'], protocol: 'http/protobuf', level: 30 }),
    );
  });

  it('runs without tracing, logging why, when OpenTelemetry cannot start', async () => {
    const { log, lines } = logged();
    const tracing = await loadTracing({ OTEL_TRACES_EXPORTER: 'otlp' }, log, async () => {
      throw new Error('no SDK here');
    });
    expect(tracing).toBe(NO_TRACING);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 50, msg: 'tracing could not start; the broker runs without it' }),
    );
  });

  it('warns about a setting it does not use', async () => {
    const { log, lines } = logged();
    await loadTracing({ OTEL_TRACES_EXPORTER: 'jaeger' }, log, fakeModule());
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 40, problem: expect.stringMatching(/jaeger/) }),
    );
  });

  it('loads the real SDK: an enabled tracing that shuts down', async () => {
    const tracing = await loadTracing({ OTEL_TRACES_EXPORTER: 'otlp' }, logged().log);
    expect(tracing.enabled).toBe(true);
    await tracing.shutdown();
  });
});

describe('NO_TRACING', () => {
  const event = (traceparent?: string) => ({
    attributes: {
      specversion: '1.0',
      id: '1',
      source: '/s',
      type: 't',
      ...(traceparent ? { traceparent, tracestate: 'rojo=1' } : {}),
    },
    data: { kind: 'none' as const },
  });
  const delivery = (traceparent?: string) =>
    NO_TRACING.startDelivery({
      subscription: 's',
      event: event(traceparent),
      attempt: 1,
      phase: 'sink',
      destination: 'http://f',
    });

  it("forwards the event's own trace context to the function, as OpenTelemetry's API without an SDK would", () => {
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(delivery(tp).context).toEqual({ traceparent: tp, tracestate: 'rojo=1' });
    expect(delivery().context).toBeUndefined();
    expect(delivery('not a traceparent').context).toBeUndefined();
  });

  it('gives a route no context: an event without traceparent gets none from it', () => {
    expect(
      NO_TRACING.startIngest({ ingress: 'events', via: 'http', parent: undefined, events: [] }).route(event())
        .context,
    ).toBeUndefined();
  });
});
