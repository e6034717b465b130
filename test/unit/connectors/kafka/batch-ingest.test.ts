import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../../../broker/cloudevents/event.js';
import { BrokerError } from '../../../../broker/errors.js';
import type { ConnectorContext } from '../../../../broker/ports/connector.js';
import { BatchIngest, type BatchIngestOptions } from '../../../../connectors/kafka/batch-ingest.js';
import type { FetchedBatch, KafkaRecord } from '../../../../connectors/kafka/client.js';
import { createRecordConverter } from '../../../../connectors/kafka/record-event.js';
import { h, mapper, RAW_CE, record } from './fixtures.js';

describe('BatchIngest (a batch in hand, a store that refuses)', () => {
  const OPTIONS: BatchIngestOptions = { chunkSize: 2, maxInFlight: 3, retryDelayMs: () => 5 };
  const rawRecords = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      record({ offset: String(100 + i), value: Buffer.from(JSON.stringify({ id: `r${i}` })) }),
    );

  function fakeBatch(records: KafkaRecord[], heartbeat: () => Promise<void> = async () => undefined) {
    const commits: string[] = [];
    const batch: FetchedBatch = {
      topic: 'orders',
      partition: 3,
      records,
      heartbeat,
      isRunning: () => true,
      async commitThrough(offset) {
        commits.push(offset);
      },
    };
    return { batch, commits };
  }

  function storeContext(ingest: ConnectorContext['ingest']) {
    const deadLetters: { reason: string; payload: string; origin: unknown }[] = [];
    const context: ConnectorContext = {
      sourceName: 'test',
      log: pino({ level: 'silent' }),
      ingest,
      async deadLetter(m) {
        deadLetters.push({ reason: m.reason, payload: Buffer.from(m.payload).toString(), origin: m.origin });
      },
      checkpoints: () => new Map(),
      reportState() {},
    };
    return { context, deadLetters };
  }

  const ids = (events: readonly CloudEvent[]) => events.map((e) => String(e.attributes['id']));

  it('with a later part stored and an earlier one refused until the stop, commits only the prefix before the gap', async () => {
    const { batch, commits } = fakeBatch(rawRecords(6));
    const stop = new AbortController();
    const stored: string[] = [];
    const { context } = storeContext(async (events) => {
      if (ids(events).includes('r2')) {
        if (stored.length >= 4) stop.abort();
        throw new BrokerError('unavailable', 'store busy');
      }
      stored.push(...ids(events));
    });
    await new BatchIngest(batch, createRecordConverter(mapper(RAW_CE)), context, stop.signal, OPTIONS).run();
    expect(stored.sort()).toEqual(['r0', 'r1', 'r4', 'r5']);
    expect(commits).toEqual(['101']);
  });

  it('finds the one event a store refuses for good, dead-letters it, and commits the whole batch', async () => {
    const { batch, commits } = fakeBatch(rawRecords(5));
    const stored: string[] = [];
    const { context, deadLetters } = storeContext(async (events) => {
      if (ids(events).includes('r3')) throw new BrokerError('schema_violation', 'amount must be a number');
      stored.push(...ids(events));
    });
    await new BatchIngest(
      batch,
      createRecordConverter(mapper(RAW_CE)),
      context,
      new AbortController().signal,
      OPTIONS,
    ).run();
    expect(stored.sort()).toEqual(['r0', 'r1', 'r2', 'r4']);
    expect(deadLetters).toEqual([
      {
        reason: 'schema_violation: amount must be a number',
        payload: '{"id":"r3"}',
        origin: { topic: 'orders', partition: 3, offset: '103' },
      },
    ]);
    expect(commits).toEqual(['104']);
  });

  it('dead-letters a malformed record in the middle and goes on past it', async () => {
    const records = rawRecords(3);
    records[1] = record({ offset: '101', value: Buffer.from('raw'), headers: [h('ce_specversion', '9.9')] });
    const { batch, commits } = fakeBatch(records);
    const stored: string[] = [];
    const { context, deadLetters } = storeContext(async (events) => {
      stored.push(...ids(events));
    });
    await new BatchIngest(
      batch,
      createRecordConverter(mapper(RAW_CE)),
      context,
      new AbortController().signal,
      OPTIONS,
    ).run();
    expect(stored.sort()).toEqual(['r0', 'r2']);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]!.reason).toMatch(/^unsupported_specversion/);
    expect(commits).toEqual(['102']);
  });

  it('dead-letters records whose JSON nests deeper than 1,000 levels, structured or raw, and goes on past them', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const records = rawRecords(4);
    records[1] = record({
      offset: '101',
      value: Buffer.from(`{"specversion":"1.0","id":"s","source":"/s","type":"t","data":${deep}}`),
      headers: [h('content-type', 'application/cloudevents+json')],
    });
    records[2] = record({ offset: '102', value: Buffer.from(deep) });
    const { batch, commits } = fakeBatch(records);
    const stored: string[] = [];
    const { context, deadLetters } = storeContext(async (events) => {
      stored.push(...ids(events));
    });
    await new BatchIngest(
      batch,
      createRecordConverter(mapper(RAW_CE)),
      context,
      new AbortController().signal,
      OPTIONS,
    ).run();
    expect(stored.sort()).toEqual(['r0', 'r3']);
    const tooDeep = 'is nested deeper than 1000 levels of arrays and objects';
    expect(
      deadLetters
        .map((d) => [(d.origin as { offset: string }).offset, d.reason])
        .sort(([a], [b]) => String(a).localeCompare(String(b))),
    ).toEqual([
      ['101', `malformed_json: the body ${tooDeep}`],
      ['102', `malformed_json: the payload ${tooDeep}`],
    ]);
    expect(commits).toEqual(['103']);
  });

  it('on a rebalance (the heartbeat fails) lets what is under way finish, commits it, and rethrows', async () => {
    const rebalance = new Error('The group is rebalancing');
    let beats = 0;
    const { batch, commits } = fakeBatch(rawRecords(8), async () => {
      beats += 1;
      if (beats >= 2) throw rebalance;
    });
    const stored: string[] = [];
    const { context } = storeContext(async (events) => {
      stored.push(...ids(events));
    });
    const run = new BatchIngest(
      batch,
      createRecordConverter(mapper(RAW_CE)),
      context,
      new AbortController().signal,
      { ...OPTIONS, maxInFlight: 1 },
    ).run();
    await expect(run).rejects.toBe(rebalance);
    expect(stored).toEqual(['r0', 'r1', 'r2', 'r3']);
    expect(commits).toEqual(['103']);
  });
});
