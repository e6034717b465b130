/**
 * Necessary conditions of a CESQL filter, for the router's index: what every event for which
 * the expression yields Boolean TRUE (without error) must hold. Only forms whose meaning is
 * plain string comparison are read, and only on the attributes that are always Strings once an
 * event is accepted (cloudevents-spec.md: id, source, specversion, type, and the optional
 * datacontenttype, dataschema, subject, time); an extension may be an Integer or Boolean, and
 * CESQL's implicit casts (cesql.md 3.7) would then make `ext = '05'` true for the value 5,
 * which a string index would miss. Anything else gives nothing, which is always safe.
 *
 * - `a AND b`: the conditions of both are necessary;
 * - `a OR b`: one condition, the union of one from each side (none if either side has none);
 * - `attr = 'x'` (either order): exact key;
 * - `attr IN ('x', 'y')`: one condition with an exact key per value;
 * - `attr LIKE 'abc%...'`: a prefix key from the literal text before the first wildcard, or an
 *   exact key when the pattern has no wildcard at all.
 */

import type { Expression } from '../filters/cesql/ast.js';
import { parseExpression } from '../filters/cesql/parser.js';
import type { IndexKey, NecessaryCondition } from './index-keys.js';

const STRING_ATTRIBUTES = new Set([
  'id',
  'source',
  'specversion',
  'type',
  'datacontenttype',
  'dataschema',
  'subject',
  'time',
]);

export function sqlConditions(
  expression: unknown,
  cheapest: (c: readonly NecessaryCondition[]) => NecessaryCondition | undefined,
): NecessaryCondition[] {
  if (typeof expression !== 'string') return [];
  let tree: Expression;
  try {
    tree = parseExpression(expression);
  } catch {
    return []; // reported when the predicate was compiled; it never matches
  }
  return conditionsOf(tree, cheapest);
}

function conditionsOf(
  e: Expression,
  cheapest: (c: readonly NecessaryCondition[]) => NecessaryCondition | undefined,
): NecessaryCondition[] {
  switch (e.kind) {
    case 'binary': {
      if (e.operator === 'AND')
        return [...conditionsOf(e.left, cheapest), ...conditionsOf(e.right, cheapest)];
      if (e.operator === 'OR') {
        const left = cheapest(conditionsOf(e.left, cheapest));
        const right = cheapest(conditionsOf(e.right, cheapest));
        return left && right ? [[...left, ...right]] : [];
      }
      if (e.operator === '=') {
        const pair = attributeAndString(e.left, e.right) ?? attributeAndString(e.right, e.left);
        return pair ? [[{ kind: 'exact', attribute: pair.attribute, value: pair.value }]] : [];
      }
      return [];
    }
    case 'in': {
      if (e.negated || e.operand.kind !== 'attribute' || !STRING_ATTRIBUTES.has(e.operand.name)) return [];
      const attribute = e.operand.name;
      const keys: IndexKey[] = [];
      for (const member of e.set) {
        if (member.kind !== 'literal' || typeof member.value !== 'string') return [];
        keys.push({ kind: 'exact', attribute, value: member.value });
      }
      return keys.length > 0 ? [keys] : [];
    }
    case 'like': {
      if (e.negated || e.operand.kind !== 'attribute' || !STRING_ATTRIBUTES.has(e.operand.name)) return [];
      const literal = literalPrefix(e.pattern);
      if (literal.text === '') return [];
      return [[{ kind: literal.whole ? 'exact' : 'prefix', attribute: e.operand.name, value: literal.text }]];
    }
    default:
      return [];
  }
}

function attributeAndString(a: Expression, b: Expression): { attribute: string; value: string } | undefined {
  if (
    a.kind === 'attribute' &&
    STRING_ATTRIBUTES.has(a.name) &&
    b.kind === 'literal' &&
    typeof b.value === 'string'
  ) {
    return { attribute: a.name, value: b.value };
  }
  return undefined;
}

/** The literal text of a LIKE pattern before its first wildcard (cesql.md 3.5.1: `\` escapes `%`, `_`, `\`). */
function literalPrefix(pattern: string): { text: string; whole: boolean } {
  let text = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '%' || c === '_') return { text, whole: false };
    if (c === '\\' && (pattern[i + 1] === '%' || pattern[i + 1] === '_' || pattern[i + 1] === '\\')) {
      text += pattern[i + 1];
      i++;
    } else text += c;
  }
  return { text, whole: true };
}
