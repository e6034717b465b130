/**
 * The child process that holds our matcher for one rule-set size (line-process.ts speaks to it):
 *
 *   node --import tsx bench/rule-sets/ours-process.ts <workload dir> <rule count>
 *
 * It drives the matcher through the library entry point, `trigger-broker/matcher`
 * (broker/matcher/index.ts), as a library user would: from each event's JSON text, or from the
 * value JSON.parse made of it (what the broker holds on its ingest path).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { FilterSpec } from '../../broker/config/types.js';
import { compileMatcher } from '../../broker/matcher/index.js';

const [dir, countText] = process.argv.slice(2);
if (dir === undefined || countText === undefined)
  throw new Error('usage: ours-process.ts <dir> <rule count>');
const count = Number(countText);

const readLines = (file: string) =>
  readFileSync(join(dir, file), 'utf8')
    .split('\n')
    .filter((line) => line !== '');
const rules = readLines('rules.jsonl').slice(0, count);
const texts = readLines('events.jsonl');
const parsed = texts.map((text) => JSON.parse(text) as object);

const matcher = compileMatcher(
  rules.map((line, i) => ({ name: `r${i}`, filters: JSON.parse(line) as FilterSpec[] })),
);

/** Matches for `seconds`, cycling through the events, 16 between clock reads. */
function run(events: readonly (string | object)[], seconds: number): string {
  let sink = 0;
  let done = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < 16; i++) sink += matcher.match(events[(done + i) % events.length]!).length;
    done += 16;
    elapsed = performance.now() - start;
  } while (elapsed < seconds * 1000);
  return `rate ${done / (elapsed / 1000)} ${sink}`;
}

process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  const [command, mode, seconds] = line.split(' ');
  if (command === 'matches') {
    const events = mode === 'parsed' ? parsed : texts;
    const out = events.map(
      (event) =>
        `m ${matcher
          .match(event)
          .map((name) => name.slice(1))
          .join(' ')}`,
    );
    process.stdout.write(`${out.join('\n')}\nend\n`);
  } else if (command === 'run') {
    process.stdout.write(`${run(mode === 'parsed' ? parsed : texts, Number(seconds))}\n`);
  } else {
    throw new Error(`ours-process: unknown command ${JSON.stringify(line)}`);
  }
}
