// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are ce templates of the manifest language
/**
 * Log files: lines/s from a file being appended to, through the real broker (CLI child process:
 * log Source tailing the file, each chunk's lines committed to SQLite with the file position,
 * then routed and delivered to a local HTTP function), beside two raw baselines measured in the
 * same run, and the broker's memory while it reads a 1 GiB file from its beginning.
 *
 * The workload, fixed once (not tuned to the result):
 * - Lines: N = 1,000,000 JSON access-log lines of exactly 120 bytes with the newline, e.g.
 *   `{"ts":"2026-12-03T10:00:00.042Z","level":"info","path":"/api/items/42","status":200,"ms":598,"n":42,"req":"f519f70af5"}`
 *   (`level` info for 90 % of lines, warn 8 %, error 2 %; `req` a hex id that pads the line to
 *   120 bytes), the same lines in every run.
 * - Generator: a process of its own appends them as fast as it can, 64 KiB per write(2) (so lines
 *   are cut across writes, as a buffered logger cuts them), to a file created empty before the
 *   broker starts; it reports its own append rate.
 * - Broker: one log Source on that file (`startAt: end`, the file being empty), store
 *   `synchronous: normal` (the default). Scenarios: `format: json` with a `ce` block mapping
 *   `type: access.${fields.level}` and one Subscription of every event to the function;
 *   `format: plain` without `ce`, the same; each of the two again with a Subscription that
 *   matches nothing (stored only: no delivery shares the broker's core).
 * - Function: a bare node:http server in this process answering 200 (support.ts), counting
 *   distinct `ce-id`s.
 * - Stored: rows of the store's `events` table, read read-only from this process every 10 ms
 *   (max(seq); count(*) checked equal to N at the end). /metrics is not polled: its queue-depth
 *   gauge queries the store on the broker's own core.
 * - Rates: N over the time from the generator's start (this process tells it to go; its first
 *   write follows at once) to the last line stored (delivered: to the last line's arrival at
 *   the function), all on this process's clock.
 * - Baseline (a): a process reads the finished file (in the page cache, as the broker read it)
 *   with fs.createReadStream, splits it into lines, and JSON.parses each one (for `plain`: split
 *   only).
 * - Baseline (b): the broker's batched HTTP ingest: autocannon in a process of its own, 64
 *   connections for 10 s (bench/ingest.ts's load), POST /events of 100 events per request
 *   (`application/cloudevents-batch+json`), each event the same attributes and data as a line's,
 *   one Subscription matching nothing; events/s answered 2xx. (Batches of 1,000 on 64
 *   connections made requests wait past autocannon's 10 s timeout.)
 * - Both baselines are taken right after each scenario, on its file: this machine changes speed
 *   now and then (by up to 1.7x), so only figures taken minutes apart are compared.
 * - Memory: a file of 2^30 bytes of the same lines (8,947,848), written before the broker starts
 *   (not timed), read with `startAt: beginning`, `format: json` and `ce`, a Subscription matching
 *   nothing; the broker's VmRSS (/proc/PID/status) sampled every second. The file and the store
 *   live under os.tmpdir() and are deleted afterwards; with too little free space there the file
 *   is made smaller, and the table says so.
 * - Cores (when `taskset` is there and the machine has two or more): the broker, all its
 *   threads, on core 0; baseline (a) on core 0 too; the generator, autocannon and this process
 *   (function, store reads) on core 1.
 *
 *   node --import tsx bench/log.ts [--lines 1000000] [--file-mib 1024] [--no-memory]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statfsSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import {
  affinity,
  type BrokerConfig,
  type BrokerProcess,
  canPin,
  isMain,
  MATCH_NOTHING,
  numberFlag,
  pin,
  ROOT,
  startBroker,
  startCountingFunction,
  stopProcess,
  UNLIMITED_PENDING,
  writeBrokerConfig,
} from './support.js';

/** The issue's target for this benchmark, printed beside the figure. */
export const LOG_TARGET = 'target: at least 50,000 lines/s stored on one core';

const LINES = 1_000_000;
const LINE_BYTES = 120;
const WRITE_BYTES = 64 * 1024;
const BIG_FILE_BYTES = 2 ** 30;
/** Batched ingest baseline: events per request, connections, seconds (bench/ingest.ts's load). */
const BATCH = 100;
const CONNECTIONS = 64;
const SECONDS = 10;
/** Free space asked for the memory scenario: the file, and its store at up to five times its size. */
const DISK_FACTOR = 6;

