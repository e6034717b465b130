/**
 * Base64 per RFC 4648 section 4 (the standard alphabet, with padding), as used by the JSON
 * format's `data_base64` member (json-format.md 2.2 and 3.1).
 */

/**
 * Decodes canonical base64 and returns undefined for anything else: characters outside the
 * alphabet, whitespace or line breaks (RFC 4648 3.3), the URL-safe alphabet, missing or
 * misplaced padding (3.2), and non-zero pad bits (3.5).
 *
 * Node's decoder is lenient and skips what it does not understand, so the check is that
 * re-encoding the decoded bytes gives back exactly the input: the canonical encoder's output
 * is precisely the set of strings RFC 4648 allows.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  const decoded = Buffer.from(text, 'base64');
  if (decoded.toString('base64') !== text) return undefined;
  // Copy into a plain Uint8Array: small Buffers are views on a shared pool.
  return new Uint8Array(decoded);
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
