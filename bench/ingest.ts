/**
 * Durable ingest: events/s answered 202 by `POST /events` of the real broker (CLI child
 * process, embedded SQLite store, fsync per group commit), beside a bare fastify route that
 * answers 202 without storing, under the same load from autocannon in this process.
 *
 * autocannon runs in this one Node thread and saturates near 14,000 requests/s on this machine,
 * about what the bare fastify baseline reached, so the table cannot tell whether the baseline
 * or the load generator was the limit. So the single-event scenario is measured again with wrk
 * (`ingest-wrk`, below), a C program with an event loop per thread: the same request,
 * 2 threads, 64 connections, 10 s; bare fastify, the broker with
 * `synchronous: normal` and with `full`, interleaved in 5 rounds, each from a fresh process (and
 * store); min / median / max over the rounds, ratios taken within a round. The side under test
 * runs alone on core 0 and wrk on core 1 (taskset, when there are two cores); the CPU each used
 * during the load window is printed beside, to show which one was the limit, with the time the
 * side's event loop waited for a CPU and the CPU everything else on this shared machine used
 * meanwhile (support.ts).
 *
 *   node --import tsx bench/ingest.ts [--seconds 10] [--connections 64]
 *   node --import tsx bench/ingest.ts --wrk [--runs 5] [--seconds 10]     (npm run bench -- ingest-wrk)
 */
