/**
 * The syntax tree of a CESQL expression (cesql.md §2). Produced by the parser, consumed once by the
 * compiler, never by the per-event evaluation. `start` is the UTF-16 index of the node's first token.
 */
import type { CesqlValue } from './types.js';

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';
export type ComparisonOperator = '<' | '<=' | '>' | '>=';
export type EqualityOperator = '=' | '!=' | '<>';
export type LogicalOperator = 'AND' | 'OR' | 'XOR';
export type BinaryOperator = ArithmeticOperator | ComparisonOperator | EqualityOperator | LogicalOperator;

export type Expression =
  | LiteralExpression
  | AttributeExpression
  | ExistsExpression
  | NotExpression
  | NegateExpression
  | BinaryExpression
  | LikeExpression
  | InExpression
  | CallExpression;

export interface LiteralExpression {
  readonly kind: 'literal';
  readonly value: CesqlValue;
  readonly start: number;
}

/** A value identifier: a context attribute or extension, by its lower case name. */
export interface AttributeExpression {
  readonly kind: 'attribute';
  readonly name: string;
  readonly start: number;
}

export interface ExistsExpression {
  readonly kind: 'exists';
  readonly name: string;
  readonly start: number;
}

export interface NotExpression {
  readonly kind: 'not';
  readonly operand: Expression;
  readonly start: number;
}

/** Unary minus. A minus written right before digits is part of an integer literal instead. */
export interface NegateExpression {
  readonly kind: 'negate';
  readonly operand: Expression;
  readonly start: number;
}

export interface BinaryExpression {
  readonly kind: 'binary';
  readonly operator: BinaryOperator;
  readonly left: Expression;
  readonly right: Expression;
  readonly start: number;
}

export interface LikeExpression {
  readonly kind: 'like';
  readonly operand: Expression;
  /** The pattern string literal's value, escapes of the literal already resolved. */
  readonly pattern: string;
  readonly negated: boolean;
  readonly start: number;
}

export interface InExpression {
  readonly kind: 'in';
  readonly operand: Expression;
  readonly set: readonly Expression[];
  readonly negated: boolean;
  readonly start: number;
}

export interface CallExpression {
  readonly kind: 'call';
  /** Upper case: function names are case-insensitive like keywords (§2). */
  readonly name: string;
  readonly args: readonly Expression[];
  readonly start: number;
}
