/**
 * Runs the Python interop program (test/interop/python/interop.py), which drives the official
 * CloudEvents Python SDK (PyPI `cloudevents`, pinned as CLOUDEVENTS_SDK_PYTHON_VERSION in
 * test/harness/versions.env and in test/interop/python/requirements.txt): `send` builds events with
 * the SDK and posts them with `requests`, `receive` is an `http.server` that parses each request
 * with the SDK's `from_http`. test/harness/sdk-python.sh makes the venv in the harness cache; this
 * file finds it by the same rule.
 *
 * Two APIs of the one pinned release: `v1` is the 1.x API (`cloudevents.http`,
 * `cloudevents.conversion`, under `cloudevents.v1` since 2.0, code unchanged), which writes and reads
 * header values as they are; `core` is the 2.x API (`cloudevents.core.bindings.http`), which
 * percent-encodes them (http-binding.md 3.1.3.2) and percent-decodes them on receipt.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { harnessCacheDir } from '../harness/cache.js';

const SCRIPT = fileURLToPath(new URL('./python/interop.py', import.meta.url));
const REQUIREMENTS = fileURLToPath(new URL('./python/requirements.txt', import.meta.url));
const SETUP_SCRIPT = fileURLToPath(new URL('../harness/sdk-python.sh', import.meta.url));

export type PythonApi = 'v1' | 'core';
export const PYTHON_APIS: readonly PythonApi[] = ['v1', 'core'];

/**
 * Where sdk-python.sh makes the venv: `<cache>/interop/python-<hash>`, the hash being the first 16
 * hex digits of the SHA-256 of requirements.txt, so a change of pins makes a new venv.
 */
export function pythonVenvDir(): string {
  const hash = createHash('sha256').update(readFileSync(REQUIREMENTS)).digest('hex').slice(0, 16);
  return join(harnessCacheDir(), 'interop', `python-${hash}`);
}

/**
 * The venv's interpreter, running sdk-python.sh first when the venv is not complete yet (setup.sh
 * has normally done so; this lets a single test file run on its own). Rejects with the script's
 * output when it fails.
 */
export async function ensurePythonSdk(): Promise<string> {
  const venv = pythonVenvDir();
  const python = join(venv, 'bin', 'python');
  if (existsSync(join(venv, '.complete'))) return python;
  const child = spawn('bash', [SETUP_SCRIPT], {
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
  if (code !== 0 || !existsSync(join(venv, '.complete')))
    throw new Error(`test/harness/sdk-python.sh failed (exit ${code}):\n${output}`);
  return python;
}

// Python processes still running when the test worker exits would outlive the run and hold ports.
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

/** One event for `send`: datacontenttype is application/json, `data` any JSON value. */
export interface PythonSendEvent {
  id: string;
  source: string;
  type: string;
  subject: string;
  myext: string;
  data: unknown;
}

/** What happened to one event: an HTTP status, or the exception the client raised instead. */
export interface PythonSendResult {
  id: string;
  /** The headers the SDK produced for the request (before the HTTP client wrote them). */
  headers: Record<string, string>;
  status?: number;
  /** The exception's class name, e.g. UnicodeEncodeError. */
  error?: string;
  message?: string;
}

/**
 * Sends `events` one after the other with the SDK (`api`) and `requests`, in binary or structured
 * content mode; resolves with one result per event, in order.
 */
export async function pythonSend(
  url: string,
  mode: 'binary' | 'structured',
  events: readonly PythonSendEvent[],
  api: PythonApi = 'v1',
  timeoutMs = 60_000,
): Promise<PythonSendResult[]> {
  const python = await ensurePythonSdk();
  const child = spawn(python, [SCRIPT, 'send', '--url', url, '--mode', mode, '--api', api], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
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
    throw new Error(`interop.py send exited with ${code ?? signal}; stderr: ${stderr}; stdout: ${stdout}`);
  const results = jsonLines(stdout) as unknown as PythonSendResult[];
  if (results.length !== events.length)
    throw new Error(
      `interop.py send printed ${results.length} results for ${events.length} events: ${stdout}`,
    );
  return results;
}

/** One request as the receiver saw it: the event as the SDK parsed it, or the SDK's error. */
export interface PythonReceived {
  /** event.get_attributes(), extensions included; `time` as ISO 8601. */
  attributes?: Record<string, unknown>;
  /** event.get_data() */
  data?: unknown;
  /** The ce-* headers as http.server handed them over (lower-case names). */
  headers: Record<string, string>;
  /** The exception's class name when from_http refused the request (answered 400). */
  error?: string;
  message?: string;
}

export interface PythonReceiver {
  api: PythonApi;
  port: number;
  url: string;
  /** Every request so far, in order. */
  received: PythonReceived[];
  /**
   * Waits until an event with each of `ids` has been parsed (repeats of one event cannot stand in
   * for another still missing); resolves with them by id, rejects naming the missing ones.
   */
  waitForIds(ids: Iterable<string>, timeoutMs?: number): Promise<Map<string, PythonReceived>>;
  stderr(): string;
  close(): Promise<void>;
}

/** Starts interop.py's receiver (SDK `api`) on a free loopback port. */
export async function startPythonReceiver(
  api: PythonApi = 'v1',
  startTimeoutMs = 20_000,
): Promise<PythonReceiver> {
  const python = await ensurePythonSdk();
  // stdin stays open: the program exits when it closes, so it cannot outlive this process.
  const child = spawn(python, [SCRIPT, 'receive', '--port', '0', '--api', api], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  track(child);
  const received: PythonReceived[] = [];
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`interop.py receive did not listen in ${startTimeoutMs} ms; stderr: ${stderr}`));
    }, startTimeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`interop.py receive exited with ${code ?? signal}; stderr: ${stderr}`));
    });
    onJsonLines(child, (line) => {
      if (typeof line['listening'] === 'number') {
        clearTimeout(timer);
        resolve(line['listening']);
      } else received.push(line as unknown as PythonReceived);
    });
  });
  return {
    api,
    port,
    url: `http://127.0.0.1:${port}`,
    received,
    stderr: () => stderr,
    async waitForIds(ids, timeoutMs = 20_000) {
      const wanted = [...ids];
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const byId = new Map(
          received.filter((r) => r.attributes !== undefined).map((r) => [String(r.attributes!['id']), r]),
        );
        const missing = wanted.filter((id) => !byId.has(id));
        if (missing.length === 0) return byId;
        if (Date.now() > deadline)
          throw new Error(
            `the Python ${api} receiver never parsed ${missing.join(', ')}; got ${JSON.stringify(received)}; stderr: ${stderr}`,
          );
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin!.end();
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function onJsonLines(child: ChildProcess, handle: (line: Record<string, unknown>) => void): void {
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let nl = buffered.indexOf('\n');
    while (nl >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      nl = buffered.indexOf('\n');
      if (line.trim() !== '') handle(JSON.parse(line) as Record<string, unknown>);
    }
  });
}
