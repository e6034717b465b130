/**
 * End to end: HTTP in, HTTP function out. Events POSTed to the real broker (CLI child process,
 * `bin/trigger-broker.js start` from the build, store `synchronous: normal` in a temporary data
 * dir, one Subscription of every event to the function, delivery settings left at their
 * defaults: 32 deliveries in flight) are timed to their arrival at a local HTTP function, beside
 * a raw non-durable forwarder (bench/raw-forwarder.mjs: a fastify route that POSTs each request
 * on to the same function with undici and answers 202 once the function has answered) measured
 * the same way in the same run. The ratio broker / forwarder is the figure that counts.
 *
 * The workload, fixed once (not tuned to the result):
 * - Event: one CloudEvent in binary mode, POST /events with `ce-specversion`, `ce-id` (unique in
 *   the run), `ce-source: /bench/e2e`, `ce-type: com.example.bench.reading`, and
 *   `content-type: application/json`, its data a JSON object of exactly 300 bytes (DATA below).
 * - Function: bench/sink-function.mjs, a bare node:http server in a process of its own answering
 *   202 with no body; it counts distinct `ce-id`s, notes when the last new one arrived, and
 *   keeps each `ce-sentat` event's latency; this process asks for the figures over IPC.
 * - Throughput (closed loop): wrk, 2 threads, 64 connections, 10 s, a Lua script that gives each
 *   request its own `ce-id`. Accepted/s: responses 202 over wrk's load window. Delivered/s:
 *   events that reached the function over the time from wrk's start to the last arrival (the
 *   broker keeps delivering its backlog after the load stops; that drain is counted). Also
 *   delivered during the load window alone. The run waits until the function has every event
 *   the broker counted as accepted (its /metrics counter, read after the load) or, for the
 *   forwarder, every event wrk saw a 202 for.
 * - Batched ingest: the same 10 s of wrk against the broker alone, each request a batch of 100
 *   such events (`application/cloudevents-batch+json`, structured events with the same data):
 *   delivered events/s beside the single-event figure of the same run.
 * - Latency (open loop): wrk cannot pace its requests, and autocannon's `overallRate` sends
 *   each second's requests in a burst at the start of the second, so a small generator of our
 *   own (bench/paced-load.ts: HTTP/1.1 written straight to 64 keep-alive sockets, one request in
 *   flight on each, in a process of its own, the `--child pace` role of this file) sends at a
 *   fixed 1,000 and then 5,000 events/s for 10 s: event i is due at start + i / rate and is sent
 *   as soon as a 1 ms timer finds it due and a connection is free, whatever the earlier requests
 *   are doing. It carries its due time in a `ce-sentat` extension header (microseconds of
 *   CLOCK_MONOTONIC, which every process on the machine shares); the function takes its arrival
 *   time on the same clock: latency = arrival - due time, so a generator or a connection that
 *   falls behind makes the figure worse, never better (no coordinated omission). Events due in
 *   the first second are warm-up and left out. The generator reports the rate it kept, how late
 *   it sent (lag) and the time to each 202.
 * - Generator check: wrk, same script and settings, against bare fastify answering 202 with no
 *   work (bench/baseline-server.mjs) in every round. During every load window: CPU used by the
 *   side under test (/proc/PID/stat, all threads), by wrk or the paced generator, and by the
 *   function, each as a share of one core; the time the side's main thread (its event loop) was
 *   runnable but waited for a CPU (/proc/PID/schedstat); and the CPU the rest of the machine used
 *   meanwhile (/proc/stat busy time minus all of the above and this process: other work on
 *   this shared machine) and the hypervisor's steal.
 * - Runs: 5 rounds, each: bare fastify; broker and forwarder single-event throughput; broker
 *   batched; broker and forwarder at 1,000/s, then at 5,000/s. Broker and forwarder alternate
 *   which goes first from round to round. Every measurement starts a fresh process (and store).
 *   Tables print min / median / max over the rounds; ratios are taken within a round.
 * - Cores (with taskset and two or more cores): the side under test (broker, forwarder or bare
 *   fastify, all threads) alone on core 0; wrk, the paced generator, the function and this
 *   process on core 1. Each side gets a whole core and the load side never takes CPU from it;
 *   the CPU columns show whether either core was the limit. `--no-pin` leaves placement to the
 *   kernel.
 * - The load average (/proc/loadavg) is printed at the start and the end: the machine is shared.
 * - The broker is the build in this repository, or in BENCH_BROKER_ROOT (support.ts) when set.
 *
 *   npm run bench -- e2e
 *   node --import tsx bench/e2e.ts [--runs 5] [--seconds 10] [--paced-seconds 10] [--no-pin] [--json FILE]
 *   (--json also writes every run's figures to FILE)
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monotonicUs, type PaceReport, percentile, preparePace } from './paced-load.js';
import {
  affinity,
  canPin,
  cpuSeconds,
  isMain,
  loadAverage,
  machineCpuSeconds,
  median,
  numberFlag,
  pin,
  ROOT,
  runQueueWaitSeconds,
  spread,
  startBroker,
  startScriptServer,
  stopProcess,
  UNLIMITED_PENDING,
  writeBrokerConfig,
} from './support.js';
import { batchScript, haveWrk, runWrk, singleEventScript, WRK_MISSING } from './wrk.js';

const THREADS = 2;
const CONNECTIONS = 64;
const SECONDS = 10;
const RUNS = 5;
const BATCH = 100;
const RATES = [1_000, 5_000];
const PACED_SECONDS = 10;
const WARMUP_SECONDS = 1;
const DRAIN_TIMEOUT_MS = 10 * 60_000;

const SUT_CORE = '0';
const LOAD_CORE = '1';
const THIS_FILE = fileURLToPath(import.meta.url);

// ---------------------------------------------------------------------------------------------
// The event

/** The event's data: a JSON object of exactly 300 bytes. */
export const DATA = (() => {
  const head = '{"deviceId":"sensor-7","temperature":21.5,"humidity":40,"tags":["a","b"],"pad":"';
  const tail = '"}';
  return head + 'x'.repeat(300 - head.length - tail.length) + tail;
})();

