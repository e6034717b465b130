// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are ce templates of the manifest language
/**
 * JetStream to a function: messages/s from a JetStream stream to a local HTTP function through
 * the real broker (CLI child process: nats Source with a durable pull consumer, each message
 * acked once stored in SQLite, then routed and delivered by the dispatcher), beside a raw
 * baseline measured in the same run: a nats.js pull consumer on the same stream POSTing each
 * message to the same function with undici (32 in flight, a subscription's default
 * concurrency) and acking it after the POST, storing nothing.
 *
 * Both read messages already in the stream. The rate is taken at the function, over distinct
 * ids, from the arrival of a tenth of the messages to the arrival of the last, so process
 * start-up and consumer setup are left out of both.
 *
 *   node --import tsx bench/nats.ts [--messages 20000]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { AckPolicy, jetstream, jetstreamManager, type PubAck } from '@nats-io/jetstream';
import { connect, type MsgHdrs, type NatsConnection, headers as natsHeaders } from '@nats-io/transport-node';
import { Agent, request } from 'undici';
import { startNats } from '../test/harness/nats.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const IN_FLIGHT = 32;

export interface NatsBenchRow {
  name: string;
  brokerPerSec: number;
  baselinePerSec: number;
  ratio: number;
}

interface Scenario {
  name: string;
  /** Payload and headers of message `i`; its id (`m-i`) reaches the function as `ce-id`. */
  message(i: number): { payload: string; headers: MsgHdrs | undefined };
  ce: Record<string, unknown> | undefined;
}

const payload = (i: number) =>
  JSON.stringify({ id: `m-${i}`, deviceId: 'sensor-7', temperature: 21.5, humidity: 40 });

const SCENARIOS: Scenario[] = [
  {
    name: 'raw JSON messages, ce mapping',
    message: (i) => {
      const h = natsHeaders();
      h.set('content-type', 'application/json');
      return { payload: payload(i), headers: h };
    },
    ce: { type: 'com.example.bench.reading', source: '/nats/${subject[1]}', id: '${body.id}' },
  },
  {
    name: 'binary-mode CloudEvents (ce- headers)',
    message: (i) => {
      const h = natsHeaders();
      h.set('ce-specversion', '1.0');
      h.set('ce-id', `m-${i}`);
      h.set('ce-type', 'com.example.bench.reading');
      h.set('ce-source', '/bench/sensor-7');
      h.set('ce-datacontenttype', 'application/json');
      return { payload: payload(i), headers: h };
    },
    ce: undefined,
  },
];

/** The function both sides deliver to: answers 200 and times the arrival of distinct ids. */
async function startCountingFunction() {
  const seen = new Set<string>();
  let target = Number.POSITIVE_INFINITY;
  let windowStart: { at: number; count: number } | undefined;
  let done: (rate: number) => void = () => undefined;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['ce-id']);
      if (!seen.has(id)) {
        seen.add(id);
        const now = performance.now();
        if (windowStart === undefined && seen.size >= target / 10)
          windowStart = { at: now, count: seen.size };
        if (seen.size === target && windowStart !== undefined) {
          done((seen.size - windowStart.count) / ((now - windowStart.at) / 1000));
        }
      }
      res.writeHead(200).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Starts counting afresh; resolves with messages/s once `n` distinct ids arrived. */
    measure(n: number, timeoutMs: number): Promise<number> {
      seen.clear();
      windowStart = undefined;
      target = n;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`only ${seen.size} of ${n} messages arrived`)),
          timeoutMs,
        );
        done = (rate) => {
          clearTimeout(timer);
          resolve(rate);
        };
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Fills the stream, a window of publishes at a time, each confirmed by its PubAck. */
async function fillStream(nc: NatsConnection, subject: string, scenario: Scenario, n: number): Promise<void> {
  const js = jetstream(nc);
  for (let i = 0; i < n; i += 500) {
    const acks: Promise<PubAck>[] = [];
    for (let j = i; j < Math.min(i + 500, n); j++) {
      const { payload: body, headers } = scenario.message(j);
      acks.push(js.publish(subject, body, headers ? { headers } : undefined));
    }
    await Promise.all(acks);
  }
}

