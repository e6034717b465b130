import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../../../broker/cloudevents/event.js';
import { BrokerError } from '../../../../broker/errors.js';
import { IngestLane } from '../../../../connectors/mqtt/ingest-lane.js';

const event = (id: string): CloudEvent => ({
  attributes: { specversion: '1.0', type: 't', source: '/s', id },
  data: { kind: 'none' },
});
const ids = (events: readonly CloudEvent[]) => events.map((e) => String(e.attributes['id']));

/** A lane over a scripted ingest that records every call. */
function lane(ingest: (events: readonly CloudEvent[], call: number) => Promise<void>) {
  const calls: string[][] = [];
  const controller = new AbortController();
  const logs: Record<string, unknown>[] = [];
  const subject = new IngestLane({
    ingest: (events) => {
      calls.push(ids(events));
      return ingest(events, calls.length);
    },
    signal: controller.signal,
    log: pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line)) }),
    retryDelayMs: () => 5,
    overloadedDelayMs: () => 1,
  });
  return { subject, calls, logs, end: () => controller.abort() };
}

describe('IngestLane: many messages, one ingest call', () => {
  it('sends what arrived together as one batch, and what arrives during a commit as the next', async () => {
    let release: () => void = () => undefined;
    const { subject, calls } = lane((_events, call) =>
      call === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve(),
    );
    const first = ['a', 'b', 'c'].map((id) => subject.store(event(id)));
    await sleep(1);
    expect(calls).toEqual([['a', 'b', 'c']]);
    const second = ['d', 'e'].map((id) => subject.store(event(id)));
    await sleep(1);
    // One commit at a time: d and e wait for a, b, c.
    expect(calls).toHaveLength(1);
    release();
    expect(await Promise.all([...first, ...second])).toEqual(Array(5).fill('stored'));
    expect(calls).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
  });

  it('tries a batch that could not be stored again, whole and before later events, until it is stored', async () => {
    const { subject, calls, logs } = lane(async (_events, call) => {
      if (call === 1) throw new BrokerError('unavailable', 'the store could not commit');
      if (call === 2) throw new BrokerError('overloaded', 'deliveries are behind');
      if (call === 3) throw new Error('not a BrokerError: tried again too');
    });
    const first = ['a', 'b'].map((id) => subject.store(event(id)));
    await sleep(1);
    const later = subject.store(event('c'));
    expect(await Promise.all([...first, later])).toEqual(['stored', 'stored', 'stored']);
    expect(calls).toEqual([['a', 'b'], ['a', 'b'], ['a', 'b'], ['a', 'b'], ['c']]);
    // One warning for the failure; `overloaded` is flow control, logged at debug level only.
    const warnings = logs.filter((l) => l['level'] === 40);
    expect(warnings.map((l) => l['msg'])).toEqual([
      'mqtt: 2 messages could not be stored yet; they stay unacknowledged and are tried again',
    ]);
  });

  it('a batch refused for good is stored event by event, so that only the refused one is refused', async () => {
    const { subject, calls } = lane(async (events) => {
      if (ids(events).includes('bad')) throw new BrokerError('schema_violation', 'data.x is required');
    });
    const outcomes = await Promise.all(['a', 'bad', 'c'].map((id) => subject.store(event(id))));
    expect(outcomes[0]).toBe('stored');
    expect(outcomes[1]).toBeInstanceOf(BrokerError);
    expect((outcomes[1] as BrokerError).code).toBe('schema_violation');
    expect(outcomes[2]).toBe('stored');
    expect(calls).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });

  it('when the lane ends (connection closed, Source stopping), what is not stored is abandoned', async () => {
    const { subject, calls, end } = lane(async () => {
      throw new BrokerError('unavailable', 'the store could not commit');
    });
    const waiting = subject.store(event('a'));
    await sleep(20);
    end();
    expect(await waiting).toBe('abandoned');
    expect(await subject.store(event('b'))).toBe('abandoned');
    expect(calls.every((c) => c.length === 1 && c[0] === 'a')).toBe(true);
  });

  it('a commit under way when the lane ends still counts: its events are stored', async () => {
    let release: () => void = () => undefined;
    const { subject, end } = lane(() => new Promise<void>((r) => (release = r)));
    const stored = subject.store(event('a'));
    await sleep(1);
    end();
    release();
    expect(await stored).toBe('stored');
  });
});
