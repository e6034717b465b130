/**
 * Splits a CESQL expression into tokens (cesql.md §2).
 *
 * The lexer does not decide what a word means: `and`, `LENGTH`, `subject` and `1abc` are all
 * `word` tokens, and the parser tells keywords, function names and attribute names apart, because
 * that depends on what follows (a function name is a word followed by `(`). Signs are separate
 * tokens too; the parser joins a sign written right before digits into a signed integer literal.
 *
 * Offsets are UTF-16 indexes into the expression; CesqlParseError converts them to characters.
 */

import { flatString } from '../flat.js';
import { characterOffset } from './characters.js';
import { CesqlParseError } from './errors.js';

export type TokenKind = 'integer' | 'string' | 'word' | 'operator' | '(' | ')' | ',' | 'end';

export type OperatorSymbol = '=' | '!=' | '<>' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%';

export interface Token {
  readonly kind: TokenKind;
  /** The source text of the token (empty for `end`). */
  readonly text: string;
  /** For `string` tokens: the value after escapes are resolved. Otherwise equal to `text`. */
  readonly value: string;
  /** UTF-16 index of the first character of the token. */
  readonly start: number;
  /** UTF-16 index just after the token. */
  readonly end: number;
}

const WHITESPACE = /[ \t\r\n\f\v]/;
/** Letters, digits and `_`: the characters of keywords, value identifiers and function identifiers (§2.2, §2.4). */
const WORD_CHARACTER = /[A-Za-z0-9_]/;
const DIGIT = /[0-9]/;
/** Longest first, so `<=` is not read as `<` followed by `=`. */
const OPERATORS: readonly OperatorSymbol[] = ['!=', '<>', '<=', '>=', '=', '<', '>', '+', '-', '*', '/', '%'];

export function parseErrorAt(expression: string, utf16Index: number, reason: string): CesqlParseError {
  return new CesqlParseError(expression, characterOffset(expression, utf16Index), reason);
}

export function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  const push = (kind: TokenKind, start: number, end: number, value?: string): void => {
    const text = expression.slice(start, end);
    tokens.push({ kind, text, value: value ?? text, start, end });
  };

  while (index < expression.length) {
    const char = expression.charAt(index);
    if (WHITESPACE.test(char)) {
      index++;
    } else if (char === '(' || char === ')' || char === ',') {
      push(char, index, index + 1);
      index++;
    } else if (char === "'" || char === '"') {
      const literal = readStringLiteral(expression, index);
      push('string', index, literal.end, flatString(literal.value));
      index = literal.end;
    } else if (WORD_CHARACTER.test(char)) {
      const start = index;
      while (index < expression.length && WORD_CHARACTER.test(expression.charAt(index))) index++;
      const text = expression.slice(start, index);
      push(isAllDigits(text) ? 'integer' : 'word', start, index);
    } else {
      const operator = OPERATORS.find((symbol) => expression.startsWith(symbol, index));
      if (operator === undefined) {
        const codePoint = expression.codePointAt(index) ?? 0;
        throw parseErrorAt(expression, index, `unexpected character '${String.fromCodePoint(codePoint)}'`);
      }
      push('operator', index, index + operator.length);
      index += operator.length;
    }
  }
  tokens.push({ kind: 'end', text: '', value: '', start: expression.length, end: expression.length });
  return tokens;
}

function isAllDigits(text: string): boolean {
  for (const char of text) if (!DIGIT.test(char)) return false;
  return true;
}

/**
 * §2.2 string-literal: `'` ( [^'] | "\'" )* `'`, and the same with `"`. Inside a literal a
 * backslash and the character after it are read together: backslash + delimiter stands for the
 * delimiter, and any other pair is kept as written (so `'ab\c'` is the four characters a b \ c and
 * `'a\\'` is a, \, \). Reading the pair together is what makes `'a\\'` end at its last quote
 * instead of the grammar's other, unterminated, reading. Backslashes that are not before the
 * delimiter reach the value unchanged, so LIKE sees them and can apply its own escapes (§3.4.3).
 */
function readStringLiteral(expression: string, start: number): { value: string; end: number } {
  const quote = expression.charAt(start);
  let value = '';
  let index = start + 1;
  while (index < expression.length) {
    const char = expression.charAt(index);
    if (char === quote) return { value, end: index + 1 };
    if (char === '\\' && index + 1 < expression.length) {
      const next = expression.charAt(index + 1);
      value += next === quote ? quote : char + next;
      index += 2;
    } else {
      value += char;
      index++;
    }
  }
  throw parseErrorAt(expression, start, `unterminated string literal: missing closing ${quote}`);
}
