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
  // The summary line predates connectors as plugins; it counts webhook Sources, as it always has.
  const webhooks = config?.connectors.filter((c) => c.connector.kind === 'webhook').length ?? 0;
  process.stdout.write(
    `${dir}: valid (${config?.subscriptions.length ?? 0} subscriptions, ${webhooks} webhook sources)\n`,
  );
  return 0;
}
