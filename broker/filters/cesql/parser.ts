/**
 * Parses a CESQL expression into a syntax tree (cesql.md §2), by precedence climbing.
 *
 * The EBNF of §2 is ambiguous on its own; §3.6 gives the precedence, from tightest to loosest:
 * function invocations; unary NOT and unary minus; LIKE; EXISTS; IN; `* / %`; `+ -`; comparisons;
 * AND, OR and XOR. Operators of equal precedence are evaluated left to right, so every binary
 * operator is left-associative, and AND, OR and XOR share one level: `a OR b AND c` is
 * `(a OR b) AND c`. Because unary operators bind tighter than LIKE, IN and the binary operators,
 * `NOT a LIKE 'x'` is `(NOT a) LIKE 'x'` and `NOT a = b` is `(NOT a) = b`.
 *
 * Keywords and function names are case-insensitive (§2). Value identifiers are matched
 * case-insensitively as well and normalised to lower case, the only case CloudEvents attribute
 * names can have (the conformance suite writes `EXISTS SOURCE`).
 */
import type { BinaryOperator, Expression } from './ast.js';
import { parseInteger } from './casts.js';
import { characterOffset } from './characters.js';
import type { CesqlParseError } from './errors.js';
import { parseErrorAt, type Token, tokenize } from './lexer.js';

const PRECEDENCE = {
  logical: 1,
  comparison: 2,
  additive: 3,
  multiplicative: 4,
  in: 5,
  like: 7,
  unary: 8,
} as const;

const KEYWORDS = new Set(['AND', 'OR', 'XOR', 'NOT', 'LIKE', 'IN', 'EXISTS', 'TRUE', 'FALSE']);
/** §2.2 value-identifier: letters and digits (letters of either case, see above). */
const VALUE_IDENTIFIER = /^[A-Za-z0-9]+$/;
/** §2.4 function-identifier: a letter, then letters and `_`. */
const FUNCTION_IDENTIFIER = /^[A-Za-z][A-Za-z_]*$/;

type InfixOperator =
  | { readonly kind: 'binary'; readonly operator: BinaryOperator; readonly precedence: number }
  | { readonly kind: 'like'; readonly negated: boolean; readonly precedence: number }
  | { readonly kind: 'in'; readonly negated: boolean; readonly precedence: number };

/** Parses `expression`; throws CesqlParseError with the offset of the first fault. */
export function parseExpression(expression: string): Expression {
  return new Parser(expression, tokenize(expression)).parseWhole();
}

class Parser {
  private position = 0;

  constructor(
    private readonly expression: string,
    private readonly tokens: readonly Token[],
  ) {}

  parseWhole(): Expression {
    if (this.peek().kind === 'end') throw this.errorAt(this.peek(), 'the expression is empty');
    const result = this.parseBelow(0);
    const next = this.peek();
    if (next.kind !== 'end') {
      throw this.errorAt(
        next,
        `unexpected ${describe(next)}: expected an operator or the end of the expression`,
      );
    }
    return result;
  }

  /** An expression made of operators whose precedence is at least `minPrecedence`. */
  private parseBelow(minPrecedence: number): Expression {
    let left = this.parseOperand();
    for (;;) {
      const operatorToken = this.peek();
      const infix = this.peekInfixOperator();
      if (infix === undefined || infix.precedence < minPrecedence) return left;
      this.advance();
      if (infix.kind !== 'binary' && infix.negated) this.advance();
      if (infix.kind === 'like') {
        left = {
          kind: 'like',
          operand: left,
          pattern: this.parseLikePattern(),
          negated: infix.negated,
          start: left.start,
        };
      } else if (infix.kind === 'in') {
        left = {
          kind: 'in',
          operand: left,
          set: this.parseSet(operatorToken),
          negated: infix.negated,
          start: left.start,
        };
      } else {
        // Left-associative: the right operand only takes operators that bind strictly tighter.
        const right = this.parseBelow(infix.precedence + 1);
        left = { kind: 'binary', operator: infix.operator, left, right, start: left.start };
      }
    }
  }