const EVENT_HEADERS: Record<string, string> = {
  'content-type': 'application/json',
  'ce-specversion': '1.0',
  'ce-source': '/bench/e2e',
  'ce-type': 'com.example.bench.reading',
};

/** One event of a batch, in the structured JSON format, cut where its id goes. */
const BATCH_EVENT = {
  before: '{"specversion":"1.0","id":"',
  after: `","source":"/bench/e2e","type":"com.example.bench.reading","datacontenttype":"application/json","data":${DATA}}`,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// The function

interface FunctionStats {
  arrived: number;
  /** When the last new event arrived (µs, CLOCK_MONOTONIC); 0 if none did. */
  lastUs: number;
  /** Per event carrying `ce-sentat`: its due time and its latency (µs). */
  sentAt?: number[];
  latencyUs?: number[];
}

/**
 * The HTTP function both sides deliver to: bench/sink-function.mjs, a bare node:http server in a
 * process of its own (on the load core), asked for its counts over IPC.
 */
class SinkFunction {
  url = '';
  private child: ChildProcess | undefined;
  private replies: ((message: Record<string, unknown>) => void)[] = [];

  async start(): Promise<void> {
    const child = fork(join(ROOT, 'bench', 'sink-function.mjs'), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    const [listening] = (await once(child, 'message')) as [{ url: string }];
    this.url = listening.url;
    child.on('message', (message: Record<string, unknown>) => this.replies.shift()?.(message));
  }

  get pid(): number {
    return this.child!.pid!;
  }

  private ask(message: Record<string, unknown>): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      this.replies.push(resolve);
      this.child!.send(message);
    });
  }

  async reset(): Promise<void> {
    await this.ask({ cmd: 'reset' });
  }

  async stats(latencies = false): Promise<FunctionStats> {
    return (await this.ask({ cmd: 'stats', latencies })) as unknown as FunctionStats;
  }

  async close(): Promise<void> {
    if (this.child) await stopProcess(this.child);
  }
}

