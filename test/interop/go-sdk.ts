/**
 * Runs the Go interop program (test/interop/go/main.go), which drives the official CloudEvents Go
 * SDK (github.com/cloudevents/sdk-go/v2, pinned as CLOUDEVENTS_SDK_GO_VERSION in
 * test/harness/versions.env): `send` posts events with the SDK's HTTP client, `receive` is the SDK's
 * HTTP receiver, printing each event as the SDK reads it. test/harness/sdk-go.sh builds it into the
 * harness cache; this file finds the binary by the same rule.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { harnessCacheDir } from '../harness/cache.js';

const GO_SOURCE_DIR = fileURLToPath(new URL('./go/', import.meta.url));
const BUILD_SCRIPT = fileURLToPath(new URL('../harness/sdk-go.sh', import.meta.url));

/**
 * Where sdk-go.sh puts the binary: `<cache>/interop/go-<hash>/interop-go`, the hash being the first
 * 16 hex digits of the SHA-256 of go.mod, go.sum and main.go concatenated in that order, so any
 * change to the program or its pinned SDK builds anew.
 */
export function goInteropBinary(): string {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) hash.update(readFileSync(join(GO_SOURCE_DIR, file)));
  return join(harnessCacheDir(), 'interop', `go-${hash.digest('hex').slice(0, 16)}`, 'interop-go');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The binary's path, building it first with sdk-go.sh when it is not there yet (setup.sh has
 * normally done so; this lets a single test file run on its own). Rejects with the script's output
 * when Go is missing or the build fails.
 */
export async function ensureGoInteropBinary(): Promise<string> {
  const binary = goInteropBinary();
  if (isExecutable(binary)) return binary;
  const child = spawn('bash', [BUILD_SCRIPT], {
    env: { ...process.env, TRIGGER_BROKER_CACHE: harnessCacheDir() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  let output = '';
  child.stdout!.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c));
  });
  if (code !== 0 || !isExecutable(binary))
    throw new Error(`test/harness/sdk-go.sh failed (exit ${code}):\n${output}`);
  return binary;
}

// Go processes still running when the test worker exits would outlive the run and hold ports.
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** One event for `send`; the program sets subject and the `myext` extension only when given. */
export interface GoSendEvent {
  id: string;
  source: string;
  type: string;
  subject?: string;
  myext?: string;
  /** Any JSON value: sent with datacontenttype application/json. */
  data?: unknown;
}

/** What the SDK's client.Send returned for one event. */
export interface GoSendResult {
  id: string;
  /** cloudevents.IsACK / IsNACK; ERROR when neither (the request never got an answer). */
  result: 'ACK' | 'NACK' | 'ERROR';
  /** The HTTP status of the answer, when there was one. */
  status?: number;
  error?: string;
}

/**
 * Sends `events` one after the other with the Go SDK's HTTP client, forcing binary or structured
 * content mode, and resolves with one result per event, in order.
 */
export async function goSend(
  url: string,
  mode: 'binary' | 'structured',
  events: readonly GoSendEvent[],
  timeoutMs = 60_000,
): Promise<GoSendResult[]> {
  const binary = await ensureGoInteropBinary();
  const child = spawn(binary, ['send', '--url', url, '--mode', mode], { stdio: ['pipe', 'pipe', 'pipe'] });
  track(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  child.stdin!.end(JSON.stringify(events));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c, s) => resolve([c, s]));
  }).finally(() => clearTimeout(timer));
  if (code !== 0)
    throw new Error(`interop-go send exited with ${code ?? signal}; stderr: ${stderr}; stdout: ${stdout}`);
  const results = stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as GoSendResult);
  if (results.length !== events.length)
    throw new Error(
      `interop-go send printed ${results.length} results for ${events.length} events: ${stdout}`,
    );
  return results;
}

/** One event as the Go SDK's receiver hands it to the function (empty string: not set). */
export interface GoReceivedEvent {
  /** The request path (which subscription delivered it). */
  path: string;
  /** The request's Content-Type header. */
  contentType: string;
  specversion: string;
  id: string;
  source: string;
  type: string;
  /** event.Subject() */
  subject: string;
  datacontenttype: string;
  dataschema: string;
  time: string;
  /** event.Extensions(), as JSON. */
  extensions: Record<string, unknown>;
  /** event.Extensions()["myext"]; null when absent. */
  myext: unknown;
  /** string(event.Data()) */
  data: string;
}

export interface GoReceiver {
  port: number;
  url: string;
  /** Every event received so far, in order. */
  events: GoReceivedEvent[];
  /**
   * Waits until each of `ids` has been received among events passing `filter` (repeats of one
   * event cannot stand in for another still missing); rejects naming the missing ones.
   */
  waitForIds(
    ids: Iterable<string>,
    filter?: (e: GoReceivedEvent) => boolean,
    timeoutMs?: number,
  ): Promise<void>;
  stderr(): string;
  close(): Promise<void>;
}

/** Starts the Go SDK's HTTP receiver on 127.0.0.1 (a free port unless `port` is given). */
export async function startGoReceiver(port = 0, startTimeoutMs = 20_000): Promise<GoReceiver> {
  const binary = await ensureGoInteropBinary();
  // stdin stays open: the program exits when it closes, so it cannot outlive this process.
  const child = spawn(binary, ['receive', '--port', String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
  track(child);
  const events: GoReceivedEvent[] = [];
  let stderr = '';
  let buffered = '';
  let onListening: (port: number) => void = () => undefined;
  const listening = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`interop-go receive did not listen in ${startTimeoutMs} ms; stderr: ${stderr}`));
    }, startTimeoutMs);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      reject(new Error(`interop-go receive exited with ${code ?? signal}; stderr: ${stderr}`));
    };
    child.once('exit', onExit);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    onListening = (p) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve(p);
    };
  });
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let nl = buffered.indexOf('\n');
    while (nl >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      nl = buffered.indexOf('\n');
      if (line.trim() === '') continue;
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        stderr += `(not a JSON line on stdout: ${line})\n`;
        continue;
      }
      if (typeof parsed['listening'] === 'number') onListening(parsed['listening']);
      else events.push(parsed as unknown as GoReceivedEvent);
    }
  });
  const actualPort = await listening;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    port: actualPort,
    url: `http://127.0.0.1:${actualPort}`,
    events,
    stderr: () => stderr,
    async waitForIds(ids, filter = () => true, timeoutMs = 20_000) {
      const wanted = [...ids];
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const got = new Set(events.filter(filter).map((e) => e.id));
        const missing = wanted.filter((id) => !got.has(id));
        if (missing.length === 0) return;
        if (Date.now() > deadline)
          throw new Error(
            `${missing.length} of ${wanted.length} never reached the Go receiver: ${missing.join(', ')}; stderr: ${stderr}`,
          );
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin!.end();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
