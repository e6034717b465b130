/**
 * A matcher under test in a process of its own (ours in Node, event-ruler in a JVM), spoken to in
 * lines over stdin and stdout, one request at a time:
 *
 *   (child, once loaded)  ready
 *   matches <mode>        one line per event, `m` and the ids of the rules it matched, then `end`
 *   run <mode> <seconds>  rate <events/s> <checksum>
 *
 * `mode` is how events are handed to the matcher: `text` (JSON text; both) or `parsed` (ours only).
 *   (stdin closed)        the child exits
 *
 * Processes, not threads: each matcher gets its own heap and JIT, and both can be pinned to the
 * same core with taskset, so neither gets a second core the other does not.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';

export type Mode = 'text' | 'parsed';

export class LineProcess {
  private readonly child: ChildProcess;
  private readonly lines: Interface;
  private readonly queue: string[] = [];
  private waiting: ((line: string | undefined) => void) | undefined;
  private ended = false;
  /** The end of the child's stderr, for the message when it fails. */
  private stderr = '';

  constructor(
    readonly label: string,
    command: string,
    args: readonly string[],
    /** A core to pin the process to (`taskset -c`), or undefined to leave it unpinned. */
    core: number | undefined,
    cwd?: string,
  ) {
    const [file, argv] =
      core === undefined ? [command, [...args]] : ['taskset', ['-c', String(core), command, ...args]];
    this.child = spawn(file, argv, { stdio: ['pipe', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    this.lines = createInterface({ input: this.child.stdout! });
    this.lines.on('line', (line) => this.deliver(line));
    this.lines.on('close', () => {
      this.ended = true;
      this.deliver(undefined);
    });
    this.child.on('error', (error) => {
      this.stderr += `\n${error.message}`;
    });
  }

  private deliver(line: string | undefined): void {
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting(line);
    } else if (line !== undefined) this.queue.push(line);
  }

  /** The next line the child writes; fails with its stderr when it exits first. */
  private nextLine(): Promise<string> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.ended) return Promise.reject(this.failure());
    return new Promise((resolve, reject) => {
      this.waiting = (line) => (line === undefined ? reject(this.failure()) : resolve(line));
    });
  }

  private failure(): Error {
    const exit = this.child.exitCode ?? this.child.signalCode ?? 'closed its output';
    return new Error(`${this.label} exited (${exit}) unexpectedly:\n${this.stderr.trim()}`);
  }

  private send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  async ready(): Promise<void> {
    const line = await this.nextLine();
    if (line !== 'ready') throw new Error(`${this.label}: expected "ready", got ${JSON.stringify(line)}`);
  }

  /** The ids of the rules each event matches, ascending, in event order. */
  async matches(mode: Mode): Promise<number[][]> {
    this.send(`matches ${mode}`);
    const all: number[][] = [];
    for (;;) {
      const line = await this.nextLine();
      if (line === 'end') return all;
      if (!line.startsWith('m')) throw new Error(`${this.label}: unexpected line ${JSON.stringify(line)}`);
      all.push(
        line
          .slice(1)
          .trim()
          .split(' ')
          .filter((id) => id !== '')
          .map(Number)
          .sort((a, b) => a - b),
      );
    }
  }

  /** Matches for `seconds`, cycling through the events; events per second and a checksum. */
  async run(mode: Mode, seconds: number): Promise<{ eventsPerSec: number; checksum: number }> {
    this.send(`run ${mode} ${seconds}`);
    const line = await this.nextLine();
    const [word, rate, checksum] = line.split(' ');
    if (word !== 'rate') throw new Error(`${this.label}: expected a rate, got ${JSON.stringify(line)}`);
    return { eventsPerSec: Number(rate), checksum: Number(checksum) };
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin!.end();
    await exited;
  }
}
