/**
 * What the benchmarks share: the built broker CLI as a child process, its configuration, the
 * local HTTP function the connector benchmarks deliver to, the ways a rate is taken, and the
 * table a connector benchmark prints. One copy, so that every benchmark starts, measures and
 * reports the broker the same way and a fix to one of them reaches them all.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root: benchmarks start `bin/trigger-broker.js`, which runs the build in `dist`. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Where the broker that benchmarks start lives: this repository, or the copy named by the
 * BENCH_BROKER_ROOT environment variable (a checkout with its own `npm run build`, e.g. a
 * `git archive` of one commit), so that a long run measures one fixed build even while this
 * working tree and its `dist` change.
 */
export const BROKER_ROOT = process.env['BENCH_BROKER_ROOT'] || ROOT;

/** Whether the module at `moduleUrl` is the script node was started with (each bench runs alone too). */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href;
}

/** The number after `--name` on the command line, if given. */
export function numberFlag(name: string): number | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Child processes

/**
 * Starts `node <args>` in the repository root and resolves once `ready` finds what it waits for
 * in a line of the process's stdout (the port or address it logged). Rejects if the process
 * exits first. stdout keeps being read afterwards, so the process never blocks on a full pipe.
 */
export async function startNodeProcess<T>(
  args: string[],
  ready: (line: string) => T | undefined,
): Promise<{ child: ChildProcess; found: T }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const found = await new Promise<T>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const value = ready(line);
      if (value !== undefined) resolve(value);
    });
  });
  return { child, found };
}

/** Stops a child process with SIGTERM (the broker then drains and closes its store) and waits for it. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

export interface BrokerProcess {
  child: ChildProcess;
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
}

/**
 * Starts the real broker, `trigger-broker start <configDir>` from the build (in BROKER_ROOT), on a free loopback
 * port with its store in `dataDir`, and resolves with its port once it logs
 * `trigger-broker listening`. It logs at info level (nothing per event); lines at warn level and
 * above are copied to stderr, since they are what explains a stalled or failed run.
 */
export async function startBroker(configDir: string, dataDir: string): Promise<BrokerProcess> {
  const args = [join(BROKER_ROOT, 'bin', 'trigger-broker.js'), 'start', configDir];
  args.push('--port', '0', '--host', '127.0.0.1', '--data', dataDir, '--log-level', 'info');
  const { child, found: port } = await startNodeProcess(args, (line) => {
    if (/"level":(40|50|60)/.test(line)) process.stderr.write(`[trigger-broker] ${line}\n`);
    return line.includes('"msg":"trigger-broker listening"') ? Number(JSON.parse(line).port) : undefined;
  });
  return { child, port, url: `http://127.0.0.1:${port}` };
}

/**
 * Starts one of the bench's own servers, `node bench/<script> <args>` (the bare fastify baseline,
 * the raw forwarder), and resolves with its URL once it logs `{"msg":"listening","address":...}`.
 */
export async function startScriptServer(
  script: string,
  args: string[] = [],
): Promise<{ child: ChildProcess; url: string }> {
  const { child, found: url } = await startNodeProcess([join(ROOT, 'bench', script), ...args], (line) => {
    try {
      const logged = JSON.parse(line) as Record<string, unknown>;
      return logged['msg'] === 'listening' ? String(logged['address']) : undefined;
    } catch {
      return undefined; // not JSON
    }
  });
  return { child, url };
}

// ---------------------------------------------------------------------------------------------
// Cores and CPU time

let pinning: boolean | undefined;
/** Whether processes can be pinned: taskset is there and there are at least two cores. */
export function canPin(): boolean {
  if (pinning === undefined) {
    try {
      execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
      pinning = availableParallelism() >= 2;
    } catch {
      pinning = false;
    }
  }
  return pinning;
}

/** Pins every thread of a running process to `cores` (threads started later inherit it); no-op without taskset. */
export function pin(pid: number, cores: string): void {
  if (canPin()) execFileSync('taskset', ['-a', '-cp', cores, String(pid)], { stdio: 'ignore' });
}

/** The cores a process may run on now, as taskset lists them. */
export function affinity(pid: number): string | undefined {
  if (!canPin()) return undefined;
  return execFileSync('taskset', ['-cp', String(pid)], { encoding: 'utf8' })
    .split(':')
    .pop()
    ?.trim();
}

