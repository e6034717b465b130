/**
 * Durable ingest: events/s answered 202 by `POST /events` of the real broker (CLI child
 * process, embedded SQLite store, fsync per group commit), beside a bare fastify route that
 * answers 202 without storing, under the same load from autocannon in this process.
 *
 *   node --import tsx bench/ingest.ts [--seconds 10] [--connections 64]
 */
import { join } from 'node:path';
import autocannon from 'autocannon';
import {
  isMain,
  MATCH_NOTHING,
  numberFlag,
  ROOT,
  startNodeProcess,
  stopProcess,
  UNLIMITED_PENDING,
  withBroker,
} from './support.js';

export interface IngestRow {
  scenario: string;
  brokerEventsPerSec: number;
  baselineEventsPerSec: number;
  ratio: number;
  brokerErrors: number;
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

/** The baseline: bench/baseline-server.mjs, a bare fastify route in a process of its own, like the broker. */
async function startBaselineServer() {
  const { child, found: url } = await startNodeProcess(
    [join(ROOT, 'bench', 'baseline-server.mjs')],
    (line) => {
      try {
        const logged = JSON.parse(line) as Record<string, unknown>;
        return logged['msg'] === 'listening' ? String(logged['address']) : undefined;
      } catch {
        return undefined; // not JSON
      }
    },
  );
  return { child, url };
}

export async function runIngestBench(
  options: { seconds?: number; connections?: number } = {},
): Promise<IngestRow[]> {
  const seconds = options.seconds ?? 10;
  const connections = options.connections ?? 64;
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
  for (const scenario of scenarios) {
    const baseline = await startBaselineServer();
    const base = await load(baseline.url, scenario.request, seconds, connections);
    await stopProcess(baseline.child);
    for (const synchronous of scenario.stores) {
      const config = {
        broker: {
          store: { synchronous },
          limits: { ...UNLIMITED_PENDING, maxBodyBytes: 16_777_216 },
        },
        // One subscription whose filter every benchmark event fails: routing runs, delivery does not.
        subscription: MATCH_NOTHING,
      };
      const measured = await withBroker(config, (broker) =>
        load(broker.url, scenario.request, seconds, connections),
      );
      rows.push({
        scenario: `${scenario.name}, store synchronous=${synchronous}`,
        brokerEventsPerSec: Math.round(measured.requestsPerSec * scenario.perRequest),
        baselineEventsPerSec: Math.round(base.requestsPerSec * scenario.perRequest),
        ratio: measured.requestsPerSec / base.requestsPerSec,
        brokerErrors: measured.non2xx + measured.errors,
      });
    }
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

if (isMain(import.meta.url)) {
  const seconds = numberFlag('seconds');
  const connections = numberFlag('connections');
  printIngestRows(
    await runIngestBench({ ...(seconds ? { seconds } : {}), ...(connections ? { connections } : {}) }),
  );
}
