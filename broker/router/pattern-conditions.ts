/**
 * Necessary conditions of a `pattern` filter, for the router's index: what every event the pattern
 * matches must hold. Read from the pattern itself, once it has compiled (an invalid pattern never
 * matches and gives nothing), following how pattern/compile.ts and pattern/value-list.ts read it:
 *
 * - an object is a conjunction: each field gives its own conditions, a nested object those of its
 *   fields, with paths from the pattern root (a nested pattern matches one object reached through
 *   arrays, and each of its keys is then found by the index's walk through those arrays);
 * - a `$or`, at any level, gives one condition: the union of the cheapest condition of each branch
 *   (whichever branch matched, its key holds). A branch with none makes the `$or` give nothing;
 * - a value list is a disjunction: one condition, the union of a key per entry. Every entry but
 *   `exists: false` needs the field to have a leaf, so each gives at least that key (`present`);
 *   exact values, `prefix`, `suffix`, a `wildcard` with literal text at an end, and `numeric` give a
 *   narrower one. `exists: false` gives `absent`; a list accepting both a leaf and no leaf accepts
 *   every event and gives nothing.
 *
 * Strings on a context attribute (a one-field path other than `data`) become attribute keys
 * (`exact`, `prefix`, `suffix`), shared with the filter dialects of the same names: the pattern
 * matches only when the attribute is such a string, and its canonical string is then that string,
 * so the attribute index finds every such event (and perhaps more, such as the integer 5 for "5",
 * which the predicate then rejects).
 */
import { compilePattern } from '../filters/pattern/index.js';
import { canonicalNumber, toMillionths } from '../filters/pattern/numbers.js';
import { isPatternObject } from '../filters/pattern/pattern-object.js';
import { parseWildcard } from '../filters/pattern/wildcard.js';
import {
  type HintValue,
  type IndexKey,
  keyId,
  type NecessaryCondition,
  type NumericRange,
} from './index-keys.js';

/** Picks the condition to use for a `$or` branch among the branch's conditions. */
export type CheapestCondition = (conditions: readonly NecessaryCondition[]) => NecessaryCondition | undefined;

type Path = readonly string[];

/** The necessary conditions of `pattern`; empty when it is invalid or constrains nothing indexable. */
export function patternConditions(pattern: unknown, cheapest: CheapestCondition): NecessaryCondition[] {
  try {
    compilePattern(pattern);
  } catch {
    return []; // reported when its predicate was compiled; it never matches
  }
  return objectConditions(pattern, [], cheapest);
}

function objectConditions(node: unknown, path: Path, cheapest: CheapestCondition): NecessaryCondition[] {
  if (!isPatternObject(node)) return [];
  const conditions: NecessaryCondition[] = [];
  for (const [field, value] of Object.entries(node)) {
    if (field === '$or') {
      const union = orCondition(value, path, cheapest);
      if (union !== undefined) conditions.push(union);
    } else if (Array.isArray(value)) {
      const union = valueListCondition(value, [...path, field]);
      if (union !== undefined) conditions.push(union);
    } else {
      conditions.push(...objectConditions(value, [...path, field], cheapest));
    }
  }
  return conditions;
}

function orCondition(branches: unknown, path: Path, cheapest: CheapestCondition): IndexKey[] | undefined {
  if (!Array.isArray(branches)) return undefined;
  const union: IndexKey[] = [];
  for (const branch of branches) {
    const best = cheapest(objectConditions(branch, path, cheapest));
    if (best === undefined) return undefined;
    union.push(...best);
  }
  return distinct(union);
}

/** What a value-list entry needs when no narrower key says it: some leaf, or no leaf at all. */
const PRESENT = Symbol('present');
const ABSENT = Symbol('absent');

function valueListCondition(list: readonly unknown[], path: Path): IndexKey[] | undefined {
  const keys: IndexKey[] = [];
  let present = false;
  let absent = false;
  for (const entry of list) {
    const key = isPatternObject(entry) ? operatorKey(entry, path) : exactKey(path, entry as HintValue);
    if (key === PRESENT) present = true;
    else if (key === ABSENT) absent = true;
    else keys.push(key);
  }
  if (present && absent) return undefined; // a leaf or none: every event
  // Every other key needs a leaf too: presence alone says as much as all of them together.
  const union: IndexKey[] = present ? [{ kind: 'present', path }] : distinct(keys);
  if (absent) union.push({ kind: 'absent', path });
  return union;
}

function operatorKey(
  entry: Readonly<Record<string, unknown>>,
  path: Path,
): IndexKey | typeof PRESENT | typeof ABSENT {
  const [name] = Object.keys(entry);
  const operand = entry[name!];
  switch (name) {
    case 'prefix':
    case 'suffix':
      // `{"equals-ignore-case": text}` folds case: no exact text to look up.
      return typeof operand === 'string' ? affixKey(name, path, operand) : PRESENT;
    case 'wildcard':
      return wildcardKey(path, operand as string);
    case 'numeric':
      return { kind: 'numeric', path, range: numericRange(operand as readonly unknown[]) };
    case 'exists':
      return operand === false ? ABSENT : PRESENT;
    default:
      // anything-but, equals-ignore-case, cidr: true of some leaves only, which takes a leaf.
      return PRESENT;
  }
}

/** The literal text a wildcard's matches start (or end) with, the longer of the two, if any. */
function wildcardKey(path: Path, pattern: string): IndexKey | typeof PRESENT {
  const segments = parseWildcard(pattern);
  if (segments.length === 1) return exactKey(path, segments[0]!); // no `*`: the text itself
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  if (first === '' && last === '') return PRESENT;
  return first.length >= last.length ? affixKey('prefix', path, first) : affixKey('suffix', path, last);
}

function exactKey(path: Path, value: HintValue): IndexKey {
  const attribute = attributeOf(path);
  if (attribute !== undefined && typeof value === 'string') return { kind: 'exact', attribute, value };
  return { kind: 'pattern', path, value: typeof value === 'number' ? canonicalNumber(value) : value };
}

function affixKey(side: 'prefix' | 'suffix', path: Path, value: string): IndexKey {
  const attribute = attributeOf(path);
  if (attribute !== undefined) return { kind: side, attribute, value };
  return { kind: side === 'prefix' ? 'pattern-prefix' : 'pattern-suffix', path, value };
}

/** The context attribute a path names, when it is one field other than `data`. */
function attributeOf(path: Path): string | undefined {
  return path.length === 1 && path[0] !== 'data' ? path[0] : undefined;
}

const UNBOUNDED: NumericRange = { low: -Infinity, lowInclusive: false, high: Infinity, highInclusive: false };

/** A validated `numeric` operand (pattern/numeric.ts) as a range of millionths. */
function numericRange(operand: readonly unknown[]): NumericRange {
  let range = bounded(UNBOUNDED, operand[0] as string, toMillionths(operand[1] as number));
  if (operand.length === 4) range = bounded(range, operand[2] as string, toMillionths(operand[3] as number));
  return range;
}

function bounded(range: NumericRange, operator: string, bound: number): NumericRange {
  switch (operator) {
    case '=':
      return { low: bound, lowInclusive: true, high: bound, highInclusive: true };
    case '<':
    case '<=':
      return { ...range, high: bound, highInclusive: operator === '<=' };
    default: // '>', '>='
      return { ...range, low: bound, lowInclusive: operator === '>=' };
  }
}

function distinct(keys: readonly IndexKey[]): IndexKey[] {
  const seen = new Set<string>();
  return keys.filter((key) => {
    const id = keyId(key);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