const BROKER_CORE = '0';
const LOAD_CORE = '1';
const THIS_FILE = fileURLToPath(import.meta.url);
const BASE_TIME = Date.UTC(2026, 11, 3, 10, 0, 0);

// ---------------------------------------------------------------------------------------------
// The lines

/** Line `i` (without its newline): deterministic, LINE_BYTES - 1 characters, all ASCII. */
export function accessLine(i: number): string {
  const level = i % 50 === 0 ? 'error' : i % 50 < 5 ? 'warn' : 'info';
  const status = level === 'error' ? 500 : level === 'warn' ? 404 : 200;
  const head =
    `{"ts":"${new Date(BASE_TIME + i).toISOString()}","level":"${level}","path":"/api/items/${i % 100_000}"` +
    `,"status":${status},"ms":${(i * 7919) % 1000},"n":${i}`;
  const pad = LINE_BYTES - 1 - head.length - ',"req":""}'.length;
  const hex = ((i * 2_654_435_761) >>> 0).toString(16).padStart(8, '0');
  return `${head},"req":"${hex.repeat(Math.ceil(pad / 8)).slice(0, pad)}"}`;
}

/** The CloudEvent a line becomes, for the batched-ingest baseline: the same attributes and data. */
function lineEvent(i: number, source: string): Record<string, unknown> {
  const data = JSON.parse(accessLine(i)) as { level: string };
  return {
    specversion: '1.0',
    id: `bench-${i}`,
    source,
    type: `access.${data.level}`,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data,
  };
}

// ---------------------------------------------------------------------------------------------
// Processes and cores

const now = () => performance.timeOrigin + performance.now();

/**
 * Runs this file as a child process in `role` (see runChild below) on `core`, and resolves with
 * the JSON of its last stdout line once it exits. With `handshake`, the child prints `ready` once
 * loaded and waits; `goAt` is when this process told it to go, on this process's clock: times
 * are never compared across processes (on this VM two processes' wall clocks were seen 5 s apart).
 */