  private peekInfixOperator(): InfixOperator | undefined {
    const token = this.peek();
    if (token.kind === 'operator') {
      switch (token.text) {
        case '*':
        case '/':
        case '%':
          return { kind: 'binary', operator: token.text, precedence: PRECEDENCE.multiplicative };
        case '+':
        case '-':
          return { kind: 'binary', operator: token.text, precedence: PRECEDENCE.additive };
        case '=':
        case '!=':
        case '<>':
        case '<':
        case '<=':
        case '>':
        case '>=':
          return { kind: 'binary', operator: token.text, precedence: PRECEDENCE.comparison };
        default:
          return undefined;
      }
    }
    if (token.kind !== 'word') return undefined;
    switch (token.text.toUpperCase()) {
      case 'AND':
        return { kind: 'binary', operator: 'AND', precedence: PRECEDENCE.logical };
      case 'OR':
        return { kind: 'binary', operator: 'OR', precedence: PRECEDENCE.logical };
      case 'XOR':
        return { kind: 'binary', operator: 'XOR', precedence: PRECEDENCE.logical };
      case 'LIKE':
        return { kind: 'like', negated: false, precedence: PRECEDENCE.like };
      case 'IN':
        return { kind: 'in', negated: false, precedence: PRECEDENCE.in };
      case 'NOT': {
        // After an operand, NOT can only start `NOT LIKE` or `NOT IN` (§2.3).
        const next = this.peek(1);
        const keyword = next.kind === 'word' ? next.text.toUpperCase() : '';
        if (keyword === 'LIKE') return { kind: 'like', negated: true, precedence: PRECEDENCE.like };
        if (keyword === 'IN') return { kind: 'in', negated: true, precedence: PRECEDENCE.in };
        throw this.errorAt(next, `expected LIKE or IN after NOT, found ${describe(next)}`);
      }
      default:
        return undefined;
    }
  }

  private parseOperand(): Expression {
    const token = this.peek();
    switch (token.kind) {
      case '(': {
        this.advance();
        const inner = this.parseBelow(0);
        this.expectClosingParenthesis(token, 'to close the parenthesised expression');
        return inner;
      }
      case 'integer':
        this.advance();
        return { kind: 'literal', value: this.integerLiteral(token, '', token), start: token.start };
      case 'string':
        this.advance();
        return { kind: 'literal', value: token.value, start: token.start };
      case 'operator':
        return this.parseSignedOperand(token);
      case 'word':
        return this.parseWordOperand(token);
      default:
        throw this.errorAt(token, `expected an expression, found ${describe(token)}`);
    }
  }

  /** `-x`, or a signed integer literal: §2.2 integer-literal ::= ('+' | '-')? digit+. */
  private parseSignedOperand(sign: Token): Expression {
    const next = this.peek(1);
    const isLiteralSign =
      (sign.text === '-' || sign.text === '+') && next.kind === 'integer' && next.start === sign.end;
    if (isLiteralSign) {
      this.advance();
      this.advance();
      return { kind: 'literal', value: this.integerLiteral(next, sign.text, sign), start: sign.start };
    }
    if (sign.text === '-') {
      this.advance();
      return { kind: 'negate', operand: this.parseBelow(PRECEDENCE.unary), start: sign.start };
    }
    if (sign.text === '+') {
      throw this.errorAt(sign, "'+' is only allowed as the sign written directly before an integer literal");
    }
    throw this.errorAt(sign, `expected an expression, found ${describe(sign)}`);
  }

  private parseWordOperand(token: Token): Expression {
    const keyword = token.text.toUpperCase();
    if (KEYWORDS.has(keyword)) {
      this.advance();
      switch (keyword) {
        case 'TRUE':
          return { kind: 'literal', value: true, start: token.start };
        case 'FALSE':
          return { kind: 'literal', value: false, start: token.start };
        case 'NOT':
          return { kind: 'not', operand: this.parseBelow(PRECEDENCE.unary), start: token.start };
        case 'EXISTS':
          return { kind: 'exists', name: this.parseExistsIdentifier(), start: token.start };
        default:
          throw this.errorAt(token, `expected an expression, found the keyword ${keyword}`);
      }
    }
    if (this.peek(1).kind === '(') return this.parseCall(token);
    this.advance();
    return { kind: 'attribute', name: this.valueIdentifier(token), start: token.start };
  }