let clockTicks: number | undefined;
/** The kernel's clock ticks per second, the unit of CPU times in /proc/PID/stat. */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Fields of /proc/PID/stat after the command name (field 3 of the man page is index 0). */
function statFields(pid: number | 'self'): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** CPU seconds (user + system, all threads) a running process has used so far. */
export function cpuSeconds(pid: number): number {
  const f = statFields(pid);
  return (Number(f[11]) + Number(f[12])) / ticksPerSecond();
}

/**
 * CPU seconds (user + system) used by this process's children that have exited and been waited
 * for (cutime + cstime): the difference across one child's life is that child's CPU time.
 */
export function reapedChildrenCpuSeconds(): number {
  const f = statFields('self');
  return (Number(f[13]) + Number(f[14])) / ticksPerSecond();
}

/**
 * Seconds the main thread of a running process (a Node process's event loop) has spent runnable
 * but waiting for a CPU, the second field of /proc/PID/schedstat: over a load window, the time
 * other threads on its cores (its own helpers, other processes) took from it. 0 where the
 * kernel keeps no schedstats.
 */
export function runQueueWaitSeconds(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1] ?? 0) / 1e9;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds all the machine's cores have spent busy so far (user, nice, system, irq, softirq)
 * and had stolen by the hypervisor (steal), from /proc/stat. Over a load window, busy minus
 * what the benchmark's own processes used is the other work the machine did meanwhile.
 */
export function machineCpuSeconds(): { busy: number; steal: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
  const ticks = ticksPerSecond();
  return { busy: (user + nice + system + irq + softirq) / ticks, steal: steal / ticks };
}

/** The 1-, 5- and 15-minute load averages, as /proc/loadavg gives them. */
export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

// ---------------------------------------------------------------------------------------------
// Broker configuration

/** One manifest of the broker's configuration language; JSON is YAML, so the spec is written as JSON. */
export function manifest(kind: string, name: string, spec: unknown): string {
  return `apiVersion: trigger-broker/v1\nkind: ${kind}\nmetadata: { name: ${name} }\nspec: ${JSON.stringify(spec)}\n`;
}

/**
 * A subscription no benchmark event matches (they are all `com.example.bench.reading`): events
 * are stored and routed, nothing is delivered. Its sink is a port nothing listens on.
 */
export const MATCH_NOTHING = {
  filters: [{ exact: { type: 'com.example.nothing' } }],
  sink: { uri: 'http://127.0.0.1:9/x' },
};

/** The pending-events limit of a benchmark broker: high enough that no run is ever held back by it. */
export const UNLIMITED_PENDING = { maxPendingEvents: 1_000_000 };

export interface BrokerConfig {
  /** The Broker manifest's spec; none means the broker's defaults. */
  broker?: Record<string, unknown>;
  /** The Source manifest's spec, if the benchmark reads from one. */
  source?: Record<string, unknown>;
  /** The one Subscription's spec: to the function, or MATCH_NOTHING. */
  subscription: Record<string, unknown>;
}

/** Writes a benchmark broker's configuration dir: at most one Broker, one Source and one Subscription. */
export function writeBrokerConfig(configDir: string, config: BrokerConfig): void {
  mkdirSync(configDir, { recursive: true });
  if (config.broker)
    writeFileSync(join(configDir, 'broker.yaml'), manifest('Broker', 'bench', config.broker));
  if (config.source)
    writeFileSync(join(configDir, 'source.yaml'), manifest('Source', 'bench', config.source));
  writeFileSync(join(configDir, 'sub.yaml'), manifest('Subscription', 'fn', config.subscription));
}

/**
 * Runs `measure` against a broker started on `config` with a fresh store in a temporary dir, then
 * stops the broker and removes the dir whatever happened, so every measurement starts empty.
 */
