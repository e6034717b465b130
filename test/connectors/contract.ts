import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../broker/cloudevents/event.js';
import { BrokerError } from '../../broker/errors.js';
import type {
  Connector,
  ConnectorContext,
  ConnectorState,
  IngestOptions,
  MalformedMessage,
} from '../../broker/ports/connector.js';

/**
 * The one contract every message connector obeys (connect, read with ack, close), proven by
 * the same suite against each connector's real broker. A connector module's test calls
 * `connectorContract` with what is specific to its protocol.
 */
export interface ContractSubject {
  /** The registered connector kind this proves (plugins.ts); a kind without a subject fails a test. */
  kind: string;
  /** Protocol name for test titles. */
  name: string;
  /** A fresh, unique place to publish to (topic, subject) for one test. */
  freshChannel(): Promise<string> | string;
  /** Builds the connector for `channel`, mapping raw messages with `ce: { type: 'contract.raw', source: '/contract', id: <payload field "id"> }`. */
  connector(channel: string): Connector;
  /** Publishes raw JSON payloads `{"id": ...}` and resolves once the broker confirmed them. */
  publishRaw(channel: string, ids: string[]): Promise<void>;
  /**
   * Publishes one binding message whose CloudEvent is broken (bad specversion or invalid
   * structured JSON). Resolves with `refused` when the protocol lets the connector say no to the
   * sender (HTTP answers 400), else once the broker took it.
   */
  publishMalformed(channel: string): Promise<unknown>;
  /**
   * What a connector does with a malformed message: `dead-letter` it and ack it (a broker would
   * otherwise redeliver it forever), or `refuse` it to a sender that is waiting for the answer.
   */
  malformed: 'dead-letter' | 'refuse';
  /**
   * Stops the broker, then starts it again on the same address and data. Absent for a connector
   * that has no broker of its own (the webhook: the sender is the client of the broker's port).
   */
  restartBroker?(): Promise<void>;
}

