/** A position inside a pattern: object keys as strings, array indexes as numbers. */
export type PatternPath = readonly (string | number)[];

/**
 * A pattern that cannot be compiled. `path` names the offending key or value inside the pattern so
 * that the config loader can map it back to a line and column in the file the pattern came from;
 * `reason` is the explanation without the position, for callers that render the position themselves.
 */
export class PatternError extends Error {
  readonly path: (string | number)[];
  readonly reason: string;

  constructor(path: PatternPath, reason: string) {
    super(`${formatPatternPath(path)}: ${reason}`);
    this.name = 'PatternError';
    this.path = [...path];
    this.reason = reason;
  }
}

/**
 * Renders a path as a JSON Pointer (RFC 6901), the notation JSON and YAML tooling already understands;
 * the empty path is the pattern itself.
 */
export function formatPatternPath(path: PatternPath): string {
  if (path.length === 0) return 'pattern root';
  return path.map((part) => `/${String(part).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** A short, human name for the JSON type of a pattern value, for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isFinite(value) ? 'a number' : `the non-finite number ${String(value)}`;
    case 'boolean':
      return 'a boolean';
    case 'object': {
      const prototype = Object.getPrototypeOf(value);
      if (prototype === Object.prototype || prototype === null) return 'an object';
      return `an instance of ${String(prototype?.constructor?.name ?? 'an unknown class')} (not a JSON value)`;
    }
    default:
      return `a ${typeof value} (not a JSON value)`;
  }
}