// ---------------------------------------------------------------------------------------------
// The sides under test

type SideName = 'broker' | 'forwarder' | 'fastify';

interface Side {
  name: SideName;
  url: string;
  pid: number;
  /** Events the side has taken in so far, when it can say (the broker's /metrics counter). */
  accepted(): Promise<number | undefined>;
  /** Delivery attempts that did not succeed (the broker's retries), when it can say. */
  failedAttempts(): Promise<number | undefined>;
  stop(): Promise<void>;
}

let pinned = true;

async function metricsPage(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

function metricSum(page: string, name: string, labelFilter?: RegExp): number {
  let sum = 0;
  for (const m of page.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)`, 'gm'))) {
    if (labelFilter === undefined || labelFilter.test(m[1] ?? '')) sum += Number(m[2]);
  }
  return sum;
}

async function startSide(name: SideName, fn: SinkFunction): Promise<Side> {
  if (name === 'broker') {
    const dir = mkdtempSync(join(tmpdir(), 'tb-bench-e2e-'));
    writeBrokerConfig(join(dir, 'config'), {
      broker: { store: { synchronous: 'normal' }, limits: UNLIMITED_PENDING },
      subscription: { sink: { uri: fn.url } },
    });
    let broker: Awaited<ReturnType<typeof startBroker>> | undefined;
    try {
      broker = await startBroker(join(dir, 'config'), join(dir, 'data'));
      if (pinned) pin(broker.child.pid!, SUT_CORE);
      const deadline = Date.now() + 30_000;
      while ((await fetch(`${broker.url}/readyz`)).status !== 200) {
        if (Date.now() > deadline) throw new Error('the broker did not become ready');
        await sleep(20);
      }
    } catch (err) {
      if (broker) await stopProcess(broker.child);
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const started = broker;
    return {
      name,
      url: started.url,
      pid: started.child.pid!,
      accepted: async () => metricSum(await metricsPage(started.url), 'trigger_broker_events_accepted_total'),
      failedAttempts: async () =>
        metricSum(await metricsPage(started.url), 'trigger_broker_deliveries_total', /outcome="(?!ok")/),
      stop: async () => {
        await stopProcess(started.child);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const { child, url } =
    name === 'forwarder'
      ? await startScriptServer('raw-forwarder.mjs', [fn.url, String(CONNECTIONS)])
      : await startScriptServer('baseline-server.mjs');
  if (pinned) pin(child.pid!, SUT_CORE);
  return {
    name,
    url,
    pid: child.pid!,
    accepted: async () => undefined,
    failedAttempts: async () => undefined,
    stop: () => stopProcess(child),
  };
}

async function withSide<T>(
  name: SideName,
  fn: SinkFunction,
  measure: (side: Side) => Promise<T>,
): Promise<T> {
  const side = await startSide(name, fn);
  try {
    return await measure(side);
  } finally {
    await side.stop();
  }
}

/**
 * Waits until the function has `expected` events (asked again every 500 ms: the broker may
 * still be committing a request whose answer wrk never read) and then 300 ms with no new one.
 */
async function drain(fn: SinkFunction, expected: () => Promise<number>): Promise<{ expected: number }> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  let target = await expected();
  let askedAt = Date.now();
  for (;;) {
    const { arrived } = await fn.stats();
    if (arrived >= target) {
      await sleep(300);
      const again = await expected();
      if ((await fn.stats()).arrived === arrived && again <= arrived)
        return { expected: Math.max(again, target) };
      target = again;
    } else if (Date.now() > deadline) {
      return { expected: target };
    } else {
      await sleep(20);
      if (Date.now() - askedAt >= 500) {
        target = await expected();
        askedAt = Date.now();
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Throughput (wrk)

export interface ThroughputSample {
  acceptedPerSec: number;
  /** Delivered over the time from the load's start to the last arrival. */
  deliveredPerSec: number;
  /** Delivered while the load ran. */
  deliveredInLoadPerSec: number;
  /** Seconds from the load's start to the last arrival. */
  lastDeliverySeconds: number;
  /** Accepted events that never reached the function (within the drain timeout). */
  notDelivered: number;
  /** Broker delivery attempts that failed (retried). */
  failedAttempts: number;
  non2xx: number;
  errors: number;
  cpu: CpuShares & { wrk: number };
}

/**
 * CPU during a load window, each as a share of one core (1 = a whole core for the whole window):
 * the side under test, its time runnable but waiting for a CPU, the function, the
 * generator, and the rest: everything else the machine ran meanwhile (other work on this shared
 * machine) and the hypervisor's steal.
 */
interface CpuShares {
  side: number;
  sideWait: number;
  fn: number;
  others: number;
  steal: number;
}

/** Starts counting CPU for a window; `end(generatorSeconds)` gives the shares. */
function cpuWindow(sidePid: number, fnPid: number): { end(generatorSeconds: number): CpuShares } {
  const side = cpuSeconds(sidePid);
  const wait = runQueueWaitSeconds(sidePid);
  const fn = cpuSeconds(fnPid);
  const self = process.cpuUsage();
  const machine = machineCpuSeconds();
  const at = monotonicUs();
  return {
    end(generatorSeconds) {
      const seconds = (monotonicUs() - at) / 1e6;
      const sideUsed = cpuSeconds(sidePid) - side;
      const fnUsed = cpuSeconds(fnPid) - fn;
      const selfUsed = (({ user, system }) => (user + system) / 1e6)(process.cpuUsage(self));
      const now = machineCpuSeconds();
      const others = now.busy - machine.busy - sideUsed - fnUsed - selfUsed - generatorSeconds;
      return {
        side: sideUsed / seconds,
        sideWait: (runQueueWaitSeconds(sidePid) - wait) / seconds,
        fn: fnUsed / seconds,
        others: Math.max(0, others) / seconds,
        steal: (now.steal - machine.steal) / seconds,
      };
    },
  };
}

async function throughput(
  side: Side,
  fn: SinkFunction,
  script: string,
  perRequest: number,
  seconds: number,
): Promise<ThroughputSample> {
  await fn.reset();
  const window = cpuWindow(side.pid, fn.pid);
  const wrk = await runWrk({
    url: side.url,
    script,
    threads: THREADS,
    connections: CONNECTIONS,
    seconds,
  });
  const loadSeconds = (wrk.endedUs - wrk.startedUs) / 1e6;
  const cpu = { ...window.end(wrk.cpuSeconds), wrk: wrk.cpuSeconds / loadSeconds };
  const inLoad = (await fn.stats()).arrived;
  const accepted = wrk.ok * perRequest;
  let expected = accepted;
  if (side.name !== 'fastify') {
    const counted = side.name === 'broker' ? side.accepted : async () => accepted;
    expected = (await drain(fn, async () => (await counted()) ?? accepted)).expected;
  }
  const { arrived, lastUs } = await fn.stats();
  const last = (lastUs - wrk.startedUs) / 1e6;
  return {
    acceptedPerSec: accepted / wrk.seconds,
    deliveredPerSec: arrived / last,
    deliveredInLoadPerSec: inLoad / loadSeconds,
    lastDeliverySeconds: last,
    notDelivered: side.name === 'fastify' ? 0 : Math.max(0, expected - arrived),
    failedAttempts: (await side.failedAttempts()) ?? 0,
    non2xx: wrk.non2xx,
    errors: wrk.errors,
    cpu,
  };
}

// ---------------------------------------------------------------------------------------------
// Latency at a fixed rate (the paced generator)

/** The `pace` child: sends `rate` events/s for `seconds` to `url`, open loop (bench/paced-load.ts). */
async function pace(url: string, rate: number, seconds: number, prefix: string): Promise<PaceReport> {
  const load = await preparePace({
    url,
    path: '/events',
    headers: EVENT_HEADERS,
    body: DATA,
    rate,
    seconds,
    connections: CONNECTIONS,
    idPrefix: prefix,
    warmupSeconds: WARMUP_SECONDS,
  });
  process.stdout.write('ready\n');
  await once(process.stdin, 'data'); // go
  return load.start();
}

/**
 * Runs the pace role in a process of its own (on this process's cores) and resolves with its
 * report; `onGo` runs as the generator is told to start (once it has loaded).
 */
async function pacedChild(
  url: string,
  rate: number,
  seconds: number,
  prefix: string,
  onGo: () => void,
): Promise<PaceReport> {
  const args = ['--import', 'tsx', THIS_FILE, '--child', 'pace', url, String(rate), String(seconds), prefix];
  const proc: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    if (out === '' && chunk.startsWith('ready\n')) {
      onGo();
      proc.stdin!.end('go\n');
    }
    out += chunk;
  });
  const [code] = (await once(proc, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`bench/e2e.ts --child pace exited with ${code}`);
  return JSON.parse(out.trim().split('\n').pop()!) as PaceReport;
}

export interface LatencySample {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Events measured (after the warm-up). */
  measured: number;
  notDelivered: number;
  non2xx: number;
  errors: number;
  generator: PaceReport;
  /** From the generator's start to its last answer (its own CPU is in `generator`). */
  cpu: CpuShares;
}

async function latency(
  side: Side,
  fn: SinkFunction,
  rate: number,
  seconds: number,
  prefix: string,
): Promise<LatencySample> {
  await fn.reset();
  let window: ReturnType<typeof cpuWindow> | undefined;
  const report = await pacedChild(side.url, rate, seconds, prefix, () => {
    window = cpuWindow(side.pid, fn.pid);
  });
  const cpu = window!.end(report.cpuSeconds);
  const { expected } = await drain(fn, async () => (await side.accepted()) ?? report.ok);
  const stats = await fn.stats(true);
  const from = report.startUs + WARMUP_SECONDS * 1e6;
  const sentAt = stats.sentAt ?? [];
  const measured = (stats.latencyUs ?? []).filter((_, i) => sentAt[i]! >= from).sort((a, b) => a - b);
  return {
    p50Ms: percentile(measured, 0.5) / 1000,
    p99Ms: percentile(measured, 0.99) / 1000,
    maxMs: (measured[measured.length - 1] ?? Number.NaN) / 1000,
    measured: measured.length,
    notDelivered: Math.max(0, expected - stats.arrived),
    non2xx: report.non2xx,
    errors: report.errors,
    generator: report,
    cpu,
  };
}

// ---------------------------------------------------------------------------------------------
// The rounds

export interface E2eResult {
  runs: number;
  seconds: number;
  pacedSeconds: number;
  wrk: boolean;
  fastify: ThroughputSample[];
  broker: ThroughputSample[];
  forwarder: ThroughputSample[];
  batch: ThroughputSample[];
  latency: { rate: number; broker: LatencySample[]; forwarder: LatencySample[] }[];
  cores: string;
  load: { start: string; end: string };
}

export async function runE2eBench(
  options: { runs?: number; seconds?: number; pacedSeconds?: number; pin?: boolean } = {},
): Promise<E2eResult> {
  const runs = options.runs ?? RUNS;
  const seconds = options.seconds ?? SECONDS;
  const pacedSeconds = options.pacedSeconds ?? PACED_SECONDS;
  const wrk = haveWrk();
  if (!wrk) console.log(`\ne2e: ${WRK_MISSING}; only the fixed-rate latency runs are made`);
  pinned = options.pin !== false && canPin();
  const coresHere = availableParallelism();
  const result: E2eResult = {
    runs,
    seconds,
    pacedSeconds,
    wrk,
    fastify: [],
    broker: [],
    forwarder: [],
    batch: [],
    latency: RATES.map((rate) => ({ rate, broker: [], forwarder: [] })),
    cores: pinned
      ? `cores: the side under test (broker, forwarder or bare fastify; all its threads) on core ${SUT_CORE}; wrk, the paced generator, the function and the bench process on core ${LOAD_CORE} (taskset), of ${coresHere}`
      : 'cores: not pinned (--no-pin, no taskset, or one core): every process shares every core',
    load: { start: loadAverage(), end: '' },
  };
  const ownCores = affinity(process.pid);
  if (pinned) pin(process.pid, LOAD_CORE);
  const fn = new SinkFunction();
  await fn.start();
  try {
    for (let round = 0; round < runs; round++) {
      const order: SideName[] = round % 2 === 0 ? ['broker', 'forwarder'] : ['forwarder', 'broker'];
      const tag = `r${round}`;
      const status = (what: string) =>
        process.stderr.write(`[e2e] round ${round + 1}/${runs}: ${what} (load ${loadAverage()})\n`);
      if (wrk) {
        const single = (name: SideName) =>
          singleEventScript('/events', EVENT_HEADERS, DATA, `${tag}-${name}`);
        status('bare fastify');
        result.fastify.push(
          await withSide('fastify', fn, (side) => throughput(side, fn, single('fastify'), 1, seconds)),
        );
        for (const name of order) {
          status(`${name}, single events`);
          const sample = await withSide(name, fn, (side) => throughput(side, fn, single(name), 1, seconds));
          (name === 'broker' ? result.broker : result.forwarder).push(sample);
        }
        status('broker, batches of 100');
        const batch = batchScript('/events', BATCH, BATCH_EVENT, `${tag}-batch`);
        result.batch.push(
          await withSide('broker', fn, (side) => throughput(side, fn, batch, BATCH, seconds)),
        );
      }
      for (const entry of result.latency) {
        for (const name of order) {
          status(`${name}, ${entry.rate.toLocaleString('en-US')} events/s`);
          const sample = await withSide(name, fn, (side) =>
            latency(side, fn, entry.rate, pacedSeconds, `${tag}-${name}-${entry.rate}`),
          );
          (name === 'broker' ? entry.broker : entry.forwarder).push(sample);
        }
      }
    }
  } finally {
    await fn.close();
    if (pinned && ownCores !== undefined) pin(process.pid, ownCores);
  }
  result.load.end = loadAverage();
  return result;
}

// ---------------------------------------------------------------------------------------------
// Printing

const perSec = (value: number) => Math.round(value).toLocaleString('en-US');
const ratio = (value: number) => value.toFixed(2);
const ms = (value: number) => (value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1));
const secs = (value: number) => value.toFixed(1);
const pct = (value: number) => String(Math.round(value * 100));
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** min / median / max of one figure over the runs. */
function col<T>(samples: T[], pick: (sample: T) => number, format: (value: number) => string): string {
  return spread(samples.map(pick), format);
}

/** min / median / max of a figure of `a` divided by the same figure of `b` in the same run. */
function within<T>(a: T[], b: T[], pick: (sample: T) => number): string {
  return spread(
    a.map((s, i) => pick(s) / pick(b[i]!)),
    ratio,
  );
}

const failures = (s: { non2xx: number; errors: number }[]) =>
  `${sum(s.map((x) => x.non2xx))} / ${sum(s.map((x) => x.errors))}`;

function printThroughput(r: E2eResult, n: string): void {
  console.log(
    `\ne2e: single events, HTTP in (POST /events, binary mode, 300-byte data) to an HTTP function out; wrk ${THREADS} threads, ${CONNECTIONS} connections, ${r.seconds} s; ${n}`,
  );
  console.log(
    '| side | accepted/s during load | delivered/s (to the last delivery) | delivered/s during load | last delivery after s | not delivered | non-2xx / errors | CPU % side / wrk / function / other work / steal (medians) | event loop of the side waiting for a CPU % |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const row = (label: string, s: ThroughputSample[], delivers: boolean) => {
    const cpu = (pick: (x: ThroughputSample) => number) => pct(median(s.map(pick)));
    const cells = [
      col(s, (x) => x.acceptedPerSec, perSec),
      delivers ? col(s, (x) => x.deliveredPerSec, perSec) : '–',
      delivers ? col(s, (x) => x.deliveredInLoadPerSec, perSec) : '–',
      delivers ? col(s, (x) => x.lastDeliverySeconds, secs) : '–',
      delivers ? String(sum(s.map((x) => x.notDelivered))) : '–',
      failures(s),
      [
        cpu((x) => x.cpu.side),
        cpu((x) => x.cpu.wrk),
        cpu((x) => x.cpu.fn),
        cpu((x) => x.cpu.others),
        cpu((x) => x.cpu.steal),
      ].join(' / '),
      col(s, (x) => x.cpu.sideWait, pct),
    ];
    console.log(`| ${label} | ${cells.join(' | ')} |`);
  };
  row('trigger-broker', r.broker, true);
  row('raw forwarder (fastify + undici, not durable)', r.forwarder, true);
  const b = r.broker;
  const f = r.forwarder;
  console.log(
    `| ratio broker / forwarder (within each run) | ${within(b, f, (s) => s.acceptedPerSec)} | ${within(b, f, (s) => s.deliveredPerSec)} | ${within(b, f, (s) => s.deliveredInLoadPerSec)} | | | | | |`,
  );
  row('bare fastify 202, no work (generator check)', r.fastify, false);
  console.log(`broker delivery attempts that failed (retried): ${sum(b.map((s) => s.failedAttempts))}`);

  console.log(
    `\ne2e: batched ingest into trigger-broker, ${BATCH} events per request (application/cloudevents-batch+json), beside single events; same wrk load; ${n}`,
  );
  console.log(
    '| ingest | accepted events/s during load | delivered events/s (to the last delivery) | last delivery after s | not delivered | non-2xx / errors |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [label, s] of [
    ['single event per request', r.broker],
    [`batch of ${BATCH} per request`, r.batch],
  ] as const) {
    console.log(
      `| ${label} | ${col(s, (x) => x.acceptedPerSec, perSec)} | ${col(s, (x) => x.deliveredPerSec, perSec)} | ${col(s, (x) => x.lastDeliverySeconds, secs)} | ${sum(s.map((x) => x.notDelivered))} | ${failures(s)} |`,
    );
  }
  console.log(
    `| ratio batch / single (within each run) | ${within(r.batch, b, (s) => s.acceptedPerSec)} | ${within(r.batch, b, (s) => s.deliveredPerSec)} | | | |`,
  );
}

function printLatency(r: E2eResult, n: string): void {
  console.log(
    `\ne2e: latency from the generator's due time to arrival at the function, at a fixed rate (open loop, ${r.pacedSeconds} s, the first ${WARMUP_SECONDS} s left out); ${n}`,
  );
  console.log(
    '| events/s | side | p50 ms | p99 ms | max ms | 202 p99 at the generator ms | not delivered | non-2xx / errors | generator: rate kept /s | generator: timer lag p99 / max ms | sent after waiting for a free connection % | CPU % side / generator / function / other work / steal (medians) | event loop of the side waiting for a CPU % |',
  );
  console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const entry of r.latency) {
    const rate = entry.rate.toLocaleString('en-US');
    for (const [label, s] of [
      ['trigger-broker', entry.broker],
      ['raw forwarder', entry.forwarder],
    ] as const) {
      const cells = [
        col(s, (x) => x.p50Ms, ms),
        col(s, (x) => x.p99Ms, ms),
        col(s, (x) => x.maxMs, ms),
        col(s, (x) => x.generator.answerP99Us / 1000, ms),
        String(sum(s.map((x) => x.notDelivered))),
        failures(s),
        col(s, (x) => x.generator.keptRate, perSec),
        `${col(s, (x) => x.generator.lagP99Us / 1000, ms)}; ${col(s, (x) => x.generator.lagMaxUs / 1000, ms)}`,
        col(
          s,
          (x) => x.generator.waited / Math.max(1, x.generator.sent - entry.rate * WARMUP_SECONDS),
          (v) => (v * 100).toFixed(1),
        ),
        [
          (x: LatencySample) => x.cpu.side,
          (x: LatencySample) => x.generator.cpu,
          (x: LatencySample) => x.cpu.fn,
          (x: LatencySample) => x.cpu.others,
          (x: LatencySample) => x.cpu.steal,
        ]
          .map((pick) => pct(median(s.map(pick))))
          .join(' / '),
        col(s, (x) => x.cpu.sideWait, pct),
      ];
      console.log(`| ${rate} | ${label} | ${cells.join(' | ')} |`);
    }
    const b = entry.broker;
    const f = entry.forwarder;
    console.log(
      `| ${rate} | ratio broker / forwarder (within each run) | ${within(b, f, (s) => s.p50Ms)} | ${within(b, f, (s) => s.p99Ms)} | | | | | | | | | |`,
    );
  }
}

