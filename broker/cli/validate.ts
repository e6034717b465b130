import type { RuntimeConfig } from '../compile/compile.js';
import { readConfig } from '../compile/read.js';
import { formatProblem } from '../config/problem.js';
import type { PluginSet } from '../ports/plugins.js';

/** Checks every manifest; secrets are checked for their form only (their values may live elsewhere). */
export function runValidate(dir: string, plugins: PluginSet): number {
  let result: ReturnType<typeof readConfig>;
  try {
    result = readConfig(dir, 'form', plugins);
  } catch (err) {
    // Every known fault of a manifest is a positioned problem; anything else is still one line
    // for the user, not a stack trace.
    process.stdout.write(`${dir}: cannot validate: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const { problems, config } = result;
  if (problems.length > 0) {
    for (const p of problems) process.stdout.write(`${formatProblem(p)}\n`);
    return 1;
  }
  process.stdout.write(`${dir}: valid (${config ? summary(config, plugins) : 'nothing to run'})\n`);
  return 0;
}

/**
 * What a valid configuration holds: `2 subscriptions, 3 sources: 1 webhook, 2 mqtt`, every
 * Source kind in the order the build registers them, and the EventSchemas when there are any.
 */
export function summary(config: RuntimeConfig, plugins: PluginSet): string {
  const byKind = new Map<string, number>();
  for (const { connector } of config.connectors)
    byKind.set(connector.kind, (byKind.get(connector.kind) ?? 0) + 1);
  const kinds = [
    ...plugins.connectors.map((c) => c.kind).filter((kind) => byKind.has(kind)),
    ...[...byKind.keys()].filter((kind) => !plugins.connectors.some((c) => c.kind === kind)),
  ];
  const sources = config.connectors.length;
  const parts = [
    count(config.subscriptions.length, 'subscription'),
    sources === 0
      ? 'no sources'
      : `${count(sources, 'source')}: ${kinds.map((kind) => `${byKind.get(kind)} ${kind}`).join(', ')}`,
  ];
  if (config.schemas.size > 0) parts.push(count(config.schemas.size, 'event schema'));
  return parts.join(', ');
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