import { availableParallelism } from 'node:os';
import autocannon from 'autocannon';
import {
  affinity,
  canPin,
  cpuSeconds,
  isMain,
  loadAverage,
  MATCH_NOTHING,
  machineCpuSeconds,
  median,
  numberFlag,
  pin,
  runQueueWaitSeconds,
  spread,
  startScriptServer,
  stopProcess,
  UNLIMITED_PENDING,
  withBroker,
} from './support.js';
import { haveWrk, runWrk, staticRequestScript, WRK_MISSING } from './wrk.js';

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
function startBaselineServer() {
  return startScriptServer('baseline-server.mjs');
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

// ---------------------------------------------------------------------------------------------
// The wrk variant (ingest-wrk): single events, a generator that is not the limit

const WRK_THREADS = 2;
const SUT_CORE = '0';
const LOAD_CORE = '1';

export interface IngestWrkRow {
  scenario: string;
  /** Per round: events/s answered 2xx. */
  perSec: number[];
  /** Per round: this side / bare fastify of the same round (1 for the baseline itself). */
  ratios: number[];
  failed: number;
  /** Per round: CPU during the load window, as a share of one core. */
  sideCpu: number[];
  /** Per round: the side's main thread's time waiting for a CPU, as a share of the load window. */
  sideWait: number[];
  wrkCpu: number[];
  /** Per round: everything else the machine ran during the load window, and the hypervisor's steal. */
  othersCpu: number[];
  steal: number[];
}

export interface IngestWrkResult {
  runs: number;
  seconds: number;
  connections: number;
  rows: IngestWrkRow[];
  cores: string;
  load: { start: string; end: string };
}

/** One wrk load against a side already started (pinned to SUT_CORE): its rate and both CPU shares. */
async function wrkLoad(url: string, pid: number, seconds: number, connections: number) {
  const { headers, body } = singleEvent();
  const before = cpuSeconds(pid);
  const waitBefore = runQueueWaitSeconds(pid);
  const machineBefore = machineCpuSeconds();
  const selfBefore = process.cpuUsage();
  const result = await runWrk({
    url,
    script: staticRequestScript('/events', headers, body),
    threads: WRK_THREADS,
    connections,
    seconds,
  });
  const window = (result.endedUs - result.startedUs) / 1e6;
  const sideUsed = cpuSeconds(pid) - before;
  const machine = machineCpuSeconds();
  const self = (({ user, system }) => (user + system) / 1e6)(process.cpuUsage(selfBefore));
  const others = machine.busy - machineBefore.busy - sideUsed - result.cpuSeconds - self;
  return {
    perSec: result.ok / result.seconds,
    failed: result.non2xx + result.errors,
    sideCpu: sideUsed / window,
    sideWait: (runQueueWaitSeconds(pid) - waitBefore) / window,
    wrkCpu: result.cpuSeconds / window,
    othersCpu: Math.max(0, others) / window,
    steal: (machine.steal - machineBefore.steal) / window,
  };
}

export async function runIngestWrkBench(
  options: { runs?: number; seconds?: number; connections?: number } = {},
): Promise<IngestWrkResult | undefined> {
  if (!haveWrk()) {
    console.log(`\ningest-wrk: ${WRK_MISSING}`);
    return undefined;
  }
  const runs = options.runs ?? 5;
  const seconds = options.seconds ?? 10;
  const connections = options.connections ?? 64;
  const pinned = canPin();
  const names = [
    'bare fastify 202 (baseline)',
    'single event (binary mode), store synchronous=normal',
    'single event (binary mode), store synchronous=full',
  ];
  const rows: IngestWrkRow[] = names.map((scenario) => ({
    scenario,
    perSec: [],
    ratios: [],
    failed: 0,
    sideCpu: [],
    sideWait: [],
    wrkCpu: [],
    othersCpu: [],
    steal: [],
  }));
  const record = (row: IngestWrkRow, m: Awaited<ReturnType<typeof wrkLoad>>) => {
    row.perSec.push(m.perSec);
    row.failed += m.failed;
    row.sideCpu.push(m.sideCpu);
    row.sideWait.push(m.sideWait);
    row.wrkCpu.push(m.wrkCpu);
    row.othersCpu.push(m.othersCpu);
    row.steal.push(m.steal);
  };
  const result: IngestWrkResult = {
    runs,
    seconds,
    connections,
    rows,
    cores: pinned
      ? `cores: the side under test (all its threads) on core ${SUT_CORE}, wrk on core ${LOAD_CORE} (taskset), of ${availableParallelism()}`
      : 'cores: not pinned (no taskset, or one core)',
    load: { start: loadAverage(), end: '' },
  };
  const ownCores = affinity(process.pid);
  if (pinned) pin(process.pid, LOAD_CORE);
  try {
    for (let round = 0; round < runs; round++) {
      process.stderr.write(`[ingest-wrk] round ${round + 1}/${runs} (load ${loadAverage()})\n`);
      const baseline = await startBaselineServer();
      try {
        if (pinned) pin(baseline.child.pid!, SUT_CORE);
        record(rows[0]!, await wrkLoad(baseline.url, baseline.child.pid!, seconds, connections));
      } finally {
        await stopProcess(baseline.child);
      }
      for (const [index, synchronous] of [
        [1, 'normal'],
        [2, 'full'],
      ] as const) {
        const config = {
          broker: { store: { synchronous }, limits: UNLIMITED_PENDING },
          subscription: MATCH_NOTHING,
        };
        const measured = await withBroker(config, async (broker) => {
          if (pinned) pin(broker.child.pid!, SUT_CORE);
          return wrkLoad(broker.url, broker.child.pid!, seconds, connections);
        });
        record(rows[index]!, measured);
      }
      for (const row of rows) row.ratios.push(row.perSec[round]! / rows[0]!.perSec[round]!);
    }
  } finally {
    if (pinned && ownCores !== undefined) pin(process.pid, ownCores);
  }
  result.load.end = loadAverage();
  return result;
}

export function printIngestWrkResult(result: IngestWrkResult | undefined): void {
  if (result === undefined) return;
  const perSec = (value: number) => Math.round(value).toLocaleString('en-US');
  const pct = (value: number) => String(Math.round(value * 100));
  console.log(
    `\nDurable ingest, load from wrk (${WRK_THREADS} threads, ${result.connections} connections, ${result.seconds} s): POST /events answered 202 once committed, beside a bare fastify route answering 202 without storing; min / median / max of ${result.runs} interleaved runs`,
  );
  console.log(
    '| scenario | events/s | ratio to the baseline (within each run) | non-2xx/errors | CPU % of the side under test | its event loop waiting for a CPU % | CPU % of wrk | CPU % of other work on the machine / steal (medians) |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of result.rows) {
    console.log(
      `| ${r.scenario} | ${spread(r.perSec, perSec)} | ${spread(r.ratios, (v) => v.toFixed(2))} | ${r.failed} | ${spread(r.sideCpu, pct)} | ${spread(r.sideWait, pct)} | ${spread(r.wrkCpu, pct)} | ${pct(median(r.othersCpu))} / ${pct(median(r.steal))} |`,
    );
  }
  console.log(
    'the same request as the autocannon table (one binary-mode event, a subscription matching nothing)',
  );
  console.log(result.cores);
  console.log(
    `load average (/proc/loadavg 1, 5, 15 min) at the start ${result.load.start}, at the end ${result.load.end}`,
  );
}

if (isMain(import.meta.url)) {
  const seconds = numberFlag('seconds');
  const connections = numberFlag('connections');
  const runs = numberFlag('runs');
  const common = { ...(seconds ? { seconds } : {}), ...(connections ? { connections } : {}) };
  if (process.argv.includes('--wrk'))
    printIngestWrkResult(await runIngestWrkBench({ ...common, ...(runs ? { runs } : {}) }));
  else printIngestRows(await runIngestBench(common));
}
