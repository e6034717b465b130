import { statelessRegex } from './stateless-regex.js';

/**
 * How the lines of one log file become records. The Source's builder turns the manifest's `log`
 * block into this and applies the defaults (innerFormat `plain`, maxLineBytes 1 MiB, ...), so
 * every field here is explicit and nothing below guesses.
 */

/** How a line (or, with cri/docker, the unwrapped message) is parsed. */
export type LineFormat = 'plain' | 'json' | 'regex';

/** The file's format: a line format, or a container runtime's wrapping around one. */
export type RecordFormat = LineFormat | 'cri' | 'docker';

/** How the value of `timeField` is read; absent means auto (see timestamps.ts). */
export type TimeFormat = 'rfc3339' | 'unix' | 'unix_ms' | 'clf';

export interface MultilineSettings {
  /** Tested against each line's text; a match is appended to the record before it. */
  continuation: RegExp;
  /** A record with this many lines is complete; the next continuation starts a new record. */
  maxLines: number;
  /** A record that got no line for this long is emitted by flushIdle. */
  timeoutMs: number;
}

export interface RecordPipelineSettings {
  format: RecordFormat;
  /** With cri/docker: the format of the unwrapped message. Must be `plain` with the other formats. */
  innerFormat: LineFormat;
  /** Named groups become fields (format or innerFormat `regex`). Flags g and y are ignored. */
  regex?: RegExp;
  multiline?: MultilineSettings;
  /** A field (dots for nesting: `a.b`) whose value becomes the record's time. */
  timeField?: string;
  timeFormat?: TimeFormat;
  /** The most bytes of one line (or joined record) kept; the rest is counted and skipped. */
  maxLineBytes: number;
  /** `binary` keeps each record's raw bytes (for data_base64); it needs format `plain`. */
  encoding: 'utf8' | 'binary';
  /** A last line without its newline is emitted after this much time without new bytes. */
  partialLineTimeoutMs: number;
}

const RECORD_FORMATS: readonly string[] = ['plain', 'json', 'regex', 'cri', 'docker'];
const LINE_FORMATS: readonly string[] = ['plain', 'json', 'regex'];
const TIME_FORMATS: readonly string[] = ['rfc3339', 'unix', 'unix_ms', 'clf'];

/** A UTF-8 character is up to 4 bytes: a smaller cap could not keep even one. */
const MIN_LINE_BYTES = 4;

export function isContainerFormat(format: RecordFormat): format is 'cri' | 'docker' {
  return format === 'cri' || format === 'docker';
}

/** The format the (unwrapped) message is parsed with. */
export function lineFormatOf(settings: RecordPipelineSettings): LineFormat {
  return isContainerFormat(settings.format) ? settings.innerFormat : settings.format;
}

/** What is wrong with the settings, one sentence per problem; empty when they can be used. */
export function validateSettings(settings: RecordPipelineSettings): string[] {
  const problems: string[] = [];
  const { format, innerFormat, regex, multiline, timeField, timeFormat } = settings;

  if (!RECORD_FORMATS.includes(format)) problems.push(`format must be one of ${RECORD_FORMATS.join(', ')}`);
  if (!LINE_FORMATS.includes(innerFormat))
    problems.push(`innerFormat must be one of ${LINE_FORMATS.join(', ')}`);
  else if (!isContainerFormat(format) && innerFormat !== 'plain')
    problems.push('innerFormat applies only to format cri or docker (it parses their unwrapped message)');

  const lineFormat = lineFormatOf(settings);
  if (lineFormat === 'regex') {
    if (!(regex instanceof RegExp)) problems.push('format regex needs a regex');
    else if (!hasNamedGroups(regex))
      problems.push('regex needs at least one named group, (?<name>...), each becoming a field');
  } else if (regex !== undefined) {
    problems.push('regex is set but neither format nor innerFormat is regex');
  }

  if (settings.encoding !== 'utf8' && settings.encoding !== 'binary')
    problems.push('encoding must be utf8 or binary');
  else if (settings.encoding === 'binary' && format !== 'plain')
    problems.push('encoding binary keeps each line as raw bytes and needs format plain');

  if (timeField !== undefined) {
    if (typeof timeField !== 'string' || timeField === '') problems.push('timeField must be a field name');
    else if (lineFormat === 'plain')
      problems.push('timeField needs fields: use format (or, with cri/docker, innerFormat) json or regex');
  }
  if (timeFormat !== undefined) {
    if (!TIME_FORMATS.includes(timeFormat))
      problems.push(`timeFormat must be one of ${TIME_FORMATS.join(', ')}`);
    else if (timeField === undefined) problems.push('timeFormat needs a timeField to read');
  }

  if (!Number.isSafeInteger(settings.maxLineBytes) || settings.maxLineBytes < MIN_LINE_BYTES)
    problems.push(`maxLineBytes must be an integer of at least ${MIN_LINE_BYTES}`);
  if (!isDuration(settings.partialLineTimeoutMs))
    problems.push('partialLineTimeoutMs must be a finite number of milliseconds, 0 or more');

  if (multiline !== undefined) {
    if (!(multiline.continuation instanceof RegExp)) problems.push('multiline.continuation must be a RegExp');
    if (!Number.isSafeInteger(multiline.maxLines) || multiline.maxLines < 1)
      problems.push('multiline.maxLines must be an integer of at least 1');
    if (!isDuration(multiline.timeoutMs))
      problems.push('multiline.timeoutMs must be a finite number of milliseconds, 0 or more');
  }
  return problems;
}

function isDuration(value: number): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/**
 * Exact, unlike looking for `(?<` in the source (which an escaped `\(?<` fools): an added empty
 * alternative always matches, and the match has a `groups` object only when named groups exist.
 */
function hasNamedGroups(regex: RegExp): boolean {
  return new RegExp(`${regex.source}|`, statelessRegex(regex).flags).exec('')?.groups !== undefined;
}