async function child<T>(
  role: string,
  core: string,
  args: string[],
  handshake = false,
): Promise<{ report: T; goAt: number }> {
  const nodeArgs = [process.execPath, '--import', 'tsx', THIS_FILE, '--child', role, ...args];
  const [command, ...rest] = canPin() ? ['taskset', '-c', core, ...nodeArgs] : nodeArgs;
  const proc: ChildProcess = spawn(command!, rest, { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let goAt = 0;
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    if (handshake && goAt === 0 && out.startsWith('ready\n')) {
      goAt = now();
      proc.stdin!.end('go\n');
    }
  });
  if (!handshake) proc.stdin!.end();
  const [code] = (await once(proc, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`bench/log.ts --child ${role} exited with ${code}`);
  return { report: JSON.parse(out.trim().split('\n').pop()!) as T, goAt };
}

interface GeneratorReport {
  lines: number;
  bytes: number;
  /** When the first write and the last were made, on the generator's own clock (ms). */
  firstWriteAt: number;
  lastWriteAt: number;
}

/** Appends lines [from, from + lines) to `file` in WRITE_BYTES writes, as fast as it can. */
function generate(file: string, from: number, lines: number): GeneratorReport {
  const fd = openSync(file, 'a');
  const buffer = Buffer.allocUnsafe(WRITE_BYTES + LINE_BYTES);
  let filled = 0;
  let bytes = 0;
  let firstWriteAt = 0;
  const write = (length: number) => {
    if (firstWriteAt === 0) firstWriteAt = now();
    writeSync(fd, buffer, 0, length);
    bytes += length;
  };
  for (let i = from; i < from + lines; i++) {
    filled += buffer.write(accessLine(i), filled, 'latin1');
    buffer[filled++] = 0x0a;
    if (filled >= WRITE_BYTES) {
      write(WRITE_BYTES);
      buffer.copy(buffer, 0, WRITE_BYTES, filled);
      filled -= WRITE_BYTES;
    }
  }
  if (filled > 0) write(filled);
  const lastWriteAt = now();
  closeSync(fd);
  return { lines, bytes, firstWriteAt, lastWriteAt };
}

/** Baseline (a): createReadStream, lines split, each JSON.parsed when `parse`. */
async function readWithStreams(file: string, parse: boolean): Promise<{ lines: number; seconds: number }> {
  const started = now();
  let lines = 0;
  let errors = 0;
  let rest = '';
  const stream = createReadStream(file, { encoding: 'utf8' });
  for await (const chunk of stream as AsyncIterable<string>) {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    for (const line of parts) {
      if (line.length === 0) continue;
      lines++;
      // The parsed value is used, so that the parse is not optimised away.
      if (parse && (JSON.parse(line) as { level?: string }).level === undefined) errors++;
    }
  }
  if (rest.length > 0) lines++;
  if (errors > 0) throw new Error(`${errors} lines without a level`);
  return { lines, seconds: (now() - started) / 1000 };
}

interface PostReport {
  ok: number;
  non2xx: number;
  errors: number;
  seconds: number;
}

/** Baseline (b): autocannon against the broker's POST /events with batches of BATCH events. */
async function postBatches(url: string, source: string): Promise<PostReport> {
  const { default: autocannon } = await import('autocannon');
  const body = JSON.stringify(Array.from({ length: BATCH }, (_, i) => lineEvent(i, source)));
  const result = await autocannon({
    url: `${url}/events`,
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents-batch+json' },
    body,
    connections: CONNECTIONS,
    duration: SECONDS,
  });
  return {
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors, // timeouts included
    seconds: result.duration,
  };
}

/** What this file does when started as a child (`--child ROLE`): one line of JSON on stdout. */
async function runChild(role: string, args: string[]): Promise<void> {
  const [a = '', b = '', c = ''] = args;
  let report: unknown;
  if (role === 'generate') {
    process.stdout.write('ready\n');
    await once(process.stdin, 'data'); // go
    report = generate(a, Number(b), Number(c));
  } else if (role === 'read') report = await readWithStreams(a, b === 'json');
  else if (role === 'post') report = await postBatches(a, b);
  else throw new Error(`unknown child role ${role}`);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

// ---------------------------------------------------------------------------------------------
// The broker and its store

interface RunningBroker extends BrokerProcess {
  dataDir: string;
}

/** The broker on `config` with its store in `dir`/data, pinned to its core once it listens. */
async function startPinnedBroker(dir: string, config: BrokerConfig): Promise<RunningBroker> {
  writeBrokerConfig(join(dir, 'config'), config);
  const dataDir = join(dir, 'data');
  const broker = await startBroker(join(dir, 'config'), dataDir);
  pin(broker.child.pid!, BROKER_CORE);
  // Ready once the log Source is up: the file is tracked and watched.
  const deadline = Date.now() + 30_000;
  while ((await fetch(`${broker.url}/readyz`)).status !== 200) {
    if (Date.now() > deadline) throw new Error('the broker did not become ready');
    await sleep(20);
  }
  return { ...broker, dataDir };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads the broker's store, read-only, from this process. */
class StoreCounter {
  private readonly db: Database.Database;
  private readonly last: Database.Statement;
  constructor(dataDir: string) {
    this.db = new Database(join(dataDir, 'events.db'), { readonly: true, fileMustExist: true });
    this.last = this.db.prepare('SELECT coalesce(max(seq), 0) AS n FROM events');
  }
  /** Rows stored: events are only ever appended (with seq from 1) while the benchmark runs. */
  stored(): number {
    return (this.last.get() as { n: number }).n;
  }
  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  }
  close(): void {
    this.db.close();
  }
}

/** Polls the store every 10 ms until `n` rows are there; `each` sees every count. Resolves with the time. */
async function whenStored(
  counter: StoreCounter,
  n: number,
  timeoutMs: number,
  each?: (count: number, at: number) => void,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const count = counter.stored();
    const at = now();
    each?.(count, at);
    if (count >= n) return at;
    if (Date.now() > deadline) throw new Error(`only ${count} of ${n} lines stored in time`);
    await sleep(10);
  }
}

function storeBytes(dataDir: string): number {
  let total = 0;
  for (const suffix of ['', '-wal', '-shm']) {
    const file = join(dataDir, `events.db${suffix}`);
    if (existsSync(file)) total += statSync(file).size;
  }
  return total;
}

function rssKb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : Number.NaN;
}

// ---------------------------------------------------------------------------------------------
// The scenarios

