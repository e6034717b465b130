/**
 * wrk (https://github.com/wg/wrk), the HTTP load generator of the closed-loop benchmarks (e2e,
 * ingest-wrk): a C program with one event loop per thread, so that on this machine it drives
 * several times the request rate a Node process can (autocannon in one Node thread saturates near
 * 14,000 requests/s). It runs as a child process; a Lua script builds the requests and prints
 * one line of JSON at the end, which is what is read here.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reapedChildrenCpuSeconds } from './support.js';

/** What a benchmark prints, and skips, when wrk is not on the PATH. */
export const WRK_MISSING =
  'wrk is not installed, so the wrk-driven benchmarks are skipped: install it (Debian/Ubuntu: `apt-get install -y wrk`, as root; macOS: `brew install wrk`) and run again';

/** Whether `wrk` can be run. */
export function haveWrk(): boolean {
  const probe = spawnSync('wrk', ['--version'], { stdio: 'ignore' });
  return probe.error === undefined;
}

export interface WrkOptions {
  /** The URL wrk connects to; the script's requests carry their own path. */
  url: string;
  /** A Lua script made by one of the functions below. */
  script: string;
  threads: number;
  connections: number;
  seconds: number;
}

export interface WrkResult {
  /** Responses read. */
  requests: number;
  /** Responses with a status below 400 (wrk counts 4xx and 5xx as status errors). */
  ok: number;
  non2xx: number;
  /** Connect, read, write errors and timeouts. */
  errors: number;
  /** wrk's own measure of the load window. */
  seconds: number;
  /** Time to the response, at wrk (ms). */
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** CPU seconds wrk used, all threads (from this process's reaped-children counters). */
  cpuSeconds: number;
  /** When wrk was started and when it had exited, in µs of CLOCK_MONOTONIC (process.hrtime). */
  startedUs: number;
  endedUs: number;
}

/** Runs wrk once with the script and resolves with its report when it exits. */
export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tb-wrk-'));
  try {
    const file = join(dir, 'script.lua');
    writeFileSync(file, options.script);
    const args = [`-t${options.threads}`, `-c${options.connections}`, `-d${options.seconds}s`];
    args.push('--timeout', '30s', '-s', file, options.url);
    const cpuBefore = reapedChildrenCpuSeconds();
    const startedUs = Number(process.hrtime.bigint() / 1000n);
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    const endedUs = Number(process.hrtime.bigint() / 1000n);
    const cpuSeconds = reapedChildrenCpuSeconds() - cpuBefore;
    const line = out.split('\n').find((l) => l.startsWith('WRK_RESULT '));
    if (code !== 0 || line === undefined) throw new Error(`wrk ${args.join(' ')} failed (${code}):\n${out}`);
    const r = JSON.parse(line.slice('WRK_RESULT '.length)) as Record<string, number>;
    const num = (key: string) => r[key] ?? 0;
    return {
      requests: num('requests'),
      ok: num('requests') - num('status'),
      non2xx: num('status'),
      errors: num('connect') + num('read') + num('write') + num('timeout'),
      seconds: num('duration_us') / 1e6,
      latencyP50Ms: num('p50_us') / 1000,
      latencyP99Ms: num('p99_us') / 1000,
      cpuSeconds,
      startedUs,
      endedUs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Scripts

/** A Lua long string holding `text` verbatim (no escapes are read inside one). */
function luaString(text: string): string {
  let level = '';
  while (text.includes(`]${level}]`)) level += '=';
  return `[${level}[${text}]${level}]`;
}

function luaTable(headers: Record<string, string>): string {
  return `{ ${Object.entries(headers)
    .map(([name, value]) => `[ ${luaString(name)} ] = ${luaString(value)}`)
    .join(', ')} }`;
}

/** Prints wrk's summary as one JSON line (durations in microseconds). */
const DONE = `
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%.0f,"duration_us":%.0f,"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f,"p50_us":%.0f,"p99_us":%.0f}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;

/** The same request every time (wrk sends a pre-built buffer: the cheapest load it can make). */
export function staticRequestScript(path: string, headers: Record<string, string>, body: string): string {
  return `wrk.method = "POST"
wrk.path = ${luaString(path)}
wrk.headers = ${luaTable(headers)}
wrk.body = ${luaString(body)}
${DONE}`;
}

/** Gives each wrk thread a number (`tid`), for ids unique across threads. */
const THREAD_IDS = `
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
`;

/**
 * One binary-mode CloudEvent per request, `headers` and `body` fixed but for `ce-id`, which is
 * `<prefix>-<thread>-<n>`: unique in the run, so that the function counts each event once.
 */
export function singleEventScript(
  path: string,
  headers: Record<string, string>,
  body: string,
  idPrefix: string,
): string {
  return `${THREAD_IDS}
local headers = ${luaTable(headers)}
local body = ${luaString(body)}
local prefix = ${luaString(idPrefix)}
local n = 0
function request()
  n = n + 1
  headers["ce-id"] = prefix .. "-" .. tid .. "-" .. n
  return wrk.format("POST", ${luaString(path)}, headers, body)
end
${DONE}`;
}

/**
 * A batch of `size` CloudEvents per request (application/cloudevents-batch+json): each event is
 * `before` + its id + `after` (the JSON of one event, cut at its id), the id
 * `<prefix>-<thread>-<request>-<k>`.
 */
export function batchScript(
  path: string,
  size: number,
  event: { before: string; after: string },
  idPrefix: string,
): string {
  return `${THREAD_IDS}
local headers = { ["content-type"] = "application/cloudevents-batch+json" }
local before = ${luaString(event.before)}
local after = ${luaString(event.after)}
local prefix = ${luaString(idPrefix)}
local n = 0
local parts = {}
function request()
  n = n + 1
  local id = prefix .. "-" .. tid .. "-" .. n .. "-"
  for k = 1, ${size} do
    parts[k] = before .. id .. k .. after
  end
  return wrk.format("POST", ${luaString(path)}, headers, "[" .. table.concat(parts, ",") .. "]")
end
${DONE}`;
}
