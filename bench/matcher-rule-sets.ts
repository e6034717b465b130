/**
 * The matcher on rule sets shaped like real EventBridge rule sets (issue 17), side by side with
 * aws/event-ruler on the same rules and events, in the same run:
 *
 *   node --import tsx bench/matcher-rule-sets.ts [--sizes 10,100,1000,10000] [--rounds 7]
 *     [--seconds 1] [--warmup 5] [--keep]      (also part of `npm run bench -- matcher`)
 *
 * The workload (bench/rule-sets/events.ts and rules.ts: seeded, documented there) is written to a
 * temporary folder as JSON lines, and every matcher reads those same files. Each matcher runs
 * for each size in a process of its own: ours through `trigger-broker/matcher`
 * (broker/matcher/index.ts) in Node, event-ruler (bench/event-ruler/, version pinned in its
 * pom.xml) in a JVM with `Machine.rulesForJSONEvent(String)`.
 *
 * Nothing is timed until every matcher has agreed with the naive evaluator (every rule's compiled
 * filters, one at a time) on every (event, rule) pair: ours from JSON text and from parsed events,
 * event-ruler from JSON text. A disagreement fails the benchmark, naming the event and the rule.
 *
 * Then each process warms up (`--warmup` seconds of matching: the JVM's JIT compilers need
 * seconds), and the sizes are timed in `--rounds` interleaved rounds: each round visits every
 * size and, within it, event-ruler, ours from text and ours from parsed events, in an order that
 * rotates from round to round, `--seconds` each. With taskset and two cores, every matcher
 * process (all its threads: JIT, GC) runs on core 1, so each gets the same one core. Reported:
 * min / median / max events/s, the ratio of medians to event-ruler, and the slowdown from the
 * smallest to the largest set.
 */
import { rmSync } from 'node:fs';
import { type EventRuler, prepareEventRuler, startEventRuler, startOurs } from './rule-sets/contestants.js';
import { generateEvents } from './rule-sets/events.js';
import type { LineProcess, Mode } from './rule-sets/line-process.js';
import { describeDisagreements, disagreements, referenceMatches } from './rule-sets/reference.js';
import { generateRules, type RuleKind } from './rule-sets/rules.js';
import { writeWorkload } from './rule-sets/workload-files.js';
import { canPin, isMain, loadAverage, median, numberFlag } from './support.js';

/** Seeds of the workload: change them and every figure changes. */
const EVENT_SEED = 1;
const RULE_SEED = 2;
/** The core every matcher process is pinned to, when it can be; the other is left to the rest of the machine. */
const MATCHER_CORE = 1;

export interface RuleSetOptions {
  sizes?: number[];
  rounds?: number;
  /** Seconds per timed slice. */
  seconds?: number;
  /** Seconds of matching per process before any timing. */
  warmupSeconds?: number;
  events?: number;
  /** Keep the workload folder (its path is printed). */
  keep?: boolean;
}

/** One matcher's rates over the rounds, events/s. */
type Rates = number[];

export interface RuleSetRow {
  rules: number;
  matchesPerEvent: number;
  eventRuler: Rates | undefined;
  oursText: Rates;
  oursParsed: Rates;
}

export interface RuleSetResult {
  rows: RuleSetRow[];
  eventRuler: EventRuler;
  events: number;
  kinds: Record<RuleKind, number>;
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  pinned: string;
  checkedPairs: number;
  dir: string;
  load: { start: string; end: string };
}

/** One size's processes, checked and warmed up. */
interface SizeContestants {
  rules: number;
  ours: LineProcess;
  ruler: LineProcess | undefined;
}

