/**
 * The matchers the rule-set benchmark runs, each for one rule-set size in a process of its own
 * (line-process.ts): ours through the library entry point, and aws/event-ruler in a JVM, prepared
 * by bench/event-ruler/prepare.sh (fetched from Maven Central and compiled once, then cached).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support.js';
import { LineProcess } from './line-process.js';

const EVENT_RULER_DIR = join(ROOT, 'bench', 'event-ruler');

/** ours: node --import tsx bench/rule-sets/ours-process.ts <dir> <count>, from the repository root. */
export function startOurs(dir: string, count: number, core: number | undefined): LineProcess {
  const entry = join(ROOT, 'bench', 'rule-sets', 'ours-process.ts');
  return new LineProcess(
    `trigger-broker (${count} rules)`,
    process.execPath,
    ['--import', 'tsx', entry, dir, String(count)],
    core,
    ROOT,
  );
}

export type EventRuler =
  | { available: true; version: string; java: string; classpath: string }
  | { available: false; version: string; reason: string };

/** event-ruler's jars and the compiled harness, or precisely why they cannot be had here. */
export function prepareEventRuler(): EventRuler {
  const pom = readFileSync(join(EVENT_RULER_DIR, 'pom.xml'), 'utf8');
  const version = /<event-ruler\.version>([^<]+)</.exec(pom)?.[1] ?? '(unknown)';
  let classpath: string;
  try {
    classpath = execFileSync('bash', [join(EVENT_RULER_DIR, 'prepare.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    return { available: false, version, reason: stderr || (error as Error).message };
  }
  // `java -version` writes to stderr; its first line names the runtime.
  const javaVersion = spawnSync('java', ['-version'], { encoding: 'utf8' }).stderr;
  const java = /version "([^"]+)"/.exec(javaVersion)?.[1] ?? 'unknown';
  return { available: true, version, java, classpath };
}

/**
 * event-ruler in a JVM with its default settings (no tuning flags), as an application would run
 * it; its warm-up is the benchmark's, before any timing.
 */
export function startEventRuler(
  ruler: Extract<EventRuler, { available: true }>,
  dir: string,
  count: number,
  core: number | undefined,
): LineProcess {
  return new LineProcess(
    `aws/event-ruler (${count} rules)`,
    'java',
    ['-cp', ruler.classpath, 'RulerBench', dir, String(count)],
    core,
  );
}
