import { formatProblem } from '../config/problem.js';
import { readConfig } from '../config/read.js';

/** Checks every manifest; secrets are checked for their form only (their values may live elsewhere). */
export function runValidate(dir: string): number {
  const { problems, config } = readConfig(dir, 'form');
  if (problems.length > 0) {
    for (const p of problems) process.stdout.write(`${formatProblem(p)}\n`);
    return 1;
  }
  process.stdout.write(
    `${dir}: valid (${config?.subscriptions.length ?? 0} subscriptions, ${config?.webhooks.size ?? 0} webhook sources)\n`,
  );
  return 0;
}
