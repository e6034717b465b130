/**
 * The CESQL type system (cesql.md §3.1): three primitive types, each with a zero value.
 *
 * Values are plain JavaScript primitives: a `boolean` is a CESQL Boolean, a `number` is a CESQL
 * Integer (always a whole number inside the signed 32-bit range, never -0), a `string` is a CESQL
 * String. Keeping the representation native means no boxing on the per-event evaluation path.
 */
export type CesqlValue = boolean | number | string;

export type CesqlType = 'Boolean' | 'Integer' | 'String';

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** §3.1 zero values: the result of an operator or function that cannot produce a meaningful value. */
export const ZERO_VALUES: Readonly<Record<CesqlType, CesqlValue>> = {
  Boolean: false,
  Integer: 0,
  String: '',
};

export function typeOfValue(value: CesqlValue): CesqlType {
  switch (typeof value) {
    case 'boolean':
      return 'Boolean';
    case 'number':
      return 'Integer';
    default:
      return 'String';
  }
}

export function isInt32(value: number): boolean {
  return Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX;
}
