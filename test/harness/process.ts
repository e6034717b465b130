import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** How to run one broker process; fixed for its life so that a restart reuses port and data. */
export interface ServerSpec {
  /** Short name: the log file is `<dir>/<name>.log` and errors name it. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Resolves true once the server answers in its own protocol. A listening socket is not enough:
   * Kafka and JetStream accept connections before they can serve requests.
   */
  isServing(): Promise<boolean>;
  readonly startTimeoutMs: number;
  /** How long SIGTERM gets before SIGKILL follows. */
  readonly stopTimeoutMs: number;
}

// Brokers still running when the test worker exits would outlive the run and hold their ports.
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackChild(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of liveChildren) c.kill('SIGKILL');
    });
  }
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

/** A fresh private directory for one broker: its configuration, data and log live there. */
export async function makeBrokerDir(name: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `trigger-broker-${name}-`));
}

/** One broker process that a test can stop, kill and start again on the same port and data. */
export class ServerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private exitDescription: string | undefined;
  readonly logFile: string;

  constructor(
    readonly dir: string,
    private readonly spec: ServerSpec,
  ) {
    this.logFile = join(dir, `${spec.name}.log`);
  }

  get running(): boolean {
    return this.child !== undefined && this.exitDescription === undefined;
  }

  /** Spawns the process and resolves once it serves; on failure the process is killed. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.spec.name} is already running`);
    this.spawnProcess();
    try {
      await this.waitUntilServing();
    } catch (error) {
      await this.kill();
      throw error;
    }
  }

  /** A clean shutdown: SIGTERM, then SIGKILL if the process has not exited in time. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGTERM');
    // The grace timer is cancelled once the process is gone: a pending timer would keep vitest's main
    // process (where global-kafka.ts runs) from exiting for the rest of the grace period.
    const grace = new AbortController();
    const stopped = await Promise.race([
      this.exited.then(() => true),
      sleep(this.spec.stopTimeoutMs, false, { signal: grace.signal }).catch(() => false),
    ]);
    grace.abort();
    if (!stopped) await this.kill();
  }

  /** A crash: SIGKILL, so nothing gets flushed or closed cleanly. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** Starts again with the same arguments, so the same port, configuration and data directory. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stops the process and deletes its directory. */
  async dispose(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  /** The last lines the process wrote, for error messages. */
  logTail(lines = 20): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  private spawnProcess(): void {
    // The process writes straight to a file: a pipe nobody drains would block a chatty broker, and
    // the file survives for a look after a failure. Restarts append to it.
    const log = openSync(this.logFile, 'a');
    writeSync(
      log,
      `--- ${new Date().toISOString()} starting ${this.spec.command} ${this.spec.args.join(' ')}\n`,
    );
    let child: ChildProcess;
    try {
      child = spawn(this.spec.command, [...this.spec.args], {
        cwd: this.dir,
        env: this.spec.env ?? process.env,
        stdio: ['ignore', log, log],
      });
    } finally {
      closeSync(log);
    }
    this.child = child;
    this.exitDescription = undefined;
    this.exited = new Promise((resolve) => {
      child.once('error', (error) => {
        this.exitDescription = `could not be run (${error.message})`;
        resolve();
      });
      child.once('exit', (code, signal) => {
        this.exitDescription = signal === null ? `exited with code ${code}` : `was ended by ${signal}`;
        resolve();
      });
    });
    trackChild(child);
  }

  private async waitUntilServing(): Promise<void> {
    const deadline = Date.now() + this.spec.startTimeoutMs;
    for (;;) {
      if (this.exitDescription !== undefined) {
        throw new Error(
          `${this.spec.name} ${this.exitDescription} before it served (${this.spec.command}; ` +
            `is it installed? run: bash test/harness/setup.sh). Last lines of ${this.logFile}:\n${this.logTail()}`,
        );
      }
      if (await this.spec.isServing().catch(() => false)) return;
      if (Date.now() > deadline) {
        throw new Error(
          `${this.spec.name} did not serve within ${this.spec.startTimeoutMs} ms. ` +
            `Last lines of ${this.logFile}:\n${this.logTail()}`,
        );
      }
      await sleep(100);
    }
  }
}

/**
 * The first executable found among `preferred` paths, then `name` on PATH, then `fallbacks`
 * (Debian puts mosquitto in /usr/sbin, which an ordinary user's PATH lacks). When none exists,
 * returns the bare name so that starting it fails with a message that says to run setup.sh.
 */
export function findExecutable(
  name: string,
  options: { preferred?: string[]; fallbacks?: string[] } = {},
): string {
  const pathDirs = (process.env['PATH'] ?? '').split(delimiter).filter((dir) => dir !== '');
  const candidates = [
    ...(options.preferred ?? []),
    ...pathDirs.map((dir) => join(dir, name)),
    ...(options.fallbacks ?? []),
  ];
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not there; try the next one
    }
  }
  return name;
}
