/**
 * The nesting bound on JSON the broker reads from outside (README, "HTTP surface"). JSON.parse
 * builds a value of any depth, but storing, delivering or checking that value walks it
 * recursively (JSON.stringify, JSON Schema validation), and past a few thousand levels that
 * overflows the stack. No event needs a thousand levels.
 */
import { BrokerError } from '../errors.js';

/** The deepest nesting of arrays and objects accepted, the outermost one counted as 1. */
export const MAX_JSON_DEPTH = 1000;

/**
 * True when the arrays and objects of a JSON text nest deeper than `limit`. One pass over the
 * text, counting brackets outside strings, stopping at the first level too deep; meant for text
 * JSON.parse has accepted (for any other text the count means nothing).
 */
export function exceedsJsonDepth(jsonText: string, limit = MAX_JSON_DEPTH): boolean {
  // Every level opens with a character of its own: shorter text cannot be too deep.
  if (jsonText.length <= limit) return false;
  let depth = 0;
  for (let index = 0; index < jsonText.length; index++) {
    const code = jsonText.charCodeAt(index);
    if (code === QUOTE) index = closingQuote(jsonText, index);
    else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth++;
      if (depth > limit) return true;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) depth--;
  }
  return false;
}

/**
 * JSON.parse for text from outside: a SyntaxError as JSON.parse throws it; BrokerError
 * `malformed_json` ("`what` is nested deeper than ...") for JSON too deep to handle.
 */
export function parseJson(text: string, what: string): unknown {
  const value = JSON.parse(text) as unknown;
  // A string, number, boolean or null has no levels to count.
  if (typeof value === 'object' && value !== null && exceedsJsonDepth(text)) throw tooDeep(what);
  return value;
}

/**
 * A raw payload as the `body` of `ce` templates: parsed JSON when it parses, else its text, as
 * before; JSON too deep to handle is refused (BrokerError `malformed_json`), so a connector
 * dead-letters the message and an HTTP route answers 400.
 */
export function parseJsonOrText(text: string, what: string): unknown {
  try {
    return parseJson(text, what);
  } catch (error) {
    if (error instanceof BrokerError) throw error;
    return text;
  }
}

function tooDeep(what: string): BrokerError {
  return new BrokerError(
    'malformed_json',
    `${what} is nested deeper than ${MAX_JSON_DEPTH} levels of arrays and objects`,
  );
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Index of the quote that closes the string opening at `open`: the next quote not escaped, that
 * is not preceded by an odd run of backslashes. indexOf jumps over long strings quickly.
 */
export function closingQuote(text: string, open: number): number {
  let quote = text.indexOf('"', open + 1);
  while (quote !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = text.indexOf('"', quote + 1);
  }
  return text.length;
}
