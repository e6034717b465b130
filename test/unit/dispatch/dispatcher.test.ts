import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../../broker/cloudevents/event.js';
import { Dispatcher } from '../../../broker/dispatch/dispatcher.js';
import type { SubscriptionRuntime } from '../../../broker/dispatch/types.js';
import { BrokerError } from '../../../broker/errors.js';
import { createMetrics } from '../../../broker/metrics.js';
import type { DeliveryOutcome, Sink } from '../../../broker/ports/sink.js';
import type { EventStore } from '../../../broker/ports/store.js';
import { SqliteStore } from '../../../stores/sqlite/sqlite-store.js';

const event: CloudEvent = {
  attributes: { specversion: '1.0', id: 'e1', source: '/s', type: 't' },
  data: { kind: 'none' },
};

/** A sink whose deliveries wait until the test answers them, and that notes its close. */
function heldSink(name: string) {
  const waiting: ((o: DeliveryOutcome) => void)[] = [];
  let closes = 0;
  const sink: Sink = {
    destination: name,
    deliver: () => new Promise<DeliveryOutcome>((r) => waiting.push(r)),
    async close() {
      closes += 1;
    },
  };
  return {
    sink,
    /** Deliveries waiting for an answer. */
    waiting: () => waiting.length,
    answerAll: () => {
      for (const answer of waiting.splice(0)) answer({ kind: 'ok' });
    },
    closes: () => closes,
  };
}

