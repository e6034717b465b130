/**
 * An open-loop HTTP load generator at a fixed rate, for latency (bench/e2e.ts runs it as a
 * process of its own). wrk cannot pace its requests, and autocannon's `overallRate` sends each
 * second's requests in a burst at the start of the second; this one sends event i when it is
 * due, at start + i / rate, whatever the earlier requests are doing.
 *
 * It speaks HTTP/1.1 itself over a fixed set of keep-alive connections (one request in flight
 * on each, as wrk does), each request written in one write(2) from a template: on this machine
 * that costs about 60 µs of CPU per request, against about 90 µs through undici's Pool, and
 * the CPU it leaves is what the function, on the same core, needs. A 1 ms timer dispatches
 * every request that has come due; one finding no idle connection waits for the first to free
 * up (its due time stays what it was, so that waiting counts in the latency: no coordinated
 * omission). The report separates the generator's own lateness (how late its timer found each
 * request due) from waits for a connection (all of them awaiting the side's answers). Each request carries its due time in a `ce-sentat` header, in microseconds of
 * CLOCK_MONOTONIC (process.hrtime), a clock every process on the machine shares.
 */
import { connect, type Socket } from 'node:net';

export interface PaceOptions {
  /** http://host:port; requests go to `path` there. */
  url: string;
  path: string;
  /** Headers of every request (names lowercase), beside ce-id, ce-sentat and content-length. */
  headers: Record<string, string>;
  body: string;
  /** Requests per second, and for how long. */
  rate: number;
  seconds: number;
  connections: number;
  /** ce-id of request i: `<idPrefix>-<i>`. */
  idPrefix: string;
  /** Requests due in the first this many seconds are sent but left out of lag and answer times. */
  warmupSeconds: number;
}

export interface PaceReport {
  /** Due time of request 0 (µs, CLOCK_MONOTONIC). */
  startUs: number;
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** Requests dispatched per second, from the first due time to the last dispatch. */
  keptRate: number;
  /**
   * How late the generator's timer found requests due (µs), after the warm-up: its own
   * lateness, whatever the side under test does.
   */
  lagP50Us: number;
  lagP99Us: number;
  lagMaxUs: number;
  /**
   * Requests (after the warm-up) that found all connections busy, each waiting for an answer
   * from the side under test, and were sent once one came (their latency counts the wait).
   */
  waited: number;
  /** From the due time to the response (µs), after the warm-up. */
  answerP50Us: number;
  answerP99Us: number;
  /** CPU the generator used from its start to its last response, as a share of one core. */
  cpu: number;
  /** The same in seconds. */
  cpuSeconds: number;
}

