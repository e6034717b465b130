/** Turns a message body into JSON text and value, for the structured and batched content modes. */
import { BrokerError } from '../errors.js';
import { parseJson } from './json-depth.js';
import { decodeUtf8 } from './utf8.js';

export interface ParsedJsonBody {
  readonly text: string;
  readonly value: unknown;
}

/**
 * JSON exchanged between systems must be UTF-8 (RFC 8259 8.1). A leading byte order mark is
 * tolerated and skipped, which RFC 8259 allows a parser to do; any other invalid byte is
 * malformed_json rather than being replaced with U+FFFD. So is JSON nested deeper than
 * MAX_JSON_DEPTH (json-depth.ts).
 */
export function parseJsonBody(body: Uint8Array): ParsedJsonBody {
  const decoded = decodeUtf8(body);
  if (decoded === undefined) throw new BrokerError('malformed_json', 'the body is not valid UTF-8');
  const text = decoded.startsWith('\ufeff') ? decoded.slice(1) : decoded;
  if (text.trim() === '') throw new BrokerError('malformed_json', 'the body is empty');
  try {
    return { text, value: parseJson(text, 'the body') };
  } catch (error) {
    if (error instanceof BrokerError) throw error;
    // V8's message quotes part of the body, which could hold anything, so it stays in `cause`.
    throw new BrokerError('malformed_json', 'the body is not valid JSON', { cause: error });
  }
}
