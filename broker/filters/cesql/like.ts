/**
 * The LIKE pattern language (cesql.md §3.4.3), compiled once into a matcher.
 *
 * - `%` matches zero or more characters, `_` exactly one character (a code point).
 * - `\%` and `\_` match a literal `%` and `_`. `\\` matches one backslash, so a pattern can
 *   express a literal backslash followed by a wildcard. A backslash before any other character,
 *   or at the end of the pattern, is an ordinary backslash: `'ab\c'` matches the text `ab\c`.
 * - Every other character matches itself, case-sensitively.
 *
 * The pattern is split at its `%` wildcards into fixed-length segments. The first segment must
 * match at the start, the last at the end, and each middle segment is placed at its leftmost
 * possible position after the previous one; for this pattern language that greedy placement finds
 * a match whenever one exists, in O(text × pattern) time without backtracking.
 */
import { hasOnlySingleUnitCharacters } from './characters.js';

/** One character of a segment: a literal character, or `undefined` for the `_` wildcard. */
type SegmentCharacter = string | undefined;
type Segment = readonly SegmentCharacter[];

export type LikeMatcher = (text: string) => boolean;

export function compileLikePattern(pattern: string): LikeMatcher {
  const segments = splitIntoSegments(pattern);
  const hasSingleWildcard = segments.some((segment) => segment.includes(undefined));
  if (!hasSingleWildcard && hasOnlySingleUnitCharacters(pattern)) {
    return literalSegmentsMatcher(segments.map((segment) => segment.join('')));
  }
  return (text) => matchSegments(segments, Array.from(text));
}

function splitIntoSegments(pattern: string): Segment[] {
  const segments: SegmentCharacter[][] = [[]];
  const characters = Array.from(pattern);
  for (let index = 0; index < characters.length; index++) {
    const character = characters[index]!;
    const current = segments[segments.length - 1]!;
    const next = characters[index + 1];
    if (character === '\\' && (next === '%' || next === '_' || next === '\\')) {
      current.push(next);
      index++;
    } else if (character === '%') {
      segments.push([]);
    } else if (character === '_') {
      current.push(undefined);
    } else {
      current.push(character);
    }
  }
  return segments;
}

/** Fast path for patterns made only of literal text and `%`: plain string searches, no allocation. */
function literalSegmentsMatcher(segments: readonly string[]): LikeMatcher {
  const first = segments[0]!;
  if (segments.length === 1) return (text) => text === first;
  const last = segments[segments.length - 1]!;
  const middle = segments.slice(1, -1);
  const minimumLength = segments.reduce((sum, segment) => sum + segment.length, 0);
  return (text) => {
    if (text.length < minimumLength || !text.startsWith(first) || !text.endsWith(last)) return false;
    let cursor = first.length;
    const limit = text.length - last.length;
    for (const segment of middle) {
      const found = text.indexOf(segment, cursor);
      if (found < 0 || found + segment.length > limit) return false;
      cursor = found + segment.length;
    }
    return true;
  };
}

function matchSegments(segments: readonly Segment[], text: readonly string[]): boolean {
  const first = segments[0]!;
  if (segments.length === 1) return text.length === first.length && matchesAt(first, text, 0);
  const last = segments[segments.length - 1]!;
  const minimumLength = segments.reduce((sum, segment) => sum + segment.length, 0);
  if (text.length < minimumLength) return false;
  if (!matchesAt(first, text, 0)) return false;
  const limit = text.length - last.length;
  if (!matchesAt(last, text, limit)) return false;
  let cursor = first.length;
  for (let index = 1; index < segments.length - 1; index++) {
    const segment = segments[index]!;
    let position = cursor;
    while (position + segment.length <= limit && !matchesAt(segment, text, position)) position++;
    if (position + segment.length > limit) return false;
    cursor = position + segment.length;
  }
  return true;
}

function matchesAt(segment: Segment, text: readonly string[], position: number): boolean {
  for (let index = 0; index < segment.length; index++) {
    const expected = segment[index];
    if (expected !== undefined && text[position + index] !== expected) return false;
  }
  return true;
}
