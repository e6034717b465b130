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
import { AckPolicy, jetstream, jetstreamManager, type PubAck } from '@nats-io/jetstream';
import { connect, type MsgHdrs, type NatsConnection, headers as natsHeaders } from '@nats-io/transport-node';
import { Agent, request } from 'undici';
import { startNats } from '../test/harness/nats.js';
import {
  type ConnectorRow,
  connectorRow,
  isMain,
  MATCH_NOTHING,
  numberFlag,
  printConnectorTable,
  startCountingFunction,
  storedRate,
  UNLIMITED_PENDING,
  WindowRate,
  withBroker,
} from './support.js';

const IN_FLIGHT = 32;

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
      void request(functionUrl, {
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

export async function runNatsBench(options: { messages?: number } = {}): Promise<ConnectorRow[]> {
  const n = options.messages ?? 20_000;
  const nats = await startNats();
  const nc = await connect({ servers: nats.url });
  // Each message's id arrives as ce-id on both sides; the rate runs from a tenth of them to the last.
  const fn = await startCountingFunction({ count: 'distinct ce-id', from: 0.1 });
  const rows: ConnectorRow[] = [];
  const broker = { limits: UNLIMITED_PENDING };
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
      const brokerPerSec = await withBroker(
        { broker, source, subscription: { sink: { uri: fn.url } } },
        () => brokerRate,
      );
      rows.push(connectorRow(scenario.name, brokerPerSec, baselinePerSec));
    }

    // Where the time goes: the same stream into the store only (no subscription matches), beside
    // nats.js only reading and acking it.
    const readOnlyPerSec = await consumeOnlyRate(nc, 'BENCH_0', n);
    const source = {
      nats: { servers: [nats.url], subject: 'bench.0.>', stream: 'BENCH_0', durable: 'broker-store-only' },
      ce: SCENARIOS[0]!.ce,
    };
    const storedPerSec = await withBroker({ broker, source, subscription: MATCH_NOTHING }, (b) =>
      storedRate(b.port, n, 300_000),
    );
    rows.push(
      connectorRow(
        'raw JSON messages into the store only (baseline: nats.js reading and acking, nothing else)',
        storedPerSec,
        readOnlyPerSec,
      ),
    );
  } finally {
    await fn.close();
    await nc.close();
    await nats.dispose();
  }
  return rows;
}

export const NATS_HEADING =
  'nats: messages/s from a JetStream stream to a local HTTP function (baseline: a nats.js pull consumer POSTing each message with undici, 32 in flight, no storage)';

if (isMain(import.meta.url)) {
  const messages = numberFlag('messages');
  printConnectorTable(NATS_HEADING, await runNatsBench(messages ? { messages } : {}));
}
