/**
 * Durable ingest: events/s answered 202 by `POST /events` of the real broker (CLI child
 * process, embedded SQLite store, fsync per group commit), beside a bare fastify route that
 * answers 202 without storing, under the same load from autocannon in this process.
 *
 *   node --import tsx bench/ingest.ts [--seconds 10] [--connections 64]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface IngestRow {
  scenario: string;
  brokerEventsPerSec: number;
  baselineEventsPerSec: number;
  ratio: number;
  brokerErrors: number;
}

async function startProcess(
  args: string[],
  ready: (line: Record<string, unknown>) => string | undefined,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
    lines.on('line', (line) => {
      try {
        const found = ready(JSON.parse(line) as Record<string, unknown>);
        if (found) resolve(found);
      } catch {
        // not JSON
      }
    });
  });
  lines.on('line', () => undefined); // keep draining
  return { child, url };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

function singleEvent(): { headers: Record<string, string>; body: string } {
  return {
    headers: {
      'ce-specversion': '1.0',
      'ce-id': 'bench-1',
      'ce-source': '/bench/sensor-7',
      'ce-type': 'com.example.bench.reading',
      'ce-time': '2026-11-23T10:00:00Z',
      'content-type': 'application/json',
    },
    body: JSON.stringify({ deviceId: 'sensor-7', temperature: 21.5, humidity: 40, tags: ['a', 'b'] }),
  };
}

function batch(size: number): { headers: Record<string, string>; body: string } {
  const events = Array.from({ length: size }, (_, i) => ({
    specversion: '1.0',
    id: `bench-${i}`,
    source: '/bench/sensor-7',
    type: 'com.example.bench.reading',
    time: '2026-11-23T10:00:00Z',
    datacontenttype: 'application/json',
    data: { deviceId: 'sensor-7', temperature: 21.5, n: i },
  }));
  return { headers: { 'content-type': 'application/cloudevents-batch+json' }, body: JSON.stringify(events) };
}

async function load(
  url: string,
  request: { headers: Record<string, string>; body: string },
  seconds: number,
  connections: number,
) {
  const result = await autocannon({
    url: `${url}/events`,
    method: 'POST',
    headers: request.headers,
    body: request.body,
    connections,
    duration: seconds,
  });
  return {
    requestsPerSec: result.requests.average,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

export async function runIngestBench(
  options: { seconds?: number; connections?: number } = {},
): Promise<IngestRow[]> {
  const seconds = options.seconds ?? 10;
  const connections = options.connections ?? 64;
  const dir = mkdtempSync(join(tmpdir(), 'tb-bench-'));
  const brokerManifest = (synchronous: 'full' | 'normal') =>
    `apiVersion: trigger-broker/v1\nkind: Broker\nmetadata: { name: bench }\nspec: { store: { synchronous: ${synchronous} }, limits: { maxBodyBytes: 16777216, maxPendingEvents: 1000000 } }\n`;
  // One subscription whose filter every benchmark event fails: routing runs, delivery does not.
  writeFileSync(
    join(dir, 'sub.yaml'),
    'apiVersion: trigger-broker/v1\nkind: Subscription\nmetadata: { name: elsewhere }\nspec: { filters: [ { exact: { type: com.example.other } } ], sink: { uri: "http://127.0.0.1:9/x" } }\n',
  );
  const rows: IngestRow[] = [];
  const scenarios: {
    name: string;
    request: { headers: Record<string, string>; body: string };
    perRequest: number;
    stores: ('normal' | 'full')[];
  }[] = [
    { name: 'single event (binary mode)', request: singleEvent(), perRequest: 1, stores: ['normal', 'full'] },
    { name: 'batch of 100 (batched mode)', request: batch(100), perRequest: 100, stores: ['normal', 'full'] },
  ];
  try {
    for (const scenario of scenarios) {
      const baseline = await startProcess([join(ROOT, 'bench', 'baseline-server.mjs')], (l) =>
        l['msg'] === 'listening' ? String(l['address']) : undefined,
      );
      const base = await load(baseline.url, scenario.request, seconds, connections);
      await stop(baseline.child);
      for (const synchronous of scenario.stores) {
        writeFileSync(join(dir, 'broker.yaml'), brokerManifest(synchronous));
        rmSync(join(dir, 'data'), { recursive: true, force: true });
        const broker = await startProcess(
          [
            join(ROOT, 'bin', 'trigger-broker.js'),
            'start',
            dir,
            '--port',
            '0',
            '--host',
            '127.0.0.1',
            '--data',
            join(dir, 'data'),
            '--log-level',
            'info',
          ],
          (l) =>
            l['msg'] === 'trigger-broker listening' ? `http://127.0.0.1:${String(l['port'])}` : undefined,
        );
        const measured = await load(broker.url, scenario.request, seconds, connections);
        await stop(broker.child);
        rows.push({
          scenario: `${scenario.name}, store synchronous=${synchronous}`,
          brokerEventsPerSec: Math.round(measured.requestsPerSec * scenario.perRequest),
          baselineEventsPerSec: Math.round(base.requestsPerSec * scenario.perRequest),
          ratio: measured.requestsPerSec / base.requestsPerSec,
          brokerErrors: measured.non2xx + measured.errors,
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export function printIngestRows(rows: IngestRow[]): void {
  console.log(
    '\nDurable ingest: POST /events answered 202 once committed (baseline: a bare fastify route answering 202 without storing)',
  );
  console.log('| scenario | broker events/s | baseline events/s | ratio | broker non-2xx/errors |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(
      `| ${r.scenario} | ${r.brokerEventsPerSec.toLocaleString('en-US')} | ${r.baselineEventsPerSec.toLocaleString('en-US')} | ${r.ratio.toFixed(2)} | ${r.brokerErrors} |`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const seconds = arg('seconds');
  const connections = arg('connections');
  printIngestRows(
    await runIngestBench({ ...(seconds ? { seconds } : {}), ...(connections ? { connections } : {}) }),
  );
}
