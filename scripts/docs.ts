/**
 * `npm run docs`: regenerates the manifest schemas and the reference pages from the plugins
 * registered in plugins.ts. `--check` writes nothing and exits 1 when a committed file differs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLUGINS } from '../plugins.js';
import { generateReference } from './reference/generate.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
let stale = 0;
for (const [path, content] of generateReference(PLUGINS)) {
  const file = join(root, path);
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === content) continue;
  stale += 1;
  if (check) process.stderr.write(`${path} differs from what \`npm run docs\` generates\n`);
  else {
    writeFileSync(file, content);
    process.stdout.write(`wrote ${path}\n`);
  }
}
process.exitCode = check && stale > 0 ? 1 : 0;