export function printE2eResult(r: E2eResult): void {
  const n = `min / median / max of ${r.runs} interleaved runs`;
  if (r.wrk) printThroughput(r, n);
  printLatency(r, n);
  if (r.wrk) {
    const fastify = median(r.fastify.map((s) => s.acceptedPerSec));
    const broker = median(r.broker.map((s) => s.acceptedPerSec));
    const forwarder = median(r.forwarder.map((s) => s.acceptedPerSec));
    console.log(
      `generator check: wrk drove bare fastify at ${perSec(fastify)} requests/s (median), ${ratio(fastify / broker)}x the broker's accepted rate and ${ratio(fastify / forwarder)}x the forwarder's, with the same script, settings and cores`,
    );
  }
  console.log(
    'event: binary mode, ce-specversion/id/source/type, content-type application/json, data a 300-byte JSON object; function: node:http answering 202, a process of its own on the load core; broker: store synchronous=normal, default delivery (32 in flight); forwarder: undici Pool of 64 connections',
  );
  console.log(r.cores);
  console.log(
    `load average (/proc/loadavg 1, 5, 15 min) at the start ${r.load.start}, at the end ${r.load.end}`,
  );
}

if (isMain(import.meta.url)) {
  const role = process.argv.indexOf('--child');
  if (role > 0) {
    const [url = '', rate = '', seconds = '', prefix = ''] = process.argv.slice(role + 2);
    const report = await pace(url, Number(rate), Number(seconds), prefix);
    process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(0));
  } else {
    const runs = numberFlag('runs');
    const seconds = numberFlag('seconds');
    const pacedSeconds = numberFlag('paced-seconds');
    const result = await runE2eBench({
      ...(runs ? { runs } : {}),
      ...(seconds ? { seconds } : {}),
      ...(pacedSeconds ? { pacedSeconds } : {}),
      pin: !process.argv.includes('--no-pin'),
    });
    printE2eResult(result);
    const json = process.argv.indexOf('--json');
    if (json > 0) writeFileSync(process.argv[json + 1]!, JSON.stringify(result, null, 1));
  }
}
