import { durationProblem, parseDuration } from '../../broker/config/duration.js';
import type { PathSegment } from '../../broker/config/yaml-document.js';
import type { ConnectorBuildContext } from '../../broker/ports/connector.js';
import { type RecordPipelineSettings, validateSettings } from './records/settings.js';

type LineFormat = 'plain' | 'json' | 'regex';

/** The `log` block as the manifest schema lets it through (see settings-schema.ts). */
export interface LogSourceSpec {
  paths?: string[];
  syslog?: { udp?: number; tcp?: number; host?: string; maxMessageBytes?: number };
  startAt?: 'end' | 'beginning';
  format?: LineFormat | 'cri' | 'docker';
  innerFormat?: LineFormat;
  regex?: string;
  multiline?: { continuation: string; maxLines?: number; timeout?: string };
  timeField?: string;
  timeFormat?: 'rfc3339' | 'unix' | 'unix_ms' | 'clf';
  maxLineBytes?: number;
  partialLineTimeout?: string;
  encoding?: 'utf8' | 'binary';
  pollInterval?: string;
}

/** How lines of a file become records (connectors/log/records/). */
export type LineSettings = RecordPipelineSettings;

export interface FileSettings {
  paths: string[];
  startAt: 'end' | 'beginning';
  pollIntervalMs: number;
  lines: LineSettings;
}

export interface SyslogSettings {
  udp?: number;
  tcp?: number;
  host: string;
  maxMessageBytes: number;
}

export interface LogSettings {
  files?: FileSettings;
  syslog?: SyslogSettings;
}

/**
 * Reads a schema-valid `log` block into settings, reporting what the schema cannot express:
 * neither `paths` nor `syslog`, a syslog block without a port, regular expressions that do not
 * compile, a `regex` format without `regex`, `binary` with a parsed format, bad durations.
 * Returns undefined when something was reported.
 */
export function readLogSettings(context: ConnectorBuildContext<LogSourceSpec>): LogSettings | undefined {
  const { spec, path, report } = context;
  let ok = true;
  const problem = (at: readonly PathSegment[], message: string) => {
    ok = false;
    report(at, message);
  };
  const duration = (text: string | undefined, fallback: number, at: readonly PathSegment[]): number => {
    if (text === undefined) return fallback;
    const parsed = parseDuration(text);
    if ('error' in parsed) {
      problem(at, parsed.error);
      return fallback;
    }
    return parsed.ms;
  };
  const regex = (text: string, at: readonly PathSegment[]): RegExp | undefined => {
    try {
      return new RegExp(text);
    } catch (err) {
      problem(at, `not a regular expression: ${(err as Error).message}`);
      return undefined;
    }
  };

  if (spec.paths === undefined && spec.syslog === undefined)
    problem(path, 'a log Source needs paths (files or globs to tail), syslog (ports to listen on) or both');
  if (spec.syslog !== undefined && spec.syslog.udp === undefined && spec.syslog.tcp === undefined)
    problem([...path, 'syslog'], 'give a udp port, a tcp port or both');
  for (const [index, pattern] of (spec.paths ?? []).entries()) {
    if (!pattern.startsWith('/'))
      problem(
        [...path, 'paths', index],
        `"${pattern}" is relative: give an absolute path, since the broker's working directory is not the manifest's`,
      );
  }

  const format = spec.format ?? 'plain';
  const innerFormat = spec.innerFormat ?? 'plain';
  const lineRegex = spec.regex === undefined ? undefined : regex(spec.regex, [...path, 'regex']);
  const encoding = spec.encoding ?? 'utf8';

  let multiline: LineSettings['multiline'];
  if (spec.multiline !== undefined) {
    const continuation = regex(spec.multiline.continuation, [...path, 'multiline', 'continuation']);
    const timeoutMs = duration(spec.multiline.timeout, 2000, [...path, 'multiline', 'timeout']);
    if (continuation) multiline = { continuation, maxLines: spec.multiline.maxLines ?? 500, timeoutMs };
  }
  const partialLineTimeoutMs = duration(spec.partialLineTimeout, 5000, [...path, 'partialLineTimeout']);
  const pollIntervalMs = duration(spec.pollInterval, 1000, [...path, 'pollInterval']);
  if (pollIntervalMs < 10)
    problem([...path, 'pollInterval'], durationProblem(spec.pollInterval, 'must be at least PT0.01S'));

  const lines: LineSettings = {
    format,
    innerFormat,
    maxLineBytes: spec.maxLineBytes ?? 1_048_576,
    encoding,
    partialLineTimeoutMs,
  };
  if (lineRegex) lines.regex = lineRegex;
  if (multiline) lines.multiline = multiline;
  if (spec.timeField !== undefined) lines.timeField = spec.timeField;
  if (spec.timeFormat !== undefined) lines.timeFormat = spec.timeFormat;
  // What the record pipeline cannot use (a regex without named groups, timeField on plain text,
  // binary with a parsed format), said where the settings are.
  if (ok && spec.paths !== undefined) for (const message of validateSettings(lines)) problem(path, message);

  if (!ok) return undefined;
  const settings: LogSettings = {};
  if (spec.paths !== undefined)
    settings.files = { paths: spec.paths, startAt: spec.startAt ?? 'end', pollIntervalMs, lines };
  if (spec.syslog !== undefined) {
    settings.syslog = {
      host: spec.syslog.host ?? '0.0.0.0',
      maxMessageBytes: spec.syslog.maxMessageBytes ?? 65_536,
      ...(spec.syslog.udp !== undefined ? { udp: spec.syslog.udp } : {}),
      ...(spec.syslog.tcp !== undefined ? { tcp: spec.syslog.tcp } : {}),
    };
  }
  return settings;
}
