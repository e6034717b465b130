/**
 * The rule-set workload written to a folder, read by every matcher of the benchmark (ours in
 * Node, event-ruler in a JVM) so that both see byte-for-byte the same input:
 *
 * - `events.jsonl`: one CloudEvent per line, in the JSON format;
 * - `rules.jsonl`: rule i's `filters` list per line (a Subscription's filters: ours);
 * - `event-ruler-rules.jsonl`: rule i in event-ruler's rule language, per line.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventRulerRule } from './event-ruler-rules.js';
import type { JsonEvent } from './events.js';
import type { Rule } from './rules.js';

export interface WorkloadFiles {
  dir: string;
  /** Each event's JSON text, as written. */
  texts: string[];
}

export function writeWorkload(events: readonly JsonEvent[], rules: readonly Rule[]): WorkloadFiles {
  const dir = mkdtempSync(join(tmpdir(), 'trigger-broker-rule-sets-'));
  const texts = events.map((event) => JSON.stringify(event));
  const lines = (items: readonly string[]) => `${items.join('\n')}\n`;
  writeFileSync(join(dir, 'events.jsonl'), lines(texts));
  writeFileSync(join(dir, 'rules.jsonl'), lines(rules.map((rule) => JSON.stringify(rule.filters))));
  writeFileSync(
    join(dir, 'event-ruler-rules.jsonl'),
    lines(rules.map((rule) => eventRulerRule(rule.filters))),
  );
  return { dir, texts };
}
