/**
 * Strings a filter keeps to compare with every event, in the form V8 compares fastest. The YAML
 * parser hands out slices of the manifest (V8 SlicedStrings, which also keep the whole manifest
 * text alive), CESQL's lexer builds string literals a character at a time, and code builds filters
 * with template literals (ropes, ConsStrings). Comparing or hashing such a string goes through an
 * indirection to its characters, one more memory access each time; with thousands of filters that
 * access is a cache miss, per lookup, per event. Filters are compiled once and matched millions of
 * times, so they keep flat copies. (Measured: a Map of 8,000 rope keys looked up under cache
 * pressure took 150–200 ns, of flat keys 120 ns.)
 */

/** A flat copy of `text`. */
export function flatString(text: string): string {
  // A computed property key is internalised, and internalised strings are flat: V8 offers no more
  // direct way to ask for a flat string from JavaScript.
  return Object.keys({ [text]: 0 })[0] ?? text;
}

/**
 * `value` with every string flat, copying arrays and plain objects (own keys kept as own keys,
 * `__proto__` included); anything else (numbers, a Date a YAML loader made) is kept as it is, so
 * that the compilers still see, and reject, exactly what was configured.
 */
export function flatStrings<T>(value: T): T {
  if (typeof value === 'string') return flatString(value) as T;
  if (Array.isArray(value)) return value.map(flatStrings) as T;
  if (typeof value !== 'object' || value === null) return value;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, member]) => [flatString(key), flatStrings(member)]),
  ) as T;
}
