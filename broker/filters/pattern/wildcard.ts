/**
 * EventBridge `wildcard` patterns: `*` matches any run of characters, including none. `\*` is a
 * literal asterisk and `\\` a literal backslash; a backslash before anything else, a trailing
 * backslash, and two wildcards in a row (`**`, which EventBridge refuses as it adds nothing but
 * matching cost) are errors.
 *
 * A pattern is compiled to its literal segments, the text between wildcards. Matching anchors the
 * first segment at the start and the last at the end and finds each middle segment at its leftmost
 * position after the previous one, which is enough for a language whose only operator is `*` and
 * takes linear time per segment: no regular expression, so no catastrophic backtracking on hostile
 * event values.
 */

export type WildcardMatcher = (value: string) => boolean;

/** Thrown by `parseWildcard`; `index` is the offending character's position in the pattern string. */
export class WildcardSyntaxError extends Error {
  readonly index: number;

  constructor(index: number, message: string) {
    super(message);
    this.name = 'WildcardSyntaxError';
    this.index = index;
  }
}

/** The literal segments of a wildcard pattern; a pattern with n wildcards has n + 1 segments. */
export function parseWildcard(pattern: string): string[] {
  const segments: string[] = [];
  let current = '';
  let previousWasWildcard = false;
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index];
    if (char === '*') {
      if (previousWasWildcard) {
        throw new WildcardSyntaxError(index, `consecutive wildcard characters at position ${index}`);
      }
      segments.push(current);
      current = '';
      previousWasWildcard = true;
      continue;
    }
    previousWasWildcard = false;
    if (char === '\\') {
      const escaped = pattern[index + 1];
      if (escaped !== '*' && escaped !== '\\') {
        throw new WildcardSyntaxError(
          index,
          `invalid escape at position ${index}: a backslash may only escape "*" or "\\"`,
        );
      }
      current += escaped;
      index++;
      continue;
    }
    current += char;
  }
  segments.push(current);
  return segments;
}

export function compileWildcard(pattern: string): WildcardMatcher {
  const segments = parseWildcard(pattern);
  const first = segments[0] ?? '';
  if (segments.length === 1) return (value) => value === first;

  const last = segments[segments.length - 1] ?? '';
  const middle = segments.slice(1, -1);
  const fixedLength = first.length + last.length;
  return (value) => {
    if (value.length < fixedLength || !value.startsWith(first) || !value.endsWith(last)) return false;
    // Middle segments must fit between the anchored first and last segments without overlapping them.
    const end = value.length - last.length;
    let position = first.length;
    for (const segment of middle) {
      const found = value.indexOf(segment, position);
      if (found === -1 || found + segment.length > end) return false;
      position = found + segment.length;
    }
    return true;
  };
}
