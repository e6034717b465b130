/**
 * `npm run bench`: every benchmark, each printed beside the raw baseline measured in the same
 * run. `npm run bench -- ingest matcher` runs only the named ones.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = new Set(process.argv.slice(2));
const want = (name: string) => wanted.size === 0 || wanted.has(name);

interface ConnectorRow {
  name: string;
  brokerPerSec: number;
  baselinePerSec: number;
  ratio: number;
}

if (want('ingest')) {
  const { runIngestBench, printIngestRows } = await import('./ingest.js');
  printIngestRows(await runIngestBench());
}

if (want('matcher')) {
  const matcher = (await import('./matcher.js')) as {
    runMatcherBench(options?: object): Promise<unknown> | unknown;
    printMatcherRows?(rows: unknown): void;
  };
  const rows = await matcher.runMatcherBench();
  if (matcher.printMatcherRows) matcher.printMatcherRows(rows);
  else console.log(rows);
}

for (const kind of ['mqtt', 'kafka', 'nats'] as const) {
  if (!want(kind) || !existsSync(join(here, `${kind}.ts`))) continue;
  const module = (await import(`./${kind}.js`)) as Record<
    string,
    (options?: object) => Promise<ConnectorRow[]>
  >;
  const run = module[`run${kind[0]!.toUpperCase()}${kind.slice(1)}Bench`];
  if (!run) continue;
  const rows = await run();
  console.log(
    `\n${kind}: messages/s from the broker to a local HTTP function (baseline: the same client library posting each message, no storage)`,
  );
  console.log('| scenario | trigger-broker msg/s | baseline msg/s | ratio |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${Math.round(r.brokerPerSec).toLocaleString('en-US')} | ${Math.round(r.baselinePerSec).toLocaleString('en-US')} | ${r.ratio.toFixed(2)} |`,
    );
  }
}
