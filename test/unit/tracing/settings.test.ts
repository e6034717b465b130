import { describe, expect, it } from 'vitest';
import { tracingSettingsFromEnv } from '../../../broker/tracing/settings.js';

describe('tracing settings from the OTEL_* environment', () => {
  it('is off without any of the variables that ask for it, and with only OTEL_SERVICE_NAME', () => {
    expect(tracingSettingsFromEnv({})).toMatchObject({ enabled: false });
    expect(tracingSettingsFromEnv({ OTEL_SERVICE_NAME: 'orders' })).toMatchObject({ enabled: false });
    expect(tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' })).toMatchObject({ enabled: false });
  });

  it('exports over OTLP/HTTP protobuf once an endpoint is set', () => {
    for (const name of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'])
      expect(tracingSettingsFromEnv({ [name]: 'http://collector:4318' })).toEqual({
        enabled: true,
        exporters: ['otlp'],
        protocol: 'http/protobuf',
        problems: [],
      });
  });

  it('takes the protocol from the traces variable first, then the general one', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' };
    expect(tracingSettingsFromEnv({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toMatchObject({
      protocol: 'http/json',
    });
    expect(
      tracingSettingsFromEnv({
        ...endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
      }),
    ).toMatchObject({ protocol: 'http/protobuf' });
  });

  it('is off, saying why, for grpc (not in this build)', () => {
    const settings = tracingSettingsFromEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    });
    expect(settings.enabled).toBe(false);
    expect(settings.problems).toEqual([expect.stringMatching(/OTEL_EXPORTER_OTLP_PROTOCOL is "grpc"/)]);
  });

  it('follows OTEL_TRACES_EXPORTER: none is off, otlp and console on, others reported', () => {
    expect(
      tracingSettingsFromEnv({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toMatchObject({ enabled: false, reason: 'OTEL_TRACES_EXPORTER is none' });
    expect(tracingSettingsFromEnv({ OTEL_TRACES_EXPORTER: 'otlp' })).toMatchObject({
      enabled: true,
      exporters: ['otlp'],
    });
    expect(tracingSettingsFromEnv({ OTEL_TRACES_EXPORTER: 'Console, otlp' })).toMatchObject({
      enabled: true,
      exporters: ['console', 'otlp'],
    });
    const zipkin = tracingSettingsFromEnv({ OTEL_TRACES_EXPORTER: 'zipkin' });
    expect(zipkin.enabled).toBe(false);
    expect(zipkin.problems).toEqual([expect.stringMatching(/"zipkin", which this build does not have/)]);
  });

  it('is off when OTEL_SDK_DISABLED is true, whatever else is set', () => {
    expect(
      tracingSettingsFromEnv({ OTEL_SDK_DISABLED: 'TRUE', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toMatchObject({ enabled: false, reason: 'OTEL_SDK_DISABLED is true' });
    expect(
      tracingSettingsFromEnv({ OTEL_SDK_DISABLED: 'false', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toMatchObject({ enabled: true });
  });
});
