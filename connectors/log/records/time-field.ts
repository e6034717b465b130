import type { TimeFormat } from './settings.js';
import { timeFromValue } from './timestamps.js';

export type TimeFieldResult = { time: string; error?: undefined } | { time?: undefined; error: string };

const FORMAT_NAMES: Record<TimeFormat | 'auto', string> = {
  rfc3339: 'an RFC 3339 timestamp',
  unix: 'a Unix time in seconds',
  unix_ms: 'a Unix time in milliseconds',
  clf: 'a Common Log Format timestamp',
  auto: 'a timestamp (RFC 3339, Unix time or Common Log Format)',
};

/** Reads a record's time from one of its fields (`timeField`), explaining when it cannot. */
export class TimeFieldReader {
  private readonly steps: readonly string[];

  constructor(
    private readonly field: string,
    private readonly format: TimeFormat | undefined,
  ) {
    this.steps = field.split('.');
  }

  read(fields: Record<string, unknown>): TimeFieldResult {
    const value = fieldAt(fields, this.field, this.steps);
    if (value === undefined) return { error: `time field "${this.field}" is absent` };
    const time = timeFromValue(value, this.format);
    if (time !== undefined) return { time };
    const expected = FORMAT_NAMES[this.format ?? 'auto'];
    return { error: `time field "${this.field}" (${describe(value)}) is not ${expected}` };
  }
}

/**
 * The value at a dotted path (`a.b` is fields.a.b). A field whose own name is the whole path
 * (`"a.b": ...`) wins, since JSON logs often use dotted names flat (`"log.level"`).
 */
export function fieldAt(fields: Record<string, unknown>, path: string, steps: readonly string[]): unknown {
  if (Object.hasOwn(fields, path)) return fields[path];
  let value: unknown = fields;
  for (const step of steps) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, step)) return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

/** A short description of a value for an error message: long or nested values are not copied in. */
function describe(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
