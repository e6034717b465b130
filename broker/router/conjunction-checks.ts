/**
 * The terms of subscriptions whose filter list is a plain conjunction (conjunction-plan.ts), packed
 * for checking an event against one subscription's terms with few memory accesses: its range in one
 * typed array, four integers per term, and the values in one array of flat strings shared between
 * subscriptions. A subscription's compiled predicate is a tree of closures and contexts spread over
 * the heap; with thousands of subscriptions, fetching it costs more than the comparisons it makes.
 *
 * Fields are read exactly as the compiled filters read them: an attribute test reads
 * `attributes[name]` and compares its canonical string (compile.ts); a pattern term reads own
 * properties from the event's JSON form, `data` included, and compares leaves by exact matching
 * (pattern/exact.ts). The one thing the terms cannot say is how a pattern meets an array (a nested
 * pattern must match one element as a whole): on an array the check answers UNDECIDED and the
 * predicate decides.
 */
import { flatString } from '../filters/flat.js';
import { canonicalString, type FilterInput } from '../filters/input.js';
import { isEventObject, ownValue, type Scalar } from '../filters/pattern/event-values.js';
import { canonicalNumber } from '../filters/pattern/index.js';
import type { Term } from './conjunction-plan.js';

/** What the terms say of an event. */
export const NO = 0;
export const YES = 1;
/** An array on a pattern path: only the predicate can tell. */
export const UNDECIDED = 2;
export type Verdict = typeof NO | typeof YES | typeof UNDECIDED;

// Term kinds; NEGATED is or-ed into an attribute kind.
const EXACT = 0;
const PREFIX = 1;
const SUFFIX = 2;
const PATTERN = 3;
const NEGATED = 4;
const KIND_OF = { exact: EXACT, prefix: PREFIX, suffix: SUFFIX } as const;

/**
 * Each term: its kind, its field (an attribute name or a path), and its values: a pattern term's
 * range of accepted values, an attribute term's one value and that value's length.
 */
const KIND = 0;
const FIELD = 1;
const VALUES_FROM = 2;
const VALUES_TO = 3;
/** For attribute terms, in place of VALUES_TO (their one value is at VALUES_FROM): its length. */
const LENGTH = 3;
const TERM_SIZE = 4;

/** What a pattern path leads to when an array stands on the way. */
const ARRAY = Symbol('array');

export class ConjunctionChecks {
  /** Subscription `id`'s terms are terms[ranges[id] * TERM_SIZE] up to terms[ranges[id + 1] * TERM_SIZE]. */
  private readonly ranges: Int32Array;
  private readonly terms: Int32Array;
  /** Attribute names (attribute terms) and field paths (pattern terms), each stored once. */
  private readonly names: string[] = [];
  private readonly paths: (readonly string[])[] = [];
  private readonly values: Scalar[] = [];

  /** @param termsById the terms of each subscription id, undefined for those not checked here */
  constructor(termsById: readonly (readonly Term[] | undefined)[]) {
    const fieldIndex = new Map<string, number>();
    const field = (key: string, add: () => number): number => {
      let index = fieldIndex.get(key);
      if (index === undefined) {
        index = add();
        fieldIndex.set(key, index);
      }
      return index;
    };
    this.ranges = new Int32Array(termsById.length + 1);
    const packed: number[] = [];
    termsById.forEach((terms, id) => {
      // Attribute terms first: they compare what is at hand, and a pattern term may parse the data.
      const ordered = [...(terms ?? [])].sort(
        (a, b) => Number(a.kind === 'pattern') - Number(b.kind === 'pattern'),
      );
      for (const term of ordered) {
        const from = this.values.length;
        if (term.kind === 'pattern') {
          const path = term.path.map(flatString);
          for (const value of term.values)
            this.values.push(typeof value === 'string' ? flatString(value) : value);
          packed.push(
            PATTERN,
            field(`p${JSON.stringify(path)}`, () => this.paths.push(path) - 1),
            from,
            this.values.length,
          );
        } else {
          const name = flatString(term.attribute);
          const value = flatString(term.value);
          this.values.push(value);
          packed.push(
            KIND_OF[term.kind] | (term.negated ? NEGATED : 0),
            field(`a${name}`, () => this.names.push(name) - 1),
            from,
            value.length,
          );
        }
      }
      this.ranges[id + 1] = packed.length / TERM_SIZE;
    });
    this.terms = Int32Array.from(packed);
  }

  /** Whether subscription `id` has terms here. */
  has(id: number): boolean {
    return this.ranges[id + 1]! > this.ranges[id]!;
  }

  /** What subscription `id`'s terms say of the event: every term must hold. */
  check(id: number, input: FilterInput): Verdict {
    const terms = this.terms;
    let undecided = false;
    for (
      let t = this.ranges[id]! * TERM_SIZE, end = this.ranges[id + 1]! * TERM_SIZE;
      t < end;
      t += TERM_SIZE
    ) {
      const kind = terms[t + KIND]!;
      if (kind === PATTERN) {
        const leaf = leafAt(this.paths[terms[t + FIELD]!]!, input);
        if (leaf === ARRAY) undecided = true;
        else if (!this.holdsOneOf(leaf, terms[t + VALUES_FROM]!, terms[t + VALUES_TO]!)) return NO;
        continue;
      }
      const value = input.attributes[this.names[terms[t + FIELD]!]!];
      let holds = false;
      if (value !== undefined) {
        const text = canonicalString(value);
        const test = kind & ~NEGATED;
        const length = terms[t + LENGTH]!;
        // The length is kept in the term itself: most events that fail a term fail it on the
        // length, without the expected string being fetched.
        holds =
          (test === EXACT ? text.length === length : text.length >= length) &&
          compareAttribute(test, text, this.values[terms[t + VALUES_FROM]!] as string);
      }
      if (holds === ((kind & NEGATED) !== 0)) return NO;
    }
    return undecided ? UNDECIDED : YES;
  }

  /** Exact matching of one leaf (pattern/exact.ts): types never cross, numbers by canonical form. */
  private holdsOneOf(leaf: unknown, from: number, to: number): boolean {
    if (leaf === undefined || (typeof leaf === 'object' && leaf !== null)) return false; // no leaf
    const probe = typeof leaf === 'number' ? canonicalNumber(leaf) : leaf;
    for (let i = from; i < to; i++) if (this.values[i] === probe) return true;
    return false;
  }
}

function compareAttribute(kind: number, value: string, expected: string): boolean {
  if (kind === EXACT) return value === expected;
  return kind === PREFIX ? value.startsWith(expected) : value.endsWith(expected);
}

/**
 * The value at `path` in the event's JSON form (attributes at the top, plus `data`), read as a
 * pattern reads it: own properties, through objects only. A step that is not an object has no
 * fields (a nested pattern then sees an empty object): undefined. An array: ARRAY.
 */
function leafAt(path: readonly string[], input: FilterInput): unknown {
  const first = path[0]!;
  let value = first === 'data' ? input.data() : ownValue(input.attributes, first);
  for (let i = 1; i < path.length; i++) {
    if (Array.isArray(value)) return ARRAY;
    if (!isEventObject(value)) return undefined;
    value = ownValue(value, path[i]!);
  }
  return Array.isArray(value) ? ARRAY : value;
}