export async function withBroker<T>(
  config: BrokerConfig,
  measure: (broker: BrokerProcess) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'tb-bench-'));
  try {
    writeBrokerConfig(join(dir, 'config'), config);
    const broker = await startBroker(join(dir, 'config'), join(dir, 'data'));
    try {
      return await measure(broker);
    } finally {
      await stopProcess(broker.child);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Rates

/**
 * A rate over the stretch from the first count at or above `from * n` to `n`, so that start-up
 * (process start, group joins, the first large fetches) is left out. `from` 0 starts at the
 * first observation.
 */
export class WindowRate {
  private start: { at: number; count: number } | undefined;
  constructor(
    private readonly n: number,
    private readonly from = 0.1,
  ) {}
  /** Notes the count now; returns the rate (per second) once it reached `n`. */
  observe(count: number): number | undefined {
    const now = performance.now();
    if (this.start === undefined && count >= this.n * this.from) this.start = { at: now, count };
    if (this.start === undefined || count < this.n || count === this.start.count) return undefined;
    return (count - this.start.count) / ((now - this.start.at) / 1000);
  }
}

/**
 * Events/s into the broker's durable store: polls its accepted-events counter (`/metrics`) until
 * `n` events are stored, over the window of WindowRate. For "stored only" scenarios, where no
 * function sees the events.
 */
export async function storedRate(port: number, n: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const window = new WindowRate(n);
  for (;;) {
    if (Date.now() > deadline) throw new Error(`the broker stored fewer than ${n} events in time`);
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const count = [...text.matchAll(/^trigger_broker_events_accepted_total\{[^}]*\} (\d+)/gm)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
    const rate = window.observe(count);
    if (rate !== undefined) return rate;
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface CountingFunctionOptions {
  /**
   * What counts as one arrival: each distinct `ce-id` (redeliveries are not counted twice), or
   * every request (for a baseline that sends no id).
   */
  count: 'distinct ce-id' | 'request';
  /** Where the timed window starts, as a fraction of the expected count (see WindowRate). */
  from: number;
}

export interface CountingFunction {
  /** The function's URL, for a subscription's sink and for the baseline's POSTs. */
  url: string;
  /**
   * Counts afresh and resolves with arrivals/s once `n` arrived; rejects after `timeoutMs` if
   * given. Call it before starting the side being measured.
   */
  measure(n: number, timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * The local HTTP function the broker and each baseline deliver to: answers 200 at once, and
 * times arrivals at the function, the one place both sides are seen the same way.
 */
export async function startCountingFunction(options: CountingFunctionOptions): Promise<CountingFunction> {
  const seen = new Set<string>();
  let requests = 0;
  let window = new WindowRate(Number.POSITIVE_INFINITY, options.from);
  let done: (rate: number) => void = () => undefined;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['ce-id']);
      let counted: number | undefined;
      if (options.count === 'request') counted = ++requests;
      else if (!seen.has(id)) counted = seen.add(id).size;
      const rate = counted === undefined ? undefined : window.observe(counted);
      res.writeHead(200).end();
      if (rate !== undefined) done(rate);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fn`,
    measure(n, timeoutMs) {
      seen.clear();
      requests = 0;
      window = new WindowRate(n, options.from);
      return new Promise((resolve, reject) => {
        const arrived = () => (options.count === 'request' ? requests : seen.size);
        const timer =
          timeoutMs === undefined
            ? undefined
            : setTimeout(() => reject(new Error(`only ${arrived()} of ${n} arrived in time`)), timeoutMs);
        done = (rate) => {
          clearTimeout(timer);
          done = () => undefined;
          resolve(rate);
        };
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Reporting

/** One scenario of a connector benchmark: the broker beside its raw baseline, measured in the same run. */
export interface ConnectorRow {
  name: string;
  brokerPerSec: number;
  baselinePerSec: number;
  /** broker / baseline */
  ratio: number;
}

/** A row from the two rates of one scenario. */
export function connectorRow(name: string, brokerPerSec: number, baselinePerSec: number): ConnectorRow {
  return { name, brokerPerSec, baselinePerSec, ratio: brokerPerSec / baselinePerSec };
}

/** Prints a connector benchmark's rows as one markdown table under `heading`, the same for every connector. */
export function printConnectorTable(heading: string, rows: readonly ConnectorRow[]): void {
  const perSec = (value: number) => Math.round(value).toLocaleString('en-US');
  console.log(`\n${heading}`);
  console.log('| scenario | trigger-broker msg/s | baseline msg/s | ratio |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${perSec(r.brokerPerSec)} | ${perSec(r.baselinePerSec)} | ${r.ratio.toFixed(2)} |`,
    );
  }
}

/** The median of the values (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `min / median / max` of the values of repeated runs, each formatted by `format`. */
export function spread(values: readonly number[], format: (value: number) => string): string {
  if (values.length === 0) return '–';
  return `${format(Math.min(...values))} / ${format(median(values))} / ${format(Math.max(...values))}`;
}