export async function runRuleSetBench(options: RuleSetOptions = {}): Promise<RuleSetResult> {
  const sizes = options.sizes ?? [10, 100, 1_000, 10_000];
  const rounds = options.rounds ?? 7;
  const seconds = options.seconds ?? 1;
  const warmupSeconds = options.warmupSeconds ?? 5;
  const largest = Math.max(...sizes);
  const events = generateEvents(options.events ?? 1_000, EVENT_SEED);
  const rules = generateRules(largest, RULE_SEED);
  const files = writeWorkload(events, rules);
  const load = { start: loadAverage(), end: '' };
  const expected = referenceMatches(files.texts, rules);
  const eventRuler = prepareEventRuler();
  const core = canPin() ? MATCHER_CORE : undefined;

  const started: LineProcess[] = [];
  const start = async (child: LineProcess) => {
    started.push(child);
    await child.ready();
    return child;
  };
  try {
    // Started and checked one at a time: each process loads and compiles on the same core.
    const contestants: SizeContestants[] = [];
    const failures: string[] = [];
    let checkedPairs = 0;
    for (const size of sizes) {
      const check = async (child: LineProcess, mode: Mode) => {
        const found = disagreements(await child.matches(mode), expected, size);
        checkedPairs += files.texts.length * size;
        const name = `${child.label}, from ${mode === 'text' ? 'JSON text' : 'parsed events'}`;
        if (found.length > 0) failures.push(describeDisagreements(name, size, found, files.texts, rules));
      };
      const ours = await start(startOurs(files.dir, size, core));
      await check(ours, 'text');
      await check(ours, 'parsed');
      const ruler = eventRuler.available
        ? await start(startEventRuler(eventRuler, files.dir, size, core))
        : undefined;
      if (ruler) await check(ruler, 'text');
      contestants.push({ rules: size, ours, ruler });
    }
    if (failures.length > 0) throw new Error(`matchers disagree; nothing was timed.\n${failures.join('\n')}`);

    for (const { ours, ruler } of contestants) {
      await ours.run('text', warmupSeconds / 2);
      await ours.run('parsed', warmupSeconds / 2);
      if (ruler) await ruler.run('text', warmupSeconds);
    }

    const rates = contestants.map(() => ({ ruler: [] as Rates, text: [] as Rates, parsed: [] as Rates }));
    for (let round = 0; round < rounds; round++) {
      for (const [i, { ours, ruler }] of contestants.entries()) {
        const slices: (() => Promise<void>)[] = [
          async () => {
            if (ruler) rates[i]!.ruler.push((await ruler.run('text', seconds)).eventsPerSec);
          },
          async () => {
            rates[i]!.text.push((await ours.run('text', seconds)).eventsPerSec);
          },
          async () => {
            rates[i]!.parsed.push((await ours.run('parsed', seconds)).eventsPerSec);
          },
        ];
        // Rotated from round to round, so that no matcher always runs right after another.
        for (let k = 0; k < slices.length; k++) await slices[(k + round) % slices.length]!();
      }
    }
    load.end = loadAverage();

    const kinds = { exact: 0, prefix: 0, content: 0, or: 0 } satisfies Record<RuleKind, number>;
    for (const rule of rules) kinds[rule.kind]++;
    return {
      rows: contestants.map(({ rules: count }, i) => ({
        rules: count,
        matchesPerEvent:
          expected.reduce((sum, ids) => sum + ids.filter((id) => id < count).length, 0) / events.length,
        eventRuler: eventRuler.available ? rates[i]!.ruler : undefined,
        oursText: rates[i]!.text,
        oursParsed: rates[i]!.parsed,
      })),
      eventRuler,
      events: events.length,
      kinds,
      rounds,
      seconds,
      warmupSeconds,
      pinned: core === undefined ? 'not pinned (no taskset or one core)' : `pinned to core ${core} (taskset)`,
      checkedPairs,
      dir: files.dir,
      load,
    };
  } finally {
    await Promise.all(started.map((child) => child.close()));
    if (!options.keep) rmSync(files.dir, { recursive: true, force: true });
  }
}

/** 3 significant digits with k / M, as the table writes rates: 327k, 26.9k, 3.34k. */
function compact(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (value >= 1e3) return `${(value / 1e3).toPrecision(3)}k`;
  return value.toPrecision(3);
}

