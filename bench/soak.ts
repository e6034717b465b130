/**
 * Soak: a steady rate of events for a long time (default 30 minutes) into the real broker, whose
 * one subscription delivers to a function that flaps (healthy, then answering 503, in turns).
 * Every sample prints the broker's resident memory, open file descriptors and event-loop delay
 * beside the same figures of the bare fastify baseline (bench/baseline-server.mjs) taking the
 * same rate in the same run, and the p99 time to a 202 on each side. At the end the load stops,
 * the function heals, and the run waits for every accepted event to be delivered: it reports
 * events lost (must be 0) and duplicates.
 *
 * Not part of `npm run bench` by default (it takes half an hour): `npm run bench -- soak`, or
 *   node --import tsx bench/soak.ts [--minutes 30] [--rate 200] [--flap-seconds 20] [--sample-seconds 60]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Pool } from 'undici';
import {
  isMain,
  numberFlag,
  ROOT,
  startNodeProcess,
  stopProcess,
  UNLIMITED_PENDING,
  withBroker,
} from './support.js';

export interface SoakOptions {
  minutes: number;
  /** Events per second offered to each side. */
  rate: number;
  /** The function is healthy for this long, then fails for this long, and so on. */
  flapSeconds: number;
  sampleSeconds: number;
}

export interface SoakSample {
  minute: number;
  brokerRssMb: number;
  brokerFds: number;
  brokerLoopP99Ms: number;
  brokerP99Ms: number;
  baselineRssMb: number;
  baselineFds: number;
  baselineP99Ms: number;
  acceptedPerSec: number;
  deliveredPerSec: number;
  backlog: number;
  generatorLoopP99Ms: number;
}

