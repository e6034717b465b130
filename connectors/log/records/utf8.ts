/**
 * Where to cut bytes[start, limit) without splitting a UTF-8 character: `limit` itself, or the
 * start of the character the cut would split. A cut inside bytes that are not valid UTF-8 anyway
 * stays at `limit` (they decode to U+FFFD either way).
 */
export function utf8CutPoint(bytes: Uint8Array, start: number, limit: number): number {
  // A character is at most 4 bytes, so the lead byte of the one the cut may split is at most 4 back.
  const floor = Math.max(start, limit - 4);
  let lead = limit - 1;
  while (lead >= floor && (bytes[lead]! & 0xc0) === 0x80) lead--;
  if (lead < floor) return limit;
  const first = bytes[lead]!;
  const length = first < 0xc0 ? 1 : first < 0xe0 ? 2 : first < 0xf0 ? 3 : first < 0xf8 ? 4 : 1;
  return limit - lead < length ? lead : limit;
}

/** The longest prefix of `text` whose UTF-8 encoding has at most maxBytes bytes. */
export function truncateUtf8(text: string, maxBytes: number): string {
  // A UTF-16 unit encodes to at most 3 bytes, so short strings need no encoding to be known to fit.
  if (text.length * 3 <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  return bytes.toString('utf8', 0, utf8CutPoint(bytes, 0, maxBytes));
}
