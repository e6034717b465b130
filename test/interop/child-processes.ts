/**
 * What the interop drivers (go-sdk.ts, python-sdk.ts, java-sdk.ts) do alike with the SDK programs
 * they run as child processes: prepare them with a script of test/harness/, run a `send` that takes
 * events on stdin and prints one JSON result a line, and run a `receive` that announces its port on
 * stdout and then prints one JSON line per request. Each driver keeps only what is its own: how to
 * start its program and what its lines mean.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { harnessCacheDir } from '../harness/cache.js';
import { waitForIds } from './wait-for-ids.js';

// Programs still running when the test worker exits would outlive the run and hold ports.
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Registers `child` to be SIGKILLed if the test worker exits while it still runs; returns it. */
export function trackChild(child: ChildProcess): ChildProcess {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Text that `streams` write, gathered as it comes, for error messages (`text` grows). */
function collectText(...streams: Readable[]): { text: string } {
  const collected = { text: '' };
  for (const stream of streams)
    stream.on('data', (c: Buffer) => {
      collected.text += c.toString();
    });
  return collected;
}

/** Resolves with the exit code and signal once the child has exited and its stdio is closed. */
function closed(child: ChildProcess): Promise<[number | null, NodeJS.Signals | null]> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve([code, signal]));
  });
}

/**
 * Runs `test/harness/<script>`, which prepares an SDK in the harness cache, to the end. setup.sh
 * normally has; this lets a single test file run on its own. Rejects with everything the script
 * printed when it fails or when `isReady` still says no afterwards.
 */
export async function runHarnessScript(script: string, isReady: () => boolean): Promise<void> {
  const child = trackChild(
    spawn('bash', [fileURLToPath(new URL(`../harness/${script}`, import.meta.url))], {
      env: { ...process.env, TRIGGER_BROKER_CACHE: harnessCacheDir() },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const output = collectText(child.stdout!, child.stderr!);
  const [code] = await closed(child);
  if (code !== 0 || !isReady())
    throw new Error(`test/harness/${script} failed (exit ${code}):\n${output.text}`);
}

/** The JSON lines of `text`, blank ones skipped. */
function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * Finishes a `send` run of an SDK program (`label` names it in errors): writes `events` to its stdin
 * as one JSON array, waits for it to exit (SIGKILL after `timeoutMs`), and resolves with the one
 * JSON line per event it printed, in order. Rejects when it fails or prints a different number.
 */
export async function finishSend<R>(
  child: ChildProcess,
  label: string,
  events: readonly unknown[],
  timeoutMs: number,
): Promise<R[]> {
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const stdout = collectText(child.stdout!);
  const stderr = collectText(child.stderr!);
  child.stdin!.end(JSON.stringify(events));
  const [code, signal] = await closed(child).finally(() => clearTimeout(timer));
  if (code !== 0)
    throw new Error(`${label} exited with ${code ?? signal}; stderr: ${stderr.text}; stdout: ${stdout.text}`);
  const results = jsonLines(stdout.text) as R[];
  if (results.length !== events.length)
    throw new Error(`${label} printed ${results.length} results for ${events.length} events: ${stdout.text}`);
  return results;
}

/**
 * Hands each JSON line `child` prints to `handle` as it comes. A line that is not JSON goes into
 * `stderr`, so the error that follows shows it instead of the worker dying on a parse error.
 */
function onJsonLines(
  child: ChildProcess,
  stderr: { text: string },
  handle: (line: Record<string, unknown>) => void,
): void {
  let buffered = '';
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
        stderr.text += `(not a JSON line on stdout: ${line})\n`;
        continue;
      }
      handle(parsed);
    }
  });
}

/** A started `receive` run of an SDK program: an HTTP server on loopback. */
export interface ReceiverProgram {
  port: number;
  url: string;
  /** Every JSON line it printed after `{"listening": <port>}`, one per request, in order. */
  lines: Record<string, unknown>[];
  stderr(): string;
  /** Closes its stdin and SIGTERMs it (SIGKILL 5 s later), and waits for the exit. */
  close(): Promise<void>;
}

/**
 * Waits until a `receive` run of an SDK program (`label` names it in errors) prints
 * `{"listening": <port>}`, and collects every line after it. The program must exit when its stdin
 * closes: stdin stays open, so it cannot outlive this process. Rejects, killing it, when it exits
 * first or does not listen within `startTimeoutMs`.
 */
export async function startReceiverProgram(
  child: ChildProcess,
  label: string,
  startTimeoutMs: number,
): Promise<ReceiverProgram> {
  const lines: Record<string, unknown>[] = [];
  const stderr = collectText(child.stderr!);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label} did not listen in ${startTimeoutMs} ms; stderr: ${stderr.text}`));
    }, startTimeoutMs);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited with ${code ?? signal}; stderr: ${stderr.text}`));
    };
    child.once('exit', onExit);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    onJsonLines(child, stderr, (line) => {
      if (typeof line['listening'] !== 'number') lines.push(line);
      else {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(line['listening']);
      }
    });
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    lines,
    stderr: () => stderr.text,
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

/**
 * A receiver program that prints one line per request, with the event's `attributes` when its SDK
 * read one and an error when it refused the request: the Python and Java programs.
 */
export interface RequestReceiver<T extends { attributes?: Record<string, unknown> }> {
  port: number;
  url: string;
  /** Every request so far, in order. */
  received: T[];
  /**
   * Waits until an event with each of `ids` has been read (repeats of one event cannot stand in
   * for another still missing); resolves with them by id, rejects naming the missing ones.
   */
  waitForIds(ids: Iterable<string>, timeoutMs?: number): Promise<Map<string, T>>;
  stderr(): string;
  close(): Promise<void>;
}

/**
 * `program` as a RequestReceiver; `neverRead` starts the error message when events stay missing
 * (e.g. `the Java receiver never read`).
 */
export function requestReceiver<T extends { attributes?: Record<string, unknown> }>(
  program: ReceiverProgram,
  neverRead: string,
): RequestReceiver<T> {
  const received = program.lines as unknown as T[];
  const readById = () =>
    new Map(received.filter((r) => r.attributes !== undefined).map((r) => [String(r.attributes!['id']), r]));
  return {
    port: program.port,
    url: program.url,
    received,
    stderr: program.stderr,
    waitForIds: (ids, timeoutMs = 20_000) =>
      waitForIds(
        ids,
        readById,
        timeoutMs,
        (missing) =>
          `${neverRead} ${missing.join(', ')}; got ${JSON.stringify(received)}; stderr: ${program.stderr()}`,
      ),
    close: program.close,
  };
}
