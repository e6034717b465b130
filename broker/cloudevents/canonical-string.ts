import type { AttributeValue } from './event.js';

/**
 * The canonical string encoding of an attribute value (cloudevents-spec.md "Type System"):
 * Boolean as the case-sensitive `true` / `false`, Integer as plain decimal digits with an
 * optional minus sign, every other type is already held as its string form.
 */
export function toCanonicalString(value: AttributeValue): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      // Integers in the 32-bit range print without exponent or fraction; -0 prints as "0".
      return String(value);
  }
}
