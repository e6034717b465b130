/**
 * Reading context attributes as CESQL values (cesql.md §3.2).
 *
 * Only own properties count, so names like `constructor` or `toString` are never found on the
 * prototype. Values that are not one of the CESQL primitive types are represented as String: a
 * number that is not a 32-bit integer (1.5, 1e12) becomes its JavaScript text. `undefined` and
 * `null` mean the attribute is absent.
 */
import type { CesqlAttributes } from './evaluation-context.js';
import { type CesqlValue, isInt32 } from './types.js';

export function hasAttribute(attributes: CesqlAttributes, name: string): boolean {
  return Object.hasOwn(attributes, name) && attributes[name] !== undefined && attributes[name] !== null;
}

/** The attribute as a CESQL value, or `undefined` when the event does not have it. */
export function readAttribute(attributes: CesqlAttributes, name: string): CesqlValue | undefined {
  if (!Object.hasOwn(attributes, name)) return undefined;
  const value: unknown = attributes[name];
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // `+ 0` normalises -0, which is a 32-bit integer but must not leak as -0.
      return isInt32(value) ? value + 0 : String(value);
    case 'undefined':
      return undefined;
    default:
      return value === null ? undefined : String(value);
  }
}