export interface LogRow {
  scenario: string;
  /** The figure: lines/s stored or delivered. */
  brokerPerSec: number;
  /** Baseline (a): Node streams reading the same file. */
  streamsPerSec: number;
  /** Baseline (b): the broker's batched POST /events. */
  httpBatchPerSec: number;
  /** The generator's own append rate in this scenario. */
  generatorPerSec: number;
}

export interface LogMemory {
  fileBytes: number;
  lines: number;
  note: string | undefined;
  writeSeconds: number;
  linesPerSec: number;
  rssMinMb: number;
  rssMaxMb: number;
  /** RSS at 10 %, 50 % and 90 % of the file's lines stored. */
  rssAtMb: [number, number, number];
  storeMb: number;
}

export interface LogResult {
  lines: number;
  rows: LogRow[];
  baselineNotes: string[];
  cores: string;
  memory: LogMemory | undefined;
  load: { start: number; end: number };
}

interface AppendScenario {
  name: string;
  format: 'json' | 'plain';
  ce: Record<string, unknown> | undefined;
  deliver: boolean;
}

const JSON_CE = { type: 'access.${fields.level}' };
const SCENARIOS: AppendScenario[] = [
  { name: 'json, ce type, 1 subscription to the function', format: 'json', ce: JSON_CE, deliver: true },
  { name: 'plain, no ce, 1 subscription to the function', format: 'plain', ce: undefined, deliver: true },
  { name: 'json, ce type, subscription matching nothing', format: 'json', ce: JSON_CE, deliver: false },
  { name: 'plain, no ce, subscription matching nothing', format: 'plain', ce: undefined, deliver: false },
];

interface AppendResult {
  storedPerSec: number;
  deliveredPerSec: number | undefined;
  generatorPerSec: number;
  file: string;
}

/** One scenario: the broker tails an empty file, the generator appends N lines to it. */
async function runAppendScenario(dir: string, scenario: AppendScenario, n: number): Promise<AppendResult> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'access.log');
  writeFileSync(file, '');
  const fn = await startCountingFunction({ count: 'distinct ce-id', from: 0 });
  const source: Record<string, unknown> = { log: { paths: [file], format: scenario.format } };
  if (scenario.ce) source['ce'] = scenario.ce;
  const broker = await startPinnedBroker(dir, {
    broker: { limits: UNLIMITED_PENDING },
    source,
    subscription: scenario.deliver ? { sink: { uri: fn.url } } : MATCH_NOTHING,
  });
  const counter = new StoreCounter(broker.dataDir);
  try {
    const timeoutMs = 30 * 60_000;
    let deliveredAt: number | undefined;
    const delivered = scenario.deliver
      ? fn.measure(n, timeoutMs).then(() => {
          deliveredAt = now();
        })
      : Promise.resolve();
    const storedAt = whenStored(counter, n, timeoutMs);
    const { report: generated, goAt } = await child<GeneratorReport>(
      'generate',
      LOAD_CORE,
      [file, '0', String(n)],
      true,
    );
    const lastStoredAt = await storedAt;
    await delivered;
    const stored = counter.count();
    if (stored !== n) throw new Error(`${stored} lines stored, not ${n}`);
    const seconds = (at: number) => (at - goAt) / 1000;
    return {
      storedPerSec: n / seconds(lastStoredAt),
      deliveredPerSec: deliveredAt === undefined ? undefined : n / seconds(deliveredAt),
      generatorPerSec: n / ((generated.lastWriteAt - generated.firstWriteAt) / 1000),
      file,
    };
  } finally {
    counter.close();
    await stopProcess(broker.child);
    await fn.close();
    rmSync(join(dir, 'data'), { recursive: true, force: true });
  }
}