/** Microseconds of CLOCK_MONOTONIC: the same clock in every process of the machine. */
export const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** Opens the connections; `start()` then sends and resolves with the report once every answer is in. */
export async function preparePace(options: PaceOptions): Promise<{ start(): Promise<PaceReport> }> {
  const target = new URL(options.url);
  const total = Math.round(options.rate * options.seconds);
  const intervalUs = 1e6 / options.rate;
  const timerLag = new Float64Array(total);
  const queued = new Uint8Array(total);
  const answer = new Float64Array(total);
  const due = new Float64Array(total);
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let answered = 0;
  let allAnswered: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    allAnswered = resolve;
  });
  const head =
    `POST ${options.path} HTTP/1.1\r\nhost: ${target.host}\r\n` +
    Object.entries(options.headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('') +
    `content-length: ${Buffer.byteLength(options.body)}\r\n`;

  const idle: Connection[] = [];
  const waiting: number[] = [];
  const settle = (i: number, outcome: 'ok' | 'non2xx' | 'error') => {
    answer[i] = monotonicUs() - due[i]!;
    if (outcome === 'ok') ok++;
    else if (outcome === 'non2xx') non2xx++;
    else errors++;
    if (++answered === total) allAnswered();
  };

  class Connection {
    private readonly socket: Socket;
    private buffer = '';
    private inFlight = -1;

    constructor(ready?: () => void) {
      this.socket = connect(Number(target.port), target.hostname);
      this.socket.setNoDelay(true);
      this.socket.setEncoding('latin1');
      this.socket.once('connect', () => {
        this.free();
        ready?.();
      });
      this.socket.on('data', (chunk: string) => this.read(chunk));
      this.socket.on('error', () => undefined);
      this.socket.once('close', () => {
        // The server closed it: the request on it failed; a new connection takes its place.
        const index = idle.indexOf(this);
        if (index >= 0) idle.splice(index, 1);
        if (this.inFlight >= 0) settle(this.inFlight, 'error');
        if (answered < total) new Connection();
      });
    }

    send(i: number): void {
      this.inFlight = i;
      const sentAt = Math.round(due[i]!);
      this.socket.write(
        `${head}ce-id: ${options.idPrefix}-${i}\r\nce-sentat: ${sentAt}\r\n\r\n${options.body}`,
        'latin1',
      );
    }

    /** Takes the next waiting request, or goes idle. */
    private free(): void {
      const next = waiting.shift();
      if (next === undefined) idle.push(this);
      else this.send(next);
    }

    /** Reads whole responses: a status line, headers, and a content-length or chunked body. */
    private read(chunk: string): void {
      this.buffer += chunk;
      for (;;) {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const headers = this.buffer.slice(0, end);
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(headers);
        let size: number;
        if (length) size = end + 4 + Number(length[1]);
        else if (/\r\ntransfer-encoding:\s*chunked/i.test(headers)) {
          // The last chunk, `0\r\n\r\n`, right after the headers' blank line or a chunk's data.
          const last = this.buffer.indexOf('\r\n0\r\n\r\n', end + 2);
          if (last < 0) return;
          size = last + 7;
        } else size = end + 4;
        if (this.buffer.length < size) return;
        const status = Number(this.buffer.slice(9, 12));
        this.buffer = this.buffer.slice(size);
        const i = this.inFlight;
        this.inFlight = -1;
        if (i >= 0) settle(i, status >= 200 && status < 300 ? 'ok' : 'non2xx');
        this.free();
      }
    }
  }

  await Promise.all(
    Array.from(
      { length: options.connections },
      () => new Promise<void>((resolve) => new Connection(resolve)),
    ),
  );

  return {
    async start() {
      const cpuAtStart = process.cpuUsage();
      const startUs = monotonicUs() + 1000;
      for (let i = 0; i < total; i++) due[i] = startUs + i * intervalUs;
      let sent = 0;
      let lastDispatchUs = startUs;
      await new Promise<void>((resolve) => {
        const tick = () => {
          const now = monotonicUs();
          while (sent < total && due[sent]! <= now) {
            timerLag[sent] = now - due[sent]!;
            const connection = idle.pop();
            if (connection !== undefined) connection.send(sent);
            else {
              queued[sent] = 1;
              waiting.push(sent);
            }
            sent++;
          }
          lastDispatchUs = now;
          if (sent < total) setTimeout(tick, 1);
          else resolve();
        };
        setTimeout(tick, 1);
      });
      await finished;
      const used = process.cpuUsage(cpuAtStart);
      const cpuSeconds = (used.user + used.system) / 1e6;
      const cpu = cpuSeconds / ((monotonicUs() - startUs) / 1e6);
      const skip = Math.min(total, Math.round(options.rate * options.warmupSeconds));
      const lags = timerLag.slice(skip).sort();
      const waited = queued.slice(skip).reduce((sum, q) => sum + q, 0);
      const answers = answer.slice(skip).sort();
      return {
        startUs,
        sent,
        ok,
        non2xx,
        errors,
        keptRate: (sent - 1) / ((lastDispatchUs - startUs) / 1e6),
        lagP50Us: percentile(lags, 0.5),
        lagP99Us: percentile(lags, 0.99),
        lagMaxUs: lags[lags.length - 1] ?? Number.NaN,
        waited,
        answerP50Us: percentile(answers, 0.5),
        answerP99Us: percentile(answers, 0.99),
        cpu,
        cpuSeconds,
      };
    },
  };
}
