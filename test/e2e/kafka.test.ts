// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are ce templates, whose ${...} is the manifest language
// The kafka Source through the real CLI, against real Kafka: records (binding-encoded and raw) to
// HTTP functions, routed by topic; Kafka killed and restarted mid-stream; the broker killed -9
// mid-stream; two brokers sharing a consumer group, one of them killed; a wrong address.
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Message, Partitioners, type Producer } from 'kafkajs';
import { request } from 'undici';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  type BrokerHandle,
  createKafkaTopics,
  externalBrokerUrl,
  freeLoopbackPort,
  kafkaBrokerList,
  startKafka,
  uniqueTopicName,
} from '../harness/index.js';
import {
  type BrokerProcess,
  runCli,
  scratch,
  sourceYaml,
  startBroker,
  startFunction,
  subscriptionYaml,
} from './support.js';

process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';

const sharedKafka = inject('kafkaBrokers');

/** Sends with acks -1 and says which messages Kafka confirmed; a failed send confirms none of its messages. */
function confirmingProducer(url: string) {
  let producer: Producer | undefined;
  const connect = async () => {
    producer ??= new Kafka({
      clientId: 'e2e-producer',
      brokers: kafkaBrokerList(url),
      logLevel: logLevel.NOTHING,
      retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1_000 },
    }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    return producer;
  };
  return {
    async send(topic: string, messages: Message[]): Promise<boolean> {
      try {
        await (await connect()).send({ topic, acks: -1, messages });
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await producer?.disconnect().catch(() => undefined);
    },
  };
}

/** Produces `{id}` records, `batch` at a time, until `until()` says stop; returns the confirmed ids. */
async function produceStream(
  producer: ReturnType<typeof confirmingProducer>,
  topic: string,
  prefix: string,
  until: (confirmed: number) => boolean,
  onBatch: (confirmed: number) => Promise<void> | void = () => undefined,
  batch = 25,
): Promise<string[]> {
  const confirmed: string[] = [];
  for (let next = 0; !until(confirmed.length); ) {
    const ids = Array.from({ length: batch }, () => `${prefix}-${next++}`);
    if (
      await producer.send(
        topic,
        ids.map((id) => ({ key: id, value: JSON.stringify({ id }) })),
      )
    )
      confirmed.push(...ids);
    else await sleep(100);
    await onBatch(confirmed.length);
  }
  return confirmed;
}

function kafkaSourceYaml(name: string, kafka: Record<string, unknown>, ce?: Record<string, unknown>): string {
  return sourceYaml(name, {
    kafka: { fromBeginning: true, sessionTimeout: 'PT6S', ...kafka },
    ce: ce ?? { type: 'com.example.stream', source: '/kafka/${topic}', id: '${body.id}' },
  });
}

const deliveredIds = (fn: Awaited<ReturnType<typeof startFunction>>, path?: string) =>
  new Set(
    fn.received.filter((r) => path === undefined || r.url === path).map((r) => String(r.headers['ce-id'])),
  );

async function waitForAll(
  fn: Awaited<ReturnType<typeof startFunction>>,
  ids: readonly string[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = deliveredIds(fn);
    const missing = ids.filter((id) => !got.has(id));
    if (missing.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(
        `${missing.length} of ${ids.length} confirmed records not delivered, e.g. ${missing.slice(0, 5).join(', ')}`,
      );
    await sleep(100);
  }
}

describe('kafka Source through the CLI', () => {
  const dirs: ReturnType<typeof scratch>[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    for (const d of dirs) d.dispose();
  });
  const fresh = () => {
    const d = scratch('tb-e2e-kafka-');
    dirs.push(d);
    return d;
  };
  const started = async (d: ReturnType<typeof scratch>): Promise<BrokerProcess> => {
    const broker = await startBroker(d.config, d.data);
    cleanups.push(() => broker.stop('SIGKILL'));
    return broker;
  };

  it('delivers binding-encoded and raw records with their attributes, routed by topic; dead-letters a malformed one', async () => {
    const base = uniqueTopicName('route');
    const orders = `${base}-orders`;
    const payments = `${base}-payments`;
    await createKafkaTopics(sharedKafka, [orders, payments]);
    const fn = await startFunction();
    cleanups.push(() => fn.close());
    const d = fresh();
    d.write(
      'source.yaml',
      kafkaSourceYaml(
        'shop',
        { brokers: [sharedKafka], topics: [orders, payments] },
        {
          type: 'com.example.kafka.${topic}',
          source: '/kafka/${topic}',
          subject: '${body.orderId}',
          extensions: { tenant: '${headers.x-tenant}', position: '${partition}-${offset}' },
        },
      ),
    );
    d.write(
      'orders.yaml',
      subscriptionYaml('orders', {
        filters: [{ exact: { source: `/kafka/${orders}` } }],
        sink: { uri: `${fn.url}/orders` },
      }),
    );
    d.write(
      'payments.yaml',
      subscriptionYaml('payments', {
        filters: [{ suffix: { source: '-payments' } }],
        sink: { uri: `${fn.url}/payments` },
      }),
    );
    d.write(
      'binding.yaml',
      subscriptionYaml('binding', {
        filters: [{ prefix: { type: 'com.example.binding.' } }],
        sink: { uri: `${fn.url}/binding` },
      }),
    );
    const broker = await started(d);
    const producer = confirmingProducer(sharedKafka);
    cleanups.push(() => producer.close());
    expect(
      await producer.send(orders, [
        {
          key: 'cust-1',
          value: '{"orderId":"o-1","total":42}',
          headers: { 'x-tenant': 'acme', 'content-type': 'application/json' },
        },
        {
          key: 'cust-2',
          value: Buffer.from([0xde, 0xad, 0xbe, 0xef]),
          headers: {
            ce_specversion: '1.0',
            ce_id: 'bin-1',
            ce_type: 'com.example.binding.binary',
            ce_source: '/producer',
            ce_subject: 'thing-1',
            'content-type': 'application/octet-stream',
          },
        },
        {
          value: 'not a CloudEvent',
          headers: { ce_specversion: '0.3', ce_id: 'x', ce_type: 't', ce_source: '/s' },
        },
      ]),
    ).toBe(true);
    expect(
      await producer.send(payments, [
        {
          value: JSON.stringify({
            specversion: '1.0',
            id: 'str-1',
            type: 'com.example.binding.structured',
            source: '/producer',
            data: { paid: true },
          }),
          headers: { 'content-type': 'application/cloudevents+json' },
        },
        { key: 'cust-3', value: '{"paymentId":"p-1"}' },
      ]),
    ).toBe(true);
    await fn.waitFor(4, 60_000);

    const at = (path: string) => fn.received.filter((r) => r.url === path);
    expect(at('/orders')).toHaveLength(1);
    const order = at('/orders')[0]!;
    expect(order.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-type': `com.example.kafka.${orders}`,
      'ce-source': `/kafka/${orders}`,
      'ce-subject': 'o-1',
      'ce-id': `${orders}/0/0`,
      'ce-tenant': 'acme',
      'ce-position': '0-0',
      'ce-partitionkey': 'cust-1',
      'content-type': 'application/json',
    });
    expect(order.body.toString()).toBe('{"orderId":"o-1","total":42}');

    expect(at('/payments')).toHaveLength(1);
    expect(at('/payments')[0]!.headers).toMatchObject({
      'ce-id': `${payments}/0/1`,
      'ce-partitionkey': 'cust-3',
    });
    expect(at('/payments')[0]!.headers['ce-subject']).toBeUndefined();

    const binding = new Map(at('/binding').map((r) => [String(r.headers['ce-id']), r]));
    expect(binding.size).toBe(2);
    expect(binding.get('bin-1')!.headers).toMatchObject({
      'ce-type': 'com.example.binding.binary',
      'ce-source': '/producer',
      'ce-subject': 'thing-1',
      'ce-partitionkey': 'cust-2',
      'content-type': 'application/octet-stream',
    });
    expect([...binding.get('bin-1')!.body]).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(binding.get('str-1')!.headers['ce-type']).toBe('com.example.binding.structured');
    expect(JSON.parse(binding.get('str-1')!.body.toString())).toEqual({ paid: true });

    expect(await broker.stop('SIGTERM')).toBe(0);
    const listed = await runCli(['deadletters', '--data', d.data, '--json']);
    const letters = listed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { reason: string; event: Record<string, unknown> });
    expect(letters).toHaveLength(1);
    expect(letters[0]!.event).toMatchObject({
      type: 'dev.triggerbroker.malformed',
      origintopic: orders,
      originoffset: '2',
    });
    expect(JSON.stringify(letters[0])).toMatch(/unsupported_specversion/);
  });

  it.skipIf(externalBrokerUrl('kafka') !== undefined)(
    'Kafka killed and restarted in the middle of a stream: every confirmed record is delivered',
    async () => {
      const kafka: BrokerHandle = await startKafka();
      cleanups.push(() => kafka.dispose());
      const topic = uniqueTopicName('kafka-crash');
      await createKafkaTopics(kafka.url, [{ topic, numPartitions: 2 }]);
      const fn = await startFunction();
      cleanups.push(() => fn.close());
      const d = fresh();
      d.write('source.yaml', kafkaSourceYaml('stream', { brokers: [kafka.url], topics: [topic] }));
      d.write('all.yaml', subscriptionYaml('all', { sink: { uri: `${fn.url}/fn` } }));
      const broker = await started(d);
      const producer = confirmingProducer(kafka.url);
      cleanups.push(() => producer.close());
      let crashed = false;
      const confirmed = await produceStream(
        producer,
        topic,
        'k',
        (n) => n >= 2_000 && crashed,
        async (n) => {
          if (!crashed && n >= 800) {
            crashed = true;
            await kafka.kill();
            await kafka.restart();
          }
        },
      );
      await waitForAll(fn, confirmed, 120_000);
      // The Source noticed: it went through reconnecting and is ready again.
      await broker.waitForLog((l) => l['msg'] === 'connector reconnecting', 1_000);
      const ready = await request(`${broker.url}/readyz`);
      expect(ready.statusCode).toBe(200);
      await ready.body.dump();
      expect(await broker.stop('SIGTERM')).toBe(0);
    },
    240_000,
  );

  it('trigger-broker killed -9 in the middle of a stream: after a restart every confirmed record is delivered', async () => {
    const topic = uniqueTopicName('tb-crash');
    await createKafkaTopics(sharedKafka, [{ topic, numPartitions: 2 }]);
    const fn = await startFunction();
    cleanups.push(() => fn.close());
    const d = fresh();
    d.write('source.yaml', kafkaSourceYaml('stream', { brokers: [sharedKafka], topics: [topic] }));
    d.write(
      'all.yaml',
      subscriptionYaml('all', { sink: { uri: `${fn.url}/fn` }, delivery: { concurrency: 4 } }),
    );
    let broker = await started(d);
    const producer = confirmingProducer(sharedKafka);
    cleanups.push(() => producer.close());
    let killed = false;
    const confirmed = await produceStream(
      producer,
      topic,
      't',
      (n) => n >= 2_000 && killed,
      async () => {
        if (!killed && fn.received.length >= 500) {
          killed = true;
          broker.child.kill('SIGKILL');
          await broker.stop();
        }
      },
    );
    expect(broker.child.signalCode).toBe('SIGKILL');
    expect(deliveredIds(fn).size).toBeLessThan(confirmed.length);
    broker = await started(d);
    await waitForAll(fn, confirmed, 120_000);
    expect(await broker.stop('SIGTERM')).toBe(0);
  }, 240_000); // the stream, the crash and the restart, then up to 120 s to deliver everything

  it('two brokers in one consumer group split a topic; when one is killed the other takes over its partitions', async () => {
    const topic = uniqueTopicName('group');
    await createKafkaTopics(sharedKafka, [{ topic, numPartitions: 4 }]);
    const fn = await startFunction();
    cleanups.push(() => fn.close());
    const source = kafkaSourceYaml('shared', {
      brokers: [sharedKafka],
      topics: [topic],
      groupId: `g-${topic}`,
    });
    const [a, b] = [fresh(), fresh()];
    a.write('source.yaml', source);
    a.write('all.yaml', subscriptionYaml('all', { sink: { uri: `${fn.url}/a` } }));
    b.write('source.yaml', source);
    b.write('all.yaml', subscriptionYaml('all', { sink: { uri: `${fn.url}/b` } }));
    const joinedWith = (n: number) => (l: Record<string, unknown>) => {
      const assignment = l['assignment'] as Record<string, number[]> | undefined;
      return l['msg'] === 'joined the Kafka consumer group' && assignment?.[topic]?.length === n;
    };
    const brokerA = await started(a);
    await brokerA.waitForLog(joinedWith(4), 60_000);
    const brokerB = await started(b);
    // The group rebalanced: two partitions each.
    await brokerB.waitForLog(joinedWith(2), 60_000);
    await brokerA.waitForLog(joinedWith(2), 60_000);

    const producer = confirmingProducer(sharedKafka);
    cleanups.push(() => producer.close());
    const first = await produceStream(producer, topic, 'p1', (n) => n >= 400);
    await waitForAll(fn, first, 60_000);
    expect(deliveredIds(fn, '/a').size).toBeGreaterThan(0);
    expect(deliveredIds(fn, '/b').size).toBeGreaterThan(0);

    brokerB.child.kill('SIGKILL');
    await brokerB.stop();
    const second = await produceStream(producer, topic, 'p2', (n) => n >= 400);
    // After B's session times out, A owns all four partitions and delivers what B would have.
    await waitForAll(fn, second, 90_000);
    const viaA = deliveredIds(fn, '/a');
    expect(second.every((id) => viaA.has(id))).toBe(true);
    expect(await brokerA.stop('SIGTERM')).toBe(0);
  });

  it('a wrong Kafka address: the broker runs, says so in one error line, shows the Source reconnecting in /readyz (still ready: intake works), and stops cleanly', async () => {
    const port = await freeLoopbackPort();
    const d = fresh();
    d.write('source.yaml', kafkaSourceYaml('nowhere', { brokers: [`127.0.0.1:${port}`], topics: ['t'] }));
    d.write('all.yaml', subscriptionYaml('all', { sink: { uri: 'http://127.0.0.1:9/x' } }));
    const broker = await started(d);
    const errorLine = await broker.waitForLog((l) => Number(l['level']) >= 50, 60_000);
    expect(errorLine).toMatchObject({ source: 'nowhere', connector: 'kafka' });
    expect(String(errorLine['msg'])).toMatch(
      new RegExp(`^cannot reach Kafka at 127\\.0\\.0\\.1:${port}: .*; retrying with backoff$`),
    );
    await broker.waitForLog(
      (l) => l['msg'] === 'connector reconnecting' && Number(l['attempt']) >= 2,
      60_000,
    );
    const ready = await request(`${broker.url}/readyz`);
    expect(ready.statusCode).toBe(200);
    const body = (await ready.body.json()) as {
      checks: Record<string, string>;
      sources: Record<string, { status: string; required: boolean }>;
    };
    expect(body.checks['source/nowhere']).toBe('reconnecting');
    expect(body.sources['nowhere']).toMatchObject({ kind: 'kafka', status: 'reconnecting', required: false });
    expect(broker.logs.filter((l) => Number(l['level']) >= 50)).toHaveLength(1);
    const stopping = Date.now();
    expect(await broker.stop('SIGTERM')).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(10_000);
  });
});
