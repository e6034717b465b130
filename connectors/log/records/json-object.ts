/**
 * Parses a line as a JSON object. V8's JSON.parse does not itself overflow on deep nesting, but
 * everything after it walks the value recursively (JSON.stringify, templates, structured clone),
 * so a line nested deeper than MAX_JSON_DEPTH is refused here, before parsing it.
 */
export const MAX_JSON_DEPTH = 1000;

export type JsonObjectResult =
  | { value: Record<string, unknown>; error?: undefined }
  | { value?: undefined; error: string };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

export function parseJsonObject(text: string): JsonObjectResult {
  // Most lines that are not JSON objects are seen at their first character, without the cost of
  // the exception JSON.parse would throw.
  if (firstNonBlank(text) !== OPEN_BRACE) return { error: 'line is not a JSON object' };
  // Deeper than MAX_JSON_DEPTH takes more than MAX_JSON_DEPTH brackets, so short lines need no scan.
  if (text.length > MAX_JSON_DEPTH && nestsDeeperThan(text, MAX_JSON_DEPTH))
    return { error: `line nests JSON deeper than ${MAX_JSON_DEPTH} levels` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `line is not valid JSON: ${(error as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { error: 'line is not a JSON object' };
  return { value: value as Record<string, unknown> };
}

/** True when brackets outside strings nest deeper than maxDepth. */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** JSON's whitespace is space, tab, LF and CR. */
function firstNonBlank(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return c;
  }
  return -1;
}
