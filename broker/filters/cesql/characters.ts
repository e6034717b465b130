/**
 * String operations counted in Unicode characters. A CESQL String is a "sequence of Unicode
 * characters" (cesql.md §3.1), so LENGTH, LEFT, RIGHT, SUBSTRING and the LIKE `_` wildcard work on
 * code points, not on UTF-16 code units: 'é' and '😀' are one character each. A lone surrogate
 * counts as one character, as `Array.from` does.
 */

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Number of code points in `text`, without allocating. */
export function characterLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    if (isHighSurrogate(text.charCodeAt(i)) && isLowSurrogate(text.charCodeAt(i + 1))) i++;
    count++;
  }
  return count;
}

/** True when every character of `text` is a single UTF-16 code unit, so code-unit indexes are character indexes. */
export function hasOnlySingleUnitCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdfff) return false;
  }
  return true;
}

/** The characters `[start, end)` of `text`, indexes in code points (0-based, clamped like `slice`). */
export function sliceCharacters(text: string, start: number, end?: number): string {
  if (hasOnlySingleUnitCharacters(text)) return text.slice(start, end);
  return Array.from(text).slice(start, end).join('');
}

/** Converts a UTF-16 index into `text` to the number of code points before it. */
export function characterOffset(text: string, utf16Index: number): number {
  return characterLength(text.slice(0, utf16Index));
}
