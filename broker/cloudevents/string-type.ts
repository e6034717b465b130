/**
 * The CloudEvents `String` type (cloudevents-spec.md "Type System"): any Unicode text except
 * control characters, Unicode noncharacters and unpaired surrogates.
 */

export interface ForbiddenCharacter {
  /** UTF-16 index of the offending character in the string. */
  readonly index: number;
  readonly codePoint: number;
  readonly reason: 'control character' | 'noncharacter' | 'unpaired surrogate';
}

/** Returns the first character the String type forbids, or undefined when the string is allowed. */
export function findForbiddenCharacter(value: string): ForbiddenCharacter | undefined {
  for (let index = 0; index < value.length; index++) {
    const unit = value.charCodeAt(index);
    if (isHighSurrogate(unit)) {
      const next = value.charCodeAt(index + 1);
      // charCodeAt past the end is NaN, which is not a low surrogate: a trailing high surrogate is unpaired.
      if (!isLowSurrogate(next)) return { index, codePoint: unit, reason: 'unpaired surrogate' };
      const codePoint = 0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00);
      if (isNoncharacter(codePoint)) return { index, codePoint, reason: 'noncharacter' };
      index++;
      continue;
    }
    if (isLowSurrogate(unit)) return { index, codePoint: unit, reason: 'unpaired surrogate' };
    if (isControlCharacter(unit)) return { index, codePoint: unit, reason: 'control character' };
    if (isNoncharacter(unit)) return { index, codePoint: unit, reason: 'noncharacter' };
  }
  return undefined;
}

/** "U+0007" style rendering for error details. */
export function formatCodePoint(codePoint: number): string {
  return 'U+' + codePoint.toString(16).toUpperCase().padStart(4, '0');
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** C0 controls, DEL and C1 controls: U+0000-U+001F and U+007F-U+009F. */
function isControlCharacter(codePoint: number): boolean {
  return codePoint <= 0x1f || (codePoint >= 0x7f && codePoint <= 0x9f);
}

/**
 * Unicode's 66 noncharacters: U+FDD0-U+FDEF, plus the last two code points of every plane
 * (U+FFFE, U+FFFF, U+1FFFE, U+1FFFF, ... U+10FFFF).
 */
function isNoncharacter(codePoint: number): boolean {
  return (codePoint >= 0xfdd0 && codePoint <= 0xfdef) || (codePoint & 0xfffe) === 0xfffe;
}