/** A real SQLite store in a fresh folder holding `count` events due now for subscription `s`. */
const opened: { store: SqliteStore; dir: string }[] = [];
afterEach(() => {
  for (const { store, dir } of opened.splice(0)) {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

async function storeWith(count: number): Promise<EventStore> {
  const dir = mkdtempSync(join(tmpdir(), 'tb-dispatcher-'));
  const store = new SqliteStore({ dir, synchronous: 'normal' });
  opened.push({ store, dir });
  await store.append(
    Array.from({ length: count }, (_, i) => ({
      event: { ...event, attributes: { ...event.attributes, id: `e${i}` } },
      subscriptions: ['s'],
    })),
  );
  return store;
}

const runtime = (sink: Sink, deadLetterSink?: Sink): SubscriptionRuntime => ({
  name: 's',
  sink,
  deadLetterSink,
  delivery: { retry: 0, backoffPolicy: 'linear', backoffDelayMs: 10, timeoutMs: 1000, concurrency: 4 },
  fingerprint: 'f',
});

const until = async (test: () => boolean) => {
  for (let i = 0; !test(); i++) {
    if (i > 200) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
};

/**
 * Each built sink owns its connections, and every reload builds new sinks: the dispatcher closes
 * a sink a reload replaced or removed, and every sink at shutdown, but only once no delivery
 * made through it is still in flight (docs/architecture.md, "Ports").
 */
describe('Dispatcher: closing the sinks it no longer uses', () => {
  const metrics = () =>
    createMetrics(
      () => new Map(),
      () => [],
    );
  const log = pino({ level: 'silent' });

  it('closes the sinks a reload replaced after their deliveries in flight settle, not before', async () => {
    const old = heldSink('old');
    const oldDls = heldSink('old-dls');
    const next = heldSink('next');
    const dispatcher = new Dispatcher(await storeWith(2), metrics(), log);
    dispatcher.apply([runtime(old.sink, oldDls.sink)]);
    await until(() => old.waiting() === 2);

    dispatcher.apply([runtime(next.sink)]);
    await new Promise((r) => setTimeout(r, 20));
    expect(old.closes()).toBe(0); // two deliveries still use it

    old.answerAll();
    await until(() => old.closes() === 1);
    expect(oldDls.closes()).toBe(1);
    expect(next.closes()).toBe(0);

    await dispatcher.stop(1000);
    expect(next.closes()).toBe(1);
    expect(old.closes()).toBe(1);
  });

  it('closes a removed subscription’s sinks once, after its deliveries, even when shutdown stops it again', async () => {
    const removed = heldSink('removed');
    const dispatcher = new Dispatcher(await storeWith(1), metrics(), log);
    dispatcher.apply([runtime(removed.sink)]);
    await until(() => removed.waiting() === 1);

    dispatcher.apply([]);
    await new Promise((r) => setTimeout(r, 20));
    expect(removed.closes()).toBe(0);

    const shutdown = dispatcher.stop(5000);
    removed.answerAll();
    await shutdown;
    expect(removed.closes()).toBe(1);
  });
});

/**
 * A reply is stored before the delivery that brought it counts as done: when the reply cannot
 * be committed, the delivery stays due and is made again, and only once the reply is stored is
 * the delivery completed.
 */
describe('Dispatcher replies', () => {
  const log = pino({ level: 'silent' });
  const reply: CloudEvent = {
    attributes: { specversion: '1.0', id: 'r1', source: '/fn', type: 'reply' },
    data: { kind: 'none' },
  };
  const replyingSink: Sink = {
    destination: 'fn',
    replies: { maxHops: 8 },
    deliver: async () => ({ kind: 'ok', reply: { kind: 'event', event: reply } }),
  };

  it('keeps the delivery due until its reply is stored, then completes it', async () => {
    const store = await storeWith(1);
    const stored: CloudEvent[] = [];
    let refuse = true;
    let calls = 0;
    const counted: Sink = {
      ...replyingSink,
      deliver: (...args) => {
        calls += 1;
        return replyingSink.deliver(...args);
      },
    };
    const dispatcher = new Dispatcher(
      store,
      createMetrics(
        () => new Map(),
        () => [],
      ),
      log,
      async (ev) => {
        if (refuse) throw new Error('disk full');
        stored.push(ev);
      },
    );
    dispatcher.apply([{ ...runtime(counted), delivery: { ...runtime(counted).delivery, retry: 5 } }]);
    await until(() => calls >= 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(store.pending('s')).toBe(1); // not completed: the reply was not stored
    refuse = false;
    await until(() => stored.length === 1 && store.pending('s') === 0);
    expect(calls).toBe(2); // made again after the store pause
    expect(stored[0]!.attributes).toMatchObject({ id: 'r1', triggerbrokerhops: 1 });
    await dispatcher.stop(1000);
  }, 10_000);

  it('fails the delivery for good when an EventSchema refuses the reply', async () => {
    const store = await storeWith(1);
    const dispatcher = new Dispatcher(
      store,
      createMetrics(
        () => new Map(),
        () => [],
      ),
      log,
      async () => {
        throw new BrokerError('schema_violation', 'data.total must be a number');
      },
    );
    dispatcher.apply([runtime(replyingSink)]);
    await until(() => store.deadLetters().length === 1);
    expect(store.deadLetters()[0]!.reason).toBe(
      "permanent failure: the function's reply was refused: data.total must be a number",
    );
    await dispatcher.stop(1000);
  });
});

/**
 * Back-pressure: the dispatch backlog counts accepted deliveries not yet attempted, and forgets
 * each once its first attempt starts.
 */
describe('Dispatcher dispatch backlog', () => {
  const log = pino({ level: 'silent' });
  const metrics = () =>
    createMetrics(
      () => new Map(),
      () => [],
    );
  const withConcurrency = (sink: Sink, concurrency: number): SubscriptionRuntime => ({
    ...runtime(sink),
    delivery: { ...runtime(sink).delivery, concurrency },
  });

  it('counts deliveries committed and not yet started, and forgets them once started', async () => {
    const store = await storeWith(0);
    const held = heldSink('fast');
    const dispatcher = new Dispatcher(store, metrics(), log);
    dispatcher.apply([withConcurrency(held.sink, 100)]);
    await store.append(Array.from({ length: 5 }, () => ({ event, subscriptions: ['s'] })));
    dispatcher.notify(new Map([['s', 5]]));
    expect(dispatcher.dispatchBacklog(Number.POSITIVE_INFINITY)).toBe(5); // not pumped yet
    await until(() => held.waiting() === 5);
    expect(dispatcher.dispatchBacklog(Number.POSITIVE_INFINITY)).toBe(0);
    held.answerAll();
    await dispatcher.stop(1000);
  });

  it("counts a subscription whose every slot is busy too (the loop's load tells the two apart)", async () => {
    const store = await storeWith(0);
    const held = heldSink('slow');
    const dispatcher = new Dispatcher(store, metrics(), log);
    dispatcher.apply([withConcurrency(held.sink, 2)]);
    await store.append(Array.from({ length: 10 }, () => ({ event, subscriptions: ['s'] })));
    dispatcher.notify(new Map([['s', 10]]));
    await until(() => held.waiting() === 2);
    expect(dispatcher.dispatchBacklog(Number.POSITIVE_INFINITY)).toBe(8);
    for (let left = 8; left > 0; left -= 2) {
      held.answerAll();
      await until(() => held.waiting() === 2);
    }
    expect(dispatcher.dispatchBacklog(Number.POSITIVE_INFINITY)).toBe(0);
    held.answerAll();
    await dispatcher.stop(1000);
  });
});