  private parseCall(nameToken: Token): Expression {
    if (!FUNCTION_IDENTIFIER.test(nameToken.text)) {
      throw this.errorAt(
        nameToken,
        `'${nameToken.text}' is not a valid function name: it must start with a letter and contain only letters and '_'`,
      );
    }
    this.advance();
    const open = this.advance();
    const args: Expression[] = [];
    if (this.peek().kind !== ')') {
      args.push(this.parseBelow(0));
      while (this.peek().kind === ',') {
        this.advance();
        args.push(this.parseBelow(0));
      }
    }
    this.expectClosingParenthesis(open, `to close the arguments of ${nameToken.text.toUpperCase()}`);
    return { kind: 'call', name: nameToken.text.toUpperCase(), args, start: nameToken.start };
  }

  private parseExistsIdentifier(): string {
    const token = this.peek();
    if (token.kind !== 'word' || KEYWORDS.has(token.text.toUpperCase()) || this.peek(1).kind === '(') {
      throw this.errorAt(token, `expected an attribute name after EXISTS, found ${describe(token)}`);
    }
    this.advance();
    return this.valueIdentifier(token);
  }

  /** §3.4.3: the pattern must be a string literal as written, never an expression cast to String. */
  private parseLikePattern(): string {
    const token = this.peek();
    if (token.kind !== 'string') {
      throw this.errorAt(token, `the LIKE pattern must be a string literal, found ${describe(token)}`);
    }
    this.advance();
    return token.value;
  }

  /** §2.3 set-expression ::= "(" expression ("," expression)* ")". */
  private parseSet(operatorToken: Token): Expression[] {
    const open = this.peek();
    if (open.kind !== '(') {
      throw this.errorAt(
        open,
        `expected '(' to start the set after ${operatorToken.text.toUpperCase()}, found ${describe(open)}`,
      );
    }
    this.advance();
    if (this.peek().kind === ')')
      throw this.errorAt(this.peek(), 'the IN set must contain at least one expression');
    const set = [this.parseBelow(0)];
    while (this.peek().kind === ',') {
      this.advance();
      set.push(this.parseBelow(0));
    }
    this.expectClosingParenthesis(open, 'to close the IN set');
    return set;
  }

  private valueIdentifier(token: Token): string {
    if (!VALUE_IDENTIFIER.test(token.text)) {
      throw this.errorAt(
        token,
        `'${token.text}' is not a valid attribute name: only letters and digits are allowed`,
      );
    }
    return token.text.toLowerCase();
  }

  /** §2.2: integer literals must be valid 32-bit signed integers. */
  private integerLiteral(digits: Token, sign: string, first: Token): number {
    const value = parseInteger(sign + digits.text);
    if (value === undefined) {
      throw this.errorAt(
        first,
        `the integer literal ${sign}${digits.text} is outside the 32-bit signed range`,
      );
    }
    return value;
  }

  private expectClosingParenthesis(open: Token, purpose: string): void {
    const token = this.peek();
    if (token.kind !== ')') {
      const opened = characterOffset(this.expression, open.start);
      throw this.errorAt(
        token,
        `expected ')' ${purpose} opened at offset ${opened}, found ${describe(token)}`,
      );
    }
    this.advance();
  }

  private peek(ahead = 0): Token {
    const index = Math.min(this.position + ahead, this.tokens.length - 1);
    // The token list always ends with an `end` token, so the index is always valid.
    return this.tokens[index]!;
  }

  private advance(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.position++;
    return token;
  }

  private errorAt(token: Token, reason: string): CesqlParseError {
    return parseErrorAt(this.expression, token.start, reason);
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the expression';
    case 'string':
      return `the string ${token.text}`;
    case 'integer':
      return `the integer ${token.text}`;
    case 'word':
      return KEYWORDS.has(token.text.toUpperCase())
        ? `the keyword ${token.text.toUpperCase()}`
        : `'${token.text}'`;
    default:
      return `'${token.text}'`;
  }
}