/** A ConnectorContext that records what the broker side would store. */
export function recordingContext(
  options: {
    failFirst?: number;
    /** The positions committed so far, shared with a later run (a restart). */
    checkpoints?: Map<string, string>;
    /**
     * Stores nothing more once this many events are stored (as after a crash): every later
     * ingest fails as unavailable, so nothing more is committed, positions included.
     */
    crashAfter?: number;
  } = {},
) {
  const events: CloudEvent[] = [];
  const deadLetters: MalformedMessage[] = [];
  const states: ConnectorState[] = [];
  // Committed with the events, as the store does: a failed ingest commits no position either.
  const checkpoints = options.checkpoints ?? new Map<string, string>();
  const commit = (options?: IngestOptions) => {
    for (const c of options?.checkpoints ?? []) {
      if (c.value === null) checkpoints.delete(c.key);
      else checkpoints.set(c.key, c.value);
    }
  };
  let failures = options.failFirst ?? 0;
  const ctx: ConnectorContext = {
    sourceName: 'contract',
    log: pino({ level: 'silent' }),
    async ingest(batch, ingestOptions) {
      if (failures > 0) {
        failures -= 1;
        throw new BrokerError('unavailable', 'store not ready (contract test)', { retryAfter: 1 });
      }
      await new Promise((r) => setTimeout(r, 1));
      if (options.crashAfter !== undefined && events.length + batch.length > options.crashAfter)
        throw new BrokerError('unavailable', 'crashed (contract test)', { retryAfter: 1 });
      events.push(...batch);
      commit(ingestOptions);
    },
    async deadLetter(message, ingestOptions) {
      deadLetters.push(message);
      commit(ingestOptions);
    },
    checkpoints: () => new Map(checkpoints),
    reportState(state) {
      states.push(state);
    },
  };
  const ids = () => events.map((e) => String(e.attributes['id']));
  const waitFor = async (test: () => boolean, what: string, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!test()) {
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}; have ${ids().length} events, states ${JSON.stringify(states.slice(-3))}`,
        );
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { ctx, events, deadLetters, states, checkpoints, ids, waitFor };
}

/** Starts the subject's connector on `channel`, waits until it is up, runs `body`, and always stops it. */
async function whileRunning(
  subject: ContractSubject,
  channel: string,
  rec: ReturnType<typeof recordingContext>,
  body: () => Promise<void>,
): Promise<void> {
  const connector = subject.connector(channel);
  await connector.start(rec.ctx);
  try {
    await rec.waitFor(() => rec.states.some((s) => s.status === 'up'), 'state up');
    await body();
  } finally {
    await connector.stop();
  }
}

export function connectorContract(subject: ContractSubject): void {
  describe(`${subject.name} connector: the connector contract`, () => {
    it('reads raw messages into CloudEvents and reports itself up', async () => {
      const channel = await subject.freshChannel();
      const rec = recordingContext();
      await whileRunning(subject, channel, rec, async () => {
        await subject.publishRaw(channel, ['a', 'b', 'c']);
        await rec.waitFor(() => rec.ids().length >= 3, '3 events');
        expect(rec.ids().sort()).toEqual(['a', 'b', 'c']);
        expect(rec.events[0]!.attributes).toMatchObject({
          specversion: '1.0',
          type: 'contract.raw',
          source: '/contract',
        });
      });
      expect(rec.states.at(-1)?.status).toBe('stopped');
    });

    it('does not acknowledge a message whose ingest failed: it comes again', async () => {
      const channel = await subject.freshChannel();
      const rec = recordingContext({ failFirst: 2 });
      await whileRunning(subject, channel, rec, async () => {
        await subject.publishRaw(channel, ['retry-me']);
        await rec.waitFor(() => rec.ids().includes('retry-me'), 'the message after two failed ingests');
      });
    });

    if (subject.malformed === 'dead-letter') {
      it('dead-letters a malformed binding message, acks it, and goes on', async () => {
        const channel = await subject.freshChannel();
        const rec = recordingContext();
        await whileRunning(subject, channel, rec, async () => {
          await subject.publishMalformed(channel);
          await subject.publishRaw(channel, ['after-bad']);
          await rec.waitFor(
            () => rec.ids().includes('after-bad') && rec.deadLetters.length === 1,
            'the dead letter and the next message',
          );
          expect(rec.deadLetters[0]!.reason.length).toBeGreaterThan(5);
        });
        // Acked: a new connector on the same channel does not see it again.
        const again = recordingContext();
        await whileRunning(subject, channel, again, async () => {
          await subject.publishRaw(channel, ['sentinel']);
          await again.waitFor(() => again.ids().includes('sentinel'), 'sentinel');
          expect(again.deadLetters).toHaveLength(0);
        });
      });
    } else {
      it('refuses a malformed binding message to its sender, stores nothing of it, and goes on', async () => {
        const channel = await subject.freshChannel();
        const rec = recordingContext();
        await whileRunning(subject, channel, rec, async () => {
          expect(await subject.publishMalformed(channel)).toBe('refused');
          await subject.publishRaw(channel, ['after-bad']);
          await rec.waitFor(() => rec.ids().includes('after-bad'), 'the next message');
          expect(rec.ids()).toEqual(['after-bad']);
          expect(rec.deadLetters).toHaveLength(0);
        });
      });
    }

    const restartBroker = subject.restartBroker?.bind(subject);
    // Only a connector with a broker of its own can lose it.
    if (restartBroker)
      it('survives its broker going away and reconnects without losing confirmed messages', async () => {
        const channel = await subject.freshChannel();
        const rec = recordingContext();
        await whileRunning(subject, channel, rec, async () => {
          await subject.publishRaw(channel, ['before']);
          await rec.waitFor(() => rec.ids().includes('before'), 'before');
          await restartBroker();
          await subject.publishRaw(channel, ['after']);
          await rec.waitFor(() => rec.ids().includes('after'), 'after the broker restart', 60_000);
          expect(rec.states.some((s) => s.status === 'reconnecting')).toBe(true);
        });
      });
  });
}
