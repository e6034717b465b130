/**
 * The attribute values every SDK interop test sends and expects back (docs/architecture.md,
 * "Header values"): plain ASCII, non-ASCII text, spaces, `%` (alone, and before two hex digits),
 * and double quotes, in `subject` and in an extension (`myext`), the way the official SDKs really
 * write them.
 */
export interface InteropVector {
  /** Used in the event's id, so a test can tell the vectors apart. */
  name: string;
  subject: string;
  myext: string;
  /** Whether ISO-8859-1 can carry it (Python's HTTP client writes headers in ISO-8859-1). */
  latin1: boolean;
}

// No vector has `%` before two hex digits: a non-encoding SDK's literal `%41` reads as `A`, the one
// ambiguity generous decoding leaves (README, "Header values").

export const INTEROP_VECTORS: readonly InteropVector[] = [
  { name: 'ascii', subject: 'orders-42', myext: 'plain', latin1: true },
  { name: 'latin', subject: 'café Grüße', myext: 'naïve', latin1: true },
  { name: 'unicode', subject: 'Euro € 😀 日本', myext: '☕', latin1: false },
  { name: 'spaces', subject: 'a b  c', myext: 'x y', latin1: true },
  { name: 'percent', subject: '100% sure', myext: '50%', latin1: true },
  { name: 'quotes', subject: 'say "hi" now', myext: '{"a": 5}', latin1: true },
];