/** Baseline (b): events/s the broker answers 2xx to batched POST /events (nothing delivered). */
async function runHttpBatchBaseline(dir: string, file: string): Promise<{ perSec: number; failed: number }> {
  mkdirSync(dir, { recursive: true });
  const broker = await startPinnedBroker(dir, {
    broker: { limits: { ...UNLIMITED_PENDING, maxBodyBytes: 16_777_216 } },
    subscription: MATCH_NOTHING,
  });
  try {
    const { report } = await child<PostReport>('post', LOAD_CORE, [broker.url, file]);
    return { perSec: (report.ok * BATCH) / report.seconds, failed: report.non2xx + report.errors };
  } finally {
    await stopProcess(broker.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The broker reading a big file from its beginning, its RSS sampled every second. */
async function runMemoryScenario(dir: string, fileBytes: number): Promise<LogMemory> {
  mkdirSync(dir, { recursive: true });
  const free = statfsSync(dir);
  const freeBytes = free.bavail * free.bsize;
  let note: string | undefined;
  let bytes = fileBytes;
  if (freeBytes < bytes * DISK_FACTOR) {
    bytes = Math.floor(freeBytes / DISK_FACTOR);
    note = `scaled down from ${mib(fileBytes)} MiB: ${mib(freeBytes)} MiB free under ${tmpdir()}`;
  }
  const lines = Math.floor(bytes / LINE_BYTES);
  const file = join(dir, 'big.log');
  const { report: written } = await child<GeneratorReport>(
    'generate',
    LOAD_CORE,
    [file, '0', String(lines)],
    true,
  );
  const broker = await startPinnedBroker(dir, {
    broker: { limits: UNLIMITED_PENDING },
    source: { log: { paths: [file], format: 'json', startAt: 'beginning' }, ce: JSON_CE },
    subscription: MATCH_NOTHING,
  });
  const counter = new StoreCounter(broker.dataDir);
  try {
    const pid = broker.child.pid!;
    const samples: { count: number; kb: number }[] = [];
    let first: { count: number; at: number } | undefined;
    let sampledAt = 0;
    const sample = (count: number, at: number) => {
      first ??= { count, at };
      if (at - sampledAt < 1000) return;
      sampledAt = at;
      samples.push({ count, kb: rssKb(pid) });
    };
    const doneAt = await whenStored(counter, lines, 4 * 60 * 60_000, sample);
    samples.push({ count: lines, kb: rssKb(pid) });
    const start = first!;
    const at = (fraction: number) => samples.find((s) => s.count >= fraction * lines)!.kb / 1024;
    const kbs = samples.map((s) => s.kb);
    return {
      fileBytes: written.bytes,
      lines,
      note,
      writeSeconds: (written.lastWriteAt - written.firstWriteAt) / 1000,
      linesPerSec: (lines - start.count) / ((doneAt - start.at) / 1000),
      rssMinMb: Math.min(...kbs) / 1024,
      rssMaxMb: Math.max(...kbs) / 1024,
      rssAtMb: [at(0.1), at(0.5), at(0.9)],
      storeMb: storeBytes(broker.dataDir) / 2 ** 20,
    };
  } finally {
    counter.close();
    await stopProcess(broker.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

const mib = (bytes: number) => Math.round(bytes / 2 ** 20).toLocaleString('en-US');

export async function runLogBench(
  options: { lines?: number; fileBytes?: number; memory?: boolean } = {},
): Promise<LogResult> {
  const n = options.lines ?? LINES;
  const load = { start: loadavg()[0]!, end: 0 };
  const dir = mkdtempSync(join(tmpdir(), 'tb-bench-log-'));
  const coresHere = availableParallelism(); // before this process is pinned to one
  // This process (the function, the store reads) keeps off the broker's core; restored after.
  const ownCores = affinity(process.pid);
  pin(process.pid, LOAD_CORE);
  try {
    const rows: LogRow[] = [];
    let failedPosts = 0;
    // Each scenario's baselines right after it (see the header): a ratio of figures taken at
    // the same speed of the machine.
    for (const [index, scenario] of SCENARIOS.entries()) {
      const result = await runAppendScenario(join(dir, `s${index}`), scenario, n);
      const { report: read } = await child<{ lines: number; seconds: number }>('read', BROKER_CORE, [
        result.file,
        scenario.format,
      ]);
      if (read.lines !== n) throw new Error(`baseline (a) read ${read.lines} lines, not ${n}`);
      const http = await runHttpBatchBaseline(join(dir, `http${index}`), result.file);
      failedPosts += http.failed;
      const base = {
        streamsPerSec: n / read.seconds,
        httpBatchPerSec: http.perSec,
        generatorPerSec: result.generatorPerSec,
      };
      rows.push({ scenario: `${scenario.name}: stored`, brokerPerSec: result.storedPerSec, ...base });
      if (result.deliveredPerSec !== undefined)
        rows.push({ scenario: `${scenario.name}: delivered`, brokerPerSec: result.deliveredPerSec, ...base });
      rmSync(join(dir, `s${index}`), { recursive: true, force: true });
    }
    const memory =
      options.memory === false
        ? undefined
        : await runMemoryScenario(join(dir, 'memory'), options.fileBytes ?? BIG_FILE_BYTES);
    load.end = loadavg()[0]!;
    const baselineNotes = [
      "baseline (a): fs.createReadStream of the scenario's file (in the page cache), split into lines, JSON.parse of each line (plain rows: split only), one process",
      `baseline (b): the broker's batched ingest ceiling, POST /events of ${BATCH.toLocaleString('en-US')} events per request (each a line's attributes and data), autocannon with ${CONNECTIONS} connections for ${SECONDS} s from a process of its own, a subscription matching nothing${failedPosts > 0 ? `; ${failedPosts} requests failed` : ''}`,
    ];
    const cores = canPin()
      ? `cores: broker (all threads) on core ${BROKER_CORE}, baseline (a) on core ${BROKER_CORE}; generator, autocannon, and the function and store reads (the bench process) on core ${LOAD_CORE} (taskset), of ${coresHere}`
      : 'cores: not pinned (no taskset, or one core): every process shares every core';
    return { lines: n, rows, baselineNotes, cores, memory, load };
  } finally {
    if (ownCores !== undefined) pin(process.pid, ownCores);
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printLogResult(result: LogResult): void {
  const perSec = (value: number) => Math.round(value).toLocaleString('en-US');
  console.log(
    `\nlog: lines/s from a file being appended to (${result.lines.toLocaleString('en-US')} JSON lines of ${LINE_BYTES} bytes, ${WRITE_BYTES / 1024} KiB writes) through trigger-broker, from the first line written to the last stored or delivered`,
  );
  console.log(
    '| scenario | trigger-broker lines/s | baseline (a) Node streams lines/s | ratio (a) | baseline (b) batched POST /events events/s | ratio (b) | generator lines/s written |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of result.rows) {
    console.log(
      `| ${r.scenario} | ${perSec(r.brokerPerSec)} | ${perSec(r.streamsPerSec)} | ${(r.brokerPerSec / r.streamsPerSec).toFixed(2)} | ${perSec(r.httpBatchPerSec)} | ${(r.brokerPerSec / r.httpBatchPerSec).toFixed(2)} | ${perSec(r.generatorPerSec)} |`,
    );
  }
  console.log(LOG_TARGET);
  for (const note of result.baselineNotes) console.log(note);
  console.log(result.cores);
  const m = result.memory;
  if (m) {
    const mb = (value: number) => Math.round(value).toLocaleString('en-US');
    console.log(
      `\nlog: broker RSS while it reads a file from its beginning (json, ce type, subscription matching nothing), sampled every second`,
    );
    console.log(
      '| file MiB | lines | lines/s (whole read) | RSS min MB | RSS at 10 % | RSS at 50 % | RSS at 90 % | RSS max MB | store MiB |',
    );
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    console.log(
      `| ${mib(m.fileBytes)} | ${m.lines.toLocaleString('en-US')} | ${perSec(m.linesPerSec)} | ${mb(m.rssMinMb)} | ${m.rssAtMb.map(mb).join(' | ')} | ${mb(m.rssMaxMb)} | ${mb(m.storeMb)} |`,
    );
    console.log(
      `file written first in ${m.writeSeconds.toFixed(1)} s (${perSec(m.lines / m.writeSeconds)} lines/s), not timed${m.note ? `; ${m.note}` : ''}`,
    );
  }
  console.log(
    `load average (1 min) at the start ${result.load.start.toFixed(2)}, at the end ${result.load.end.toFixed(2)}`,
  );
}

if (isMain(import.meta.url)) {
  const role = process.argv.indexOf('--child');
  if (role > 0) await runChild(process.argv[role + 1]!, process.argv.slice(role + 2));
  else {
    const lines = numberFlag('lines');
    const fileMib = numberFlag('file-mib');
    printLogResult(
      await runLogBench({
        ...(lines ? { lines } : {}),
        ...(fileMib ? { fileBytes: fileMib * 2 ** 20 } : {}),
        memory: !process.argv.includes('--no-memory'),
      }),
    );
  }
}