/** Resident set size (MB) and open descriptors of a process, from /proc. */
function processFigures(pid: number): { rssMb: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { rssMb: rssKb / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

/** A metric's value from a Prometheus text page (the first series of that name). */
function metric(page: string, name: string): number | undefined {
  const line = page.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Latencies of one interval, for its p99. */
class Latencies {
  private values: number[] = [];
  add(ms: number): void {
    this.values.push(ms);
  }
  takeP99(): number {
    const sorted = this.values.sort((a, b) => a - b);
    this.values = [];
    return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
  }
}

/** The flapping function: counts deliveries per event id; fails with 503 every other `flapSeconds`. */
async function startFlappingFunction(flapSeconds: number) {
  const deliveries = new Map<string, number>();
  let healthy = true;
  let forceHealthy = false;
  const flap = setInterval(() => {
    healthy = !healthy;
  }, flapSeconds * 1000);
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (!healthy && !forceHealthy) {
        res.writeHead(503).end('flapping');
        return;
      }
      const id = String(req.headers['ce-id']);
      deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
      res.writeHead(200).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fn`,
    deliveries,
    heal() {
      forceHealthy = true;
    },
    async close() {
      clearInterval(flap);
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

function eventRequest(id: string) {
  return {
    method: 'POST' as const,
    path: '/events',
    headers: {
      'ce-specversion': '1.0',
      'ce-id': id,
      'ce-source': '/bench/soak',
      'ce-type': 'com.example.bench.reading',
      'content-type': 'application/json',
    },
    body: JSON.stringify({ deviceId: 'sensor-7', temperature: 21.5, id }),
  };
}

export async function runSoak(options: SoakOptions): Promise<{ samples: SoakSample[]; summary: string }> {
  const fn = await startFlappingFunction(options.flapSeconds);
  const baseline = await startNodeProcess([join(ROOT, 'bench', 'baseline-server.mjs')], (line) =>
    line.includes('"listening"') ? (JSON.parse(line).address as string) : undefined,
  );
  try {
    return await withBroker(
      {
        broker: { limits: UNLIMITED_PENDING },
        subscription: {
          sink: { uri: fn.url },
          // Enough retries to outlast any outage of the flapping function: nothing dead-letters.
          delivery: { retry: 20, backoffPolicy: 'exponential', backoffDelay: 'PT0.5S', timeout: 'PT10S' },
        },
      },
      async (broker) => {
        const brokerPool = new Pool(broker.url, { connections: 32 });
        const baselinePool = new Pool(baseline.found, { connections: 32 });
        const brokerLatency = new Latencies();
        const baselineLatency = new Latencies();
        const generatorLoop = monitorEventLoopDelay({ resolution: 10 });
        generatorLoop.enable();
        let accepted = 0;
        let refused = 0;
        let sent = 0;
        const send = (pool: Pool, latencies: Latencies, id: string, count: boolean) => {
          const started = performance.now();
          pool.request(eventRequest(id)).then(
            async (res) => {
              await res.body.dump();
              latencies.add(performance.now() - started);
              if (count) {
                if (res.statusCode === 202) accepted += 1;
                else refused += 1;
              }
            },
            () => {
              if (count) refused += 1;
            },
          );
        };
        // Paced in 10 ms ticks against the wall clock, so a late tick catches up instead of
        // lowering the rate: `sent` follows `rate × elapsed` whatever the timer does.
        const started = Date.now();
        const pacer = setInterval(() => {
          const due = Math.floor(((Date.now() - started) / 1000) * options.rate);
          while (sent < due) {
            const id = `soak-${sent}`;
            send(brokerPool, brokerLatency, id, true);
            send(baselinePool, baselineLatency, id, false);
            sent += 1;
          }
        }, 10);

        const samples: SoakSample[] = [];
        const header =
          '| minute | broker RSS MB | broker fds | broker loop p99 ms | broker 202 p99 ms | baseline RSS MB | baseline fds | baseline 202 p99 ms | accepted/s | delivered/s | backlog | load generator loop p99 ms |';
        process.stdout.write(
          `soak: ${options.rate} events/s for ${options.minutes} min, function flapping every ${options.flapSeconds} s (baseline: bare fastify route, same rate)\n${header}\n| ${'---: | '.repeat(12).trim()}\n`,
        );
        let lastAccepted = 0;
        let lastDelivered = 0;
        const end = started + options.minutes * 60_000;
        while (Date.now() < end) {
          await new Promise((r) => setTimeout(r, Math.min(options.sampleSeconds * 1000, end - Date.now())));
          const page = await (await fetch(`${broker.url}/metrics`)).text();
          const b = processFigures(broker.child.pid!);
          const base = processFigures(baseline.child.pid!);
          const delivered = fn.deliveries.size;
          const sample: SoakSample = {
            minute: (Date.now() - started) / 60_000,
            brokerRssMb: b.rssMb,
            brokerFds: b.fds,
            brokerLoopP99Ms: (metric(page, 'trigger_broker_nodejs_eventloop_lag_p99_seconds') ?? 0) * 1000,
            brokerP99Ms: brokerLatency.takeP99(),
            baselineRssMb: base.rssMb,
            baselineFds: base.fds,
            baselineP99Ms: baselineLatency.takeP99(),
            acceptedPerSec: (accepted - lastAccepted) / options.sampleSeconds,
            deliveredPerSec: (delivered - lastDelivered) / options.sampleSeconds,
            backlog: accepted - delivered,
            generatorLoopP99Ms: generatorLoop.percentile(99) / 1e6,
          };
          generatorLoop.reset();
          lastAccepted = accepted;
          lastDelivered = delivered;
          samples.push(sample);
          const f = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
          process.stdout.write(
            `| ${f(sample.minute, 1)} | ${f(sample.brokerRssMb)} | ${sample.brokerFds} | ${f(sample.brokerLoopP99Ms, 1)} | ${f(sample.brokerP99Ms, 1)} | ${f(sample.baselineRssMb)} | ${sample.baselineFds} | ${f(sample.baselineP99Ms, 1)} | ${f(sample.acceptedPerSec)} | ${f(sample.deliveredPerSec)} | ${f(sample.backlog)} | ${f(sample.generatorLoopP99Ms, 1)} |\n`,
          );
        }
        clearInterval(pacer);
        // Drain: the function heals and every accepted event must arrive.
        fn.heal();
        const drainDeadline = Date.now() + 10 * 60_000;
        while (fn.deliveries.size < accepted && Date.now() < drainDeadline)
          await new Promise((r) => setTimeout(r, 1000));
        const duplicates = [...fn.deliveries.values()].reduce((sum, n) => sum + (n - 1), 0);
        const lost = accepted - fn.deliveries.size;
        const summary = `soak summary: ${sent} sent, ${accepted} accepted (202), ${refused} refused, ${fn.deliveries.size} delivered, ${lost} lost, ${duplicates} duplicate deliveries`;
        process.stdout.write(`${summary}\n`);
        await brokerPool.close();
        await baselinePool.close();
        return { samples, summary };
      },
    );
  } finally {
    await stopProcess(baseline.child);
    await fn.close();
  }
}

if (isMain(import.meta.url)) {
  await runSoak({
    minutes: numberFlag('minutes') ?? 30,
    rate: numberFlag('rate') ?? 200,
    flapSeconds: numberFlag('flap-seconds') ?? 20,
    sampleSeconds: numberFlag('sample-seconds') ?? 60,
  });
}
