/**
 * The reference every matcher of the rule-set benchmark must agree with before any timing counts:
 * the naive evaluator (NaiveRouter, every rule's filters compiled with the build's dialects and
 * run one at a time, no index), on every event, for every rule.
 */
import { eventFromJson } from '../../broker/cloudevents/json-format.js';
import { compileFilters } from '../../broker/filters/compile.js';
import { EXTRA_DIALECTS } from '../../broker/filters/dialects.js';
import { NaiveRouter } from '../../broker/router/router.js';
import type { Rule } from './rules.js';

/** For each event (JSON text), the ids of the rules it matches, ascending. */
export function referenceMatches(texts: readonly string[], rules: readonly Rule[]): number[][] {
  const naive = new NaiveRouter(
    rules.map((rule, i) => ({
      name: String(i),
      filters: rule.filters,
      predicate: compileFilters(
        rule.filters,
        [i],
        (path, message) => {
          throw new Error(`rule ${path.join('/')} does not compile: ${message}`);
        },
        EXTRA_DIALECTS,
      ),
    })),
  );
  // Configuration order is id order: the answer is already ascending.
  return texts.map((text) => naive.match(eventFromJson(JSON.parse(text))).map(Number));
}

/** One (event, rule) pair a matcher decided differently from the reference. */
export interface Disagreement {
  event: number;
  rule: number;
  /** `missed`: the reference matches, the matcher did not; `extra`: the other way round. */
  how: 'missed' | 'extra';
}

/** Compares a matcher's answers for the first `ruleCount` rules with the reference's. */
export function disagreements(
  got: readonly (readonly number[])[],
  expected: readonly (readonly number[])[],
  ruleCount: number,
): Disagreement[] {
  if (got.length !== expected.length) {
    throw new Error(`answers for ${got.length} events, expected ${expected.length}`);
  }
  const found: Disagreement[] = [];
  expected.forEach((all, event) => {
    const want = new Set(all.filter((rule) => rule < ruleCount));
    const have = new Set(got[event]);
    for (const rule of want) if (!have.has(rule)) found.push({ event, rule, how: 'missed' });
    for (const rule of have) if (!want.has(rule)) found.push({ event, rule, how: 'extra' });
  });
  return found;
}

/** A message naming each disagreeing event and rule in full (the first `limit` of them). */
export function describeDisagreements(
  matcher: string,
  ruleCount: number,
  found: readonly Disagreement[],
  texts: readonly string[],
  rules: readonly Rule[],
  limit = 10,
): string {
  const lines = [
    `${matcher} disagrees with the naive evaluator on ${found.length} (event, rule) pairs at ${ruleCount} rules:`,
  ];
  for (const { event, rule, how } of found.slice(0, limit)) {
    lines.push(
      `  event ${event} and rule r${rule} (${rules[rule]!.kind}): ${how === 'missed' ? 'the reference matches, it does not' : 'it matches, the reference does not'}`,
      `    rule:  ${JSON.stringify(rules[rule]!.filters)}`,
      `    event: ${texts[event]}`,
    );
  }
  if (found.length > limit) lines.push(`  ... and ${found.length - limit} more`);
  return lines.join('\n');
}
