import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudEvent, type SdkFunction, startSdkFunction } from '../sinks/sdk-function.js';
import {
  type BrokerProcess,
  runCli,
  scratch,
  startBroker,
  startFunction,
  subscriptionYaml,
} from './support.js';

/**
 * Replies through the real CLI: a Knative-style function built on the CloudEvents SDK answers
 * events with new ones, which the broker stores and routes like any event; a function that
 * answers every event with another is stopped after maxHops; an answer that is not a CloudEvent
 * fails the delivery for good and is kept as a dead letter.
 */
describe('replies from knative functions', () => {
  const dir = scratch();
  let broker: BrokerProcess;
  let invoicer: SdkFunction;
  let echo: SdkFunction;
  let chatty: SdkFunction;
  let invoices: Awaited<ReturnType<typeof startFunction>>;

  beforeAll(async () => {
    invoicer = await startSdkFunction((order) => ({
      reply: new CloudEvent({
        id: `invoice-for-${order.id}`,
        source: '/functions/invoicer',
        type: 'com.example.invoice',
        data: { order: order.id, total: 12.5 },
      }),
    }));
    // Answers every ping with another ping: without a hop limit this never ends.
    echo = await startSdkFunction((ping) => ({
      reply: new CloudEvent({ id: `${ping.id}+`, source: '/functions/echo', type: 'com.example.ping' }),
      mode: 'structured',
    }));
    chatty = await startSdkFunction(() => ({ status: 200, body: 'done, thanks' }));
    invoices = await startFunction();
    const fast = { backoffDelay: 'PT0.05S', retry: 1, timeout: 'PT5S' };
    dir.write(
      'subs.yaml',
      [
        subscriptionYaml('invoicing', {
          filters: [{ exact: { type: 'com.example.order' } }],
          sink: { knative: { uri: invoicer.url } },
          delivery: fast,
        }),
        subscriptionYaml('invoices', {
          filters: [{ exact: { type: 'com.example.invoice' } }],
          sink: { uri: invoices.url },
          delivery: fast,
        }),
        subscriptionYaml('ping-pong', {
          filters: [{ exact: { type: 'com.example.ping' } }],
          sink: { knative: { uri: echo.url, maxHops: 3 } },
          delivery: fast,
        }),
        subscriptionYaml('chatty', {
          filters: [{ exact: { type: 'com.example.chat' } }],
          sink: { knative: { uri: chatty.url } },
          delivery: fast,
        }),
      ].join('---\n'),
    );
    broker = await startBroker(dir.config, dir.data);
  }, 60_000);

  afterAll(async () => {
    await broker?.stop();
    await Promise.all([invoicer.close(), echo.close(), chatty.close(), invoices.close()]);
    dir.dispose();
  });

  const send = async (attributes: Record<string, string>) => {
    const res = await request(`${broker.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({ specversion: '1.0', ...attributes }),
    });
    expect(res.statusCode).toBe(202);
    await res.body.dump();
  };
  const metric = async (line: string): Promise<number> => {
    const res = await request(`${broker.url}/metrics`);
    const text = await res.body.text();
    const found = text.split('\n').find((l) => l.startsWith(line));
    return found ? Number(found.slice(line.length).trim()) : 0;
  };

  it('stores a reply and routes it to the subscriptions it matches, one hop on', async () => {
    await send({ id: 'order-1', source: '/shop', type: 'com.example.order' });
    const [got] = await invoices.waitFor(1, 15_000);
    expect(got!.headers).toMatchObject({
      'ce-id': 'invoice-for-order-1',
      'ce-source': '/functions/invoicer',
      'ce-type': 'com.example.invoice',
      'ce-triggerbrokerhops': '1',
    });
    expect(JSON.parse(got!.body.toString())).toEqual({ order: 'order-1', total: 12.5 });
    expect(invoicer.received.map((e) => e.id)).toEqual(['order-1']);
    expect(await metric('trigger_broker_replies_total{subscription="invoicing",outcome="ingested"}')).toBe(1);
    expect(await metric('trigger_broker_events_accepted_total{ingress="reply:invoicing"}')).toBe(1);
  });

  it('stops a function that answers every event with another after maxHops replies', async () => {
    await send({ id: 'ping', source: '/test', type: 'com.example.ping' });
    const dropped = await broker.waitForLog((l) => String(l['msg']).startsWith('reply dropped'), 15_000);
    expect(dropped).toMatchObject({ subscription: 'ping-pong', eventId: 'ping+++', hops: 4, level: 40 });
    expect(dropped['msg']).toMatch(/beyond the sink's maxHops of 3/);
    await sleep(500); // nothing more comes
    expect(echo.received.map((e) => [e.id, e['triggerbrokerhops']])).toEqual([
      ['ping', undefined],
      ['ping+', '1'],
      ['ping++', '2'],
      ['ping+++', '3'],
    ]);
    expect(
      await metric('trigger_broker_replies_total{subscription="ping-pong",outcome="dropped_hops"}'),
    ).toBe(1);
    expect(await metric('trigger_broker_replies_total{subscription="ping-pong",outcome="ingested"}')).toBe(3);
  });

  it('fails a delivery whose answer is not a CloudEvent for good, and keeps it as a dead letter', async () => {
    await send({ id: 'chat-1', source: '/test', type: 'com.example.chat' });
    let entry: Record<string, unknown> | undefined;
    for (let i = 0; i < 100 && !entry; i++) {
      const out = await runCli(['deadletters', '--data', dir.data, '--json']);
      entry = out.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => (l['event'] as { id: string }).id === 'chat-1');
      if (!entry) await sleep(100);
    }
    expect(entry).toMatchObject({ subscription: 'chatty', status: 200, attempts: 1 });
    expect(String(entry!['reason'])).toMatch(
      /reply is not a valid CloudEvent.*a reply must be empty or one CloudEvent/,
    );
    expect(chatty.received).toHaveLength(1);
    expect(await metric('trigger_broker_replies_total{subscription="chatty",outcome="refused"}')).toBe(1);
  });
});