/** nats.js pulls the stream and POSTs each message, IN_FLIGHT at a time, acking it after the POST. */
async function runBaseline(
  nc: NatsConnection,
  stream: string,
  functionUrl: string,
): Promise<() => Promise<void>> {
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.add(stream, { durable_name: 'baseline', ack_policy: AckPolicy.Explicit });
  const consumer = await jetstream(nc).consumers.get(stream, 'baseline');
  const messages = await consumer.consume({ max_messages: 256 });
  const agent = new Agent({ connections: IN_FLIGHT, pipelining: 1 });
  let active = 0;
  let slotFreed: () => void = () => undefined;
  const loop = (async () => {
    for await (const m of messages) {
      while (active >= IN_FLIGHT) await new Promise<void>((resolve) => (slotFreed = resolve));
      active += 1;
      const id = m.headers?.get('ce-id') || (m.json<{ id: string }>().id as string);
      void request(`${functionUrl}/fn`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'ce-id': id },
        body: m.data,
        dispatcher: agent,
      })
        .then((res) => res.body.dump())
        .then(
          () => m.ack(),
          () => m.nak(),
        )
        .finally(() => {
          active -= 1;
          slotFreed();
        });
    }
  })();
  return async () => {
    await messages.close();
    await loop;
    await agent.close();
  };
}

/** A rate over the stretch from a tenth of `n` to all of it (start-up left out). */
class WindowRate {
  private start: { at: number; count: number } | undefined;
  constructor(private readonly n: number) {}
  /** Notes the count now; returns the rate once it reached `n`. */
  observe(count: number): number | undefined {
    const now = performance.now();
    if (this.start === undefined && count >= this.n / 10) this.start = { at: now, count };
    if (this.start === undefined || count < this.n || count === this.start.count) return undefined;
    return (count - this.start.count) / ((now - this.start.at) / 1000);
  }
}

/** nats.js pulling the stream and acking each message, doing nothing else: the ceiling of any consumer. */
async function consumeOnlyRate(nc: NatsConnection, stream: string, n: number): Promise<number> {
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.add(stream, { durable_name: 'consume-only', ack_policy: AckPolicy.Explicit });
  const messages = await (await jetstream(nc).consumers.get(stream, 'consume-only')).consume({
    max_messages: 256,
  });
  const window = new WindowRate(n);
  let count = 0;
  try {
    for await (const m of messages) {
      m.ack();
      const rate = window.observe(++count);
      if (rate !== undefined) return rate;
    }
    throw new Error('the consumer stopped early');
  } finally {
    await messages.close();
  }
}

/** Polls the broker's accepted-events counter until `n` events are stored. */
async function storedRate(port: number, n: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const window = new WindowRate(n);
  for (;;) {
    if (Date.now() > deadline) throw new Error(`the broker stored fewer than ${n} events in time`);
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const count = [...text.matchAll(/^trigger_broker_events_accepted_total\{[^}]*\} (\d+)/gm)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
    const rate = window.observe(count);
    if (rate !== undefined) return rate;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Starts `trigger-broker start` on `dir/config` and resolves once it listens. */
async function startBrokerProcess(dir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bin', 'trigger-broker.js'),
      'start',
      join(dir, 'config'),
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data',
      join(dir, 'data'),
      '--log-level',
      'info',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the broker exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (/"level":(50|60)/.test(line)) process.stderr.write(`[broker] ${line}\n`);
      if (line.includes('"msg":"trigger-broker listening"')) resolve(Number(JSON.parse(line).port));
    });
  });
  return { child, port };
}

