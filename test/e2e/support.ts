import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(REPO_ROOT, 'bin', 'trigger-broker.js');

/**
 * Broker processes started by this file's tests and still running. A test that times out never
 * reaches its `finally`, so whatever it started is killed when the file's tests are done (and, at
 * the latest, when the test process exits), instead of holding ports and CPU for the rest of the run.
 */
const running = new Set<ChildProcess>();
const killRunning = () => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
};
afterAll(killRunning);
process.once('exit', killRunning);

/** A scratch directory for one test: config/ for manifests, data/ for the store. */
export function scratch(prefix = 'tb-e2e-'): {
  dir: string;
  config: string;
  data: string;
  write(file: string, text: string): void;
  dispose(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const config = join(dir, 'config');
  const data = join(dir, 'data');
  mkdirSync(config);
  return {
    dir,
    config,
    data,
    write(file, text) {
      const path = join(config, file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs the real CLI as a child process. With `timeoutMs`, a command still running by then is
 * killed and resolves with code null (a `start` that should have refused to run, but runs).
 */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  options: { timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, cwd: REPO_ROOT });
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (options.timeoutMs !== undefined) {
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('exit', () => clearTimeout(timer));
  }
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolveRun) => child.on('close', (code) => resolveRun({ code, stdout, stderr })));
}

export interface BrokerProcess {
  port: number;
  url: string;
  child: ChildProcess;
  /** Every JSON log line so far. */
  logs: Record<string, unknown>[];
  stderr(): string;
  /** Waits until a log line satisfies `test`. */
  waitForLog(
    test: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Sends a signal and waits for the exit; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `trigger-broker start` on a free loopback port and waits until it listens. */
export async function startBroker(
  configDir: string,
  dataDir: string,
  env: NodeJS.ProcessEnv = {},
  /** Run as another user (a test running as root that needs permissions to matter). */
  user: { uid?: number; gid?: number } = {},
): Promise<BrokerProcess> {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'start',
      configDir,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data',
      dataDir,
      '--log-level',
      'debug',
    ],
    {
      env: { ...process.env, ...env },
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...user,
    },
  );
  running.add(child);
  child.once('exit', () => running.delete(child));
  const logs: Record<string, unknown>[] = [];
  const waiters = new Set<{
    test: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }>();
  let buffered = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let nl = buffered.indexOf('\n');
    while (nl >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      nl = buffered.indexOf('\n');
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        logs.push(parsed);
        for (const w of waiters) {
          if (w.test(parsed)) {
            waiters.delete(w);
            w.resolve(parsed);
          }
        }
      } catch {
        // not a log line
      }
    }
  });
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = once(child, 'exit');
  const waitForLog = (test: (line: Record<string, unknown>) => boolean, timeoutMs = 20_000) => {
    const found = logs.find(test);
    if (found) return Promise.resolve(found);
    return new Promise<Record<string, unknown>>((resolveWait, reject) => {
      const waiter = { test, resolve: resolveWait };
      waiters.add(waiter);
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`log line not seen in ${timeoutMs} ms; stderr: ${stderr}`));
      }, timeoutMs);
      timer.unref();
      void exited.then(() => {
        if (waiters.delete(waiter)) reject(new Error(`broker exited; stderr: ${stderr}`));
      });
    });
  };
  const listening = await waitForLog((l) => l['msg'] === 'trigger-broker listening');
  const port = Number(listening['port']);
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    logs,
    stderr: () => stderr,
    waitForLog,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * A real local HTTP function. `respond` decides each answer (default 200), so a test can
 * make it fail, fail then succeed, or hang.
 */
export async function startFunction(
  respond?: (req: ReceivedRequest, n: number) => number | Promise<number>,
): Promise<{
  url: string;
  /** Requests answered 2xx. */
  received: ReceivedRequest[];
  /** Every request answered, whatever the answer. */
  attempts: ReceivedRequest[];
  /** Every request as soon as it arrived, before it is answered. */
  arrived: ReceivedRequest[];
  waitFor(
    count: number,
    timeoutMs?: number,
    filter?: (r: ReceivedRequest) => boolean,
  ): Promise<ReceivedRequest[]>;
  /**
   * Waits until every one of `ids` (ce-id) has been answered 2xx, among requests passing
   * `filter`; rejects listing the ones still missing. Unlike a count, repeats of one event (at
   * least once) cannot make up for another one still on its way.
   */
  waitForIds(
    ids: Iterable<string>,
    timeoutMs?: number,
    filter?: (r: ReceivedRequest) => boolean,
  ): Promise<void>;
  close(): Promise<void>;
  server: Server;
}> {
  const received: ReceivedRequest[] = [];
  const attempts: ReceivedRequest[] = [];
  const arrived: ReceivedRequest[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      n += 1;
      arrived.push(r);
      Promise.resolve(respond ? respond(r, n) : 200).then(
        (status) => {
          attempts.push(r);
          if (status >= 200 && status < 300) received.push(r);
          if (!res.destroyed)
            res
              .writeHead(status, { 'content-type': 'text/plain' })
              .end(status >= 300 ? `status ${status}` : '');
        },
        () => res.destroy(),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    attempts,
    arrived,
    server,
    async waitFor(count, timeoutMs = 20_000, filter = () => true) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = received.filter(filter);
        if (matching.length >= count) return matching;
        if (Date.now() > deadline) throw new Error(`expected ${count} deliveries, got ${matching.length}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async waitForIds(ids, timeoutMs = 20_000, filter = () => true) {
      const wanted = [...ids];
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const got = new Set(received.filter(filter).map((r) => String(r.headers['ce-id'])));
        const missing = wanted.filter((id) => !got.has(id));
        if (missing.length === 0) return;
        if (Date.now() > deadline)
          throw new Error(
            `${missing.length} of ${wanted.length} never delivered: ${missing.slice(0, 10).join(', ')}`,
          );
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** The YAML of one Subscription manifest. */
export function subscriptionYaml(name: string, spec: Record<string, unknown>): string {
  return `apiVersion: trigger-broker/v1\nkind: Subscription\nmetadata: { name: ${name} }\nspec: ${JSON.stringify(spec)}\n`;
}

export function sourceYaml(name: string, spec: Record<string, unknown>): string {
  return `apiVersion: trigger-broker/v1\nkind: Source\nmetadata: { name: ${name} }\nspec: ${JSON.stringify(spec)}\n`;
}

export function writeFile(path: string, text: string): void {
  writeFileSync(path, text);
}

/**
 * Scratch directories for the tests of one file, all removed after the file: call
 * `scratchDirs()` inside a `describe`, then `fresh()` in each test.
 */
export function scratchDirs(): () => ReturnType<typeof scratch> {
  const dirs: ReturnType<typeof scratch>[] = [];
  afterAll(() => {
    for (const d of dirs) d.dispose();
  });
  return () => {
    const d = scratch();
    dirs.push(d);
    return d;
  };
}
