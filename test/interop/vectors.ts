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

/**
 * The event the Python and Java tests have their SDK send for `vector`: its values in `subject` and
 * the `myext` extension, its name as the (JSON) data so the receiving side can tell which it is.
 */
export function vectorEvent(
  vector: InteropVector,
  event: { id: string; type: string; source: string },
): { id: string; source: string; type: string; subject: string; myext: string; data: { vector: string } } {
  return {
    id: event.id,
    source: event.source,
    type: event.type,
    subject: vector.subject,
    myext: vector.myext,
    data: { vector: vector.name },
  };
}

// What the tests expect to see of a vector, computed here on purpose rather than taken from the
// broker's code: a test that shared the broker's encoder could not catch a mistake in it.

/** http-binding.md 3.1.3.2: space, `"`, `%` and everything outside printable ASCII as %XY of UTF-8. */
export function percentEncoded(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    out +=
      byte > 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The UTF-8 bytes of `value` read one character per byte (ISO-8859-1): what a receiver that
 * decodes header bytes as ISO-8859-1 makes of raw UTF-8 (`café` reads `cafÃ©`).
 */
export function asLatin1(value: string): string {
  return Buffer.from(value, 'utf8').toString('latin1');
}
