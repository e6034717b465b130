/**
 * Which pattern values are JSON objects. Only plain objects qualify, so that a Date, Map or class
 * instance produced by a YAML loader or a programmatic caller is reported instead of being read as
 * an object with no keys.
 */
export function isPatternObject(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