function spreadOf(rates: Rates | undefined): string {
  if (!rates || rates.length === 0) return '–';
  return `${compact(Math.min(...rates))} / **${compact(median(rates))}** / ${compact(Math.max(...rates))}`;
}

function ratio(ours: Rates, theirs: Rates | undefined): string {
  if (!theirs || theirs.length === 0) return '–';
  return `${(median(ours) / median(theirs)).toFixed(2)}×`;
}

export function printRuleSetResult(result: RuleSetResult): void {
  const { rows, eventRuler } = result;
  const rulerName = `aws/event-ruler ${eventRuler.version}`;
  const total = Object.values(result.kinds).reduce((sum, n) => sum + n, 0);
  const share = (n: number) => `${Math.round((100 * n) / total)} %`;
  console.log(
    `\nmatcher on EventBridge-style rule sets (issue 17): events/s matched on one core, min / **median** / max of ${result.rounds} interleaved rounds of ${result.seconds} s, after ${result.warmupSeconds} s of warm-up per process`,
  );
  console.log(
    `${result.events} CloudEvents; rules ${share(result.kinds.exact)} exact, ${share(result.kinds.prefix)} prefix, ${share(result.kinds.content)} content, ${share(result.kinds.or)} $or (each set a prefix of the next); ` +
      `before timing, every matcher agreed with the naive evaluator on every (event, rule) pair (${result.checkedPairs.toLocaleString('en-US')} decisions checked)`,
  );
  if (eventRuler.available)
    console.log(`${rulerName} on Java ${eventRuler.java}, default JVM settings; matchers ${result.pinned}`);
  else console.log(`${rulerName} NOT RUN: ${eventRuler.reason}\nmatchers ${result.pinned}`);
  console.log(
    `| rules | matches/event | ${rulerName} (Java), from JSON text | trigger-broker, from JSON text | ratio | trigger-broker, from parsed events | ratio |`,
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const row of rows) {
    console.log(
      `| ${row.rules.toLocaleString('en-US')} | ${row.matchesPerEvent.toFixed(2)} | ${spreadOf(row.eventRuler)} | ` +
        `${spreadOf(row.oursText)} | ${ratio(row.oursText, row.eventRuler)} | ${spreadOf(row.oursParsed)} | ${ratio(row.oursParsed, row.eventRuler)} |`,
    );
  }
  const first = rows[0];
  const last = rows.at(-1);
  if (first && last && first !== last) {
    const slowdown = (a: Rates | undefined, b: Rates | undefined) =>
      a && b && a.length > 0 && b.length > 0 ? `${(median(a) / median(b)).toFixed(1)}×` : '–';
    console.log(
      `slowdown from ${first.rules.toLocaleString('en-US')} to ${last.rules.toLocaleString('en-US')} rules (medians): ` +
        `event-ruler ${slowdown(first.eventRuler, last.eventRuler)}, trigger-broker ${slowdown(first.oursText, last.oursText)} from JSON text, ` +
        `${slowdown(first.oursParsed, last.oursParsed)} from parsed events`,
    );
  }
  console.log(`load average ${result.load.start} at the start, ${result.load.end} at the end`);
}

if (isMain(import.meta.url)) {
  const sizes = process.argv.includes('--sizes')
    ? process.argv[process.argv.indexOf('--sizes') + 1]!.split(',').map(Number)
    : undefined;
  const keep = process.argv.includes('--keep');
  const result = await runRuleSetBench({
    ...(sizes ? { sizes } : {}),
    ...(numberFlag('rounds') !== undefined ? { rounds: numberFlag('rounds')! } : {}),
    ...(numberFlag('seconds') !== undefined ? { seconds: numberFlag('seconds')! } : {}),
    ...(numberFlag('warmup') !== undefined ? { warmupSeconds: numberFlag('warmup')! } : {}),
    keep,
  });
  printRuleSetResult(result);
  if (keep) console.log(`workload kept in ${result.dir}`);
}
