/**
 * Strict UTF-8 conversion. The WHATWG decoder in fatal mode rejects overlong forms, encoded
 * surrogates and code points above U+10FFFF, which is exactly what http-binding.md 3.1.3.2
 * asks of percent-decoded header values. `ignoreBOM` keeps a leading U+FEFF as a character
 * instead of silently dropping it, so that decoding never loses bytes.
 */
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** The text the bytes spell in UTF-8, or undefined when they are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * UTF-8 bytes of a string, or undefined when the string holds an unpaired surrogate
 * (TextEncoder would silently replace it with U+FFFD, changing the text).
 */
export function encodeUtf8(text: string): Uint8Array | undefined {
  if (hasUnpairedSurrogate(text)) return undefined;
  return encoder.encode(text);
}

function hasUnpairedSurrogate(text: string): boolean {
  // A lone surrogate is the only thing that can make a JS string unrepresentable in UTF-8.
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}