/** The broker's configuration: the nats Source and one subscription (to the function, or matching nothing). */
function writeBrokerConfig(dir: string, source: Record<string, unknown>, sinkUrl: string | undefined): void {
  const manifest = (kind: string, name: string, spec: unknown) =>
    `apiVersion: trigger-broker/v1\nkind: ${kind}\nmetadata: { name: ${name} }\nspec: ${JSON.stringify(spec)}\n`;
  mkdirSync(join(dir, 'config'));
  writeFileSync(
    join(dir, 'config', 'broker.yaml'),
    manifest('Broker', 'bench', { limits: { maxPendingEvents: 1_000_000 } }),
  );
  writeFileSync(join(dir, 'config', 'source.yaml'), manifest('Source', 'bench', source));
  const subscription =
    sinkUrl === undefined
      ? { filters: [{ exact: { type: 'com.example.nothing' } }], sink: { uri: 'http://127.0.0.1:9/x' } }
      : { sink: { uri: sinkUrl } };
  writeFileSync(join(dir, 'config', 'sub.yaml'), manifest('Subscription', 'fn', subscription));
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

export async function runNatsBench(options: { messages?: number } = {}): Promise<NatsBenchRow[]> {
  const n = options.messages ?? 20_000;
  const nats = await startNats();
  const nc = await connect({ servers: nats.url });
  const fn = await startCountingFunction();
  const rows: NatsBenchRow[] = [];
  const withBroker = async <T>(
    source: Record<string, unknown>,
    sinkUrl: string | undefined,
    measure: (port: number) => Promise<T>,
  ): Promise<T> => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-bench-nats-'));
    try {
      writeBrokerConfig(dir, source, sinkUrl);
      const broker = await startBrokerProcess(dir);
      try {
        return await measure(broker.port);
      } finally {
        await stopProcess(broker.child);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    for (const [index, scenario] of SCENARIOS.entries()) {
      const stream = `BENCH_${index}`;
      const subject = `bench.${index}.readings`;
      await (await jetstreamManager(nc)).streams.add({ name: stream, subjects: [`bench.${index}.>`] });
      await fillStream(nc, subject, scenario, n);

      const baselineRate = fn.measure(n, 300_000);
      const stopBaseline = await runBaseline(nc, stream, fn.url);
      const baselinePerSec = await baselineRate.finally(stopBaseline);

      const source = {
        nats: { servers: [nats.url], subject: `bench.${index}.>`, stream, durable: `broker-${index}` },
        ...(scenario.ce ? { ce: scenario.ce } : {}),
      };
      const brokerRate = fn.measure(n, 300_000);
      const brokerPerSec = await withBroker(source, `${fn.url}/fn`, () => brokerRate);
      rows.push({ name: scenario.name, brokerPerSec, baselinePerSec, ratio: brokerPerSec / baselinePerSec });
    }

    // Where the time goes: the same stream into the store only (no subscription matches), beside
    // nats.js only reading and acking it.
    const readOnlyPerSec = await consumeOnlyRate(nc, 'BENCH_0', n);
    const storedPerSec = await withBroker(
      {
        nats: { servers: [nats.url], subject: 'bench.0.>', stream: 'BENCH_0', durable: 'broker-store-only' },
        ce: SCENARIOS[0]!.ce,
      },
      undefined,
      (port) => storedRate(port, n, 300_000),
    );
    rows.push({
      name: 'raw JSON messages into the store only (baseline: nats.js reading and acking, nothing else)',
      brokerPerSec: storedPerSec,
      baselinePerSec: readOnlyPerSec,
      ratio: storedPerSec / readOnlyPerSec,
    });
  } finally {
    await fn.close();
    await nc.close();
    await nats.dispose();
  }
  return rows;
}

export function printNatsRows(rows: NatsBenchRow[]): void {
  console.log(
    '\nnats: messages/s from a JetStream stream to a local HTTP function (baseline: a nats.js pull consumer POSTing each message with undici, 32 in flight, no storage)',
  );
  console.log('| scenario | trigger-broker msg/s | baseline msg/s | ratio |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${Math.round(r.brokerPerSec).toLocaleString('en-US')} | ${Math.round(r.baselinePerSec).toLocaleString('en-US')} | ${r.ratio.toFixed(2)} |`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--messages');
  const messages = at > 0 ? Number(process.argv[at + 1]) : undefined;
  printNatsRows(await runNatsBench(messages ? { messages } : {}));
}
