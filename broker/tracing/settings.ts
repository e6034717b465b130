/**
 * Whether tracing is on, read from OpenTelemetry's standard environment variables (the
 * OpenTelemetry specification's "Environment Variable Specification"); pure, so `load.ts` can
 * decide before anything of OpenTelemetry is loaded. Off unless asked for: an OTLP endpoint is
 * set, or OTEL_TRACES_EXPORTER names an exporter (docs/reference/tracing.md).
 */

export type TraceExporterName = 'otlp' | 'console';
export type OtlpProtocol = 'http/protobuf' | 'http/json';

export type TracingSettings =
  | { readonly enabled: false; readonly reason: string; readonly problems: readonly string[] }
  | {
      readonly enabled: true;
      readonly exporters: readonly TraceExporterName[];
      /** The OTLP encoding, when `otlp` is among the exporters. */
      readonly protocol: OtlpProtocol;
      readonly problems: readonly string[];
    };

type Env = Readonly<Record<string, string | undefined>>;

const EXPORTERS: readonly TraceExporterName[] = ['otlp', 'console'];
const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json'];

function value(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

export function tracingSettingsFromEnv(env: Env): TracingSettings {
  const problems: string[] = [];
  const off = (reason: string): TracingSettings => ({ enabled: false, reason, problems });
  if (value(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return off('OTEL_SDK_DISABLED is true');

  let exporters: TraceExporterName[];
  const named = value(env, 'OTEL_TRACES_EXPORTER');
  if (named !== undefined) {
    const names = named
      .split(',')
      .map((n) => n.trim().toLowerCase())
      .filter((n) => n !== '');
    if (names.includes('none')) return off('OTEL_TRACES_EXPORTER is none');
    exporters = [];
    for (const name of names) {
      if ((EXPORTERS as readonly string[]).includes(name)) {
        if (!exporters.includes(name as TraceExporterName)) exporters.push(name as TraceExporterName);
      } else
        problems.push(
          `OTEL_TRACES_EXPORTER names "${name}", which this build does not have (it has ${EXPORTERS.join(', ')})`,
        );
    }
  } else if (
    value(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') !== undefined ||
    value(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined
  ) {
    exporters = ['otlp'];
  } else {
    return off(
      'neither OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT nor OTEL_TRACES_EXPORTER is set',
    );
  }

  // The specification's default protocol is http/protobuf; the traces-specific variable wins.
  const protocolVariable =
    value(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') !== undefined
      ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
      : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = (value(env, protocolVariable)?.toLowerCase() ?? 'http/protobuf') as OtlpProtocol;
  if (exporters.includes('otlp') && !PROTOCOLS.includes(protocol)) {
    problems.push(
      `${protocolVariable} is "${protocol}": this build exports OTLP over HTTP only (http/protobuf or http/json); spans are not exported over OTLP`,
    );
    exporters = exporters.filter((e) => e !== 'otlp');
  }
  if (exporters.length === 0) return off('no exporter this build has is configured');
  return {
    enabled: true,
    exporters,
    protocol: PROTOCOLS.includes(protocol) ? protocol : 'http/protobuf',
    problems,
  };
}
