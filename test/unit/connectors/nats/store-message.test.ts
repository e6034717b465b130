import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ConnectorContext } from '../../../../broker/ports/connector.js';
import { compileNatsEventReader } from '../../../../connectors/nats/event-reader.js';
import { storeMessage } from '../../../../connectors/nats/store-message.js';
import { CONTRACT_CE } from './fixtures.js';

describe('storeMessage (one NATS message: stored, dead-lettered or retried)', () => {
  function storeContext() {
    const stored: unknown[] = [];
    const deadLetters: { reason: string; payload: string }[] = [];
    const context: ConnectorContext = {
      sourceName: 'test',
      log: pino({ level: 'silent' }),
      async ingest(events) {
        stored.push(...events);
      },
      async deadLetter(m) {
        deadLetters.push({ reason: m.reason, payload: Buffer.from(m.payload).toString() });
      },
      checkpoints: () => new Map(),
      reportState() {},
    };
    return { context, stored, deadLetters };
  }
  const read = compileNatsEventReader(CONTRACT_CE, ['spec', 'ce'], (path, message) => {
    throw new Error(`unexpected configuration problem at ${path.join('.')}: ${message}`);
  });
  const view = (data: string) => ({ subject: 'orders.eu', headers: undefined, data: Buffer.from(data) });

  it('dead-letters a raw message whose JSON nests deeper than 1,000 levels, payload and all', async () => {
    const { context, stored, deadLetters } = storeContext();
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const outcome = await storeMessage(context, read, view(deep), {}, { subject: 'orders.eu' });
    const reason = 'malformed_json: the payload is nested deeper than 1000 levels of arrays and objects';
    expect(outcome).toEqual({ kind: 'dead-lettered', reason });
    expect(deadLetters).toEqual([{ reason, payload: deep }]);
    expect(stored).toEqual([]);
  });

  it('stores a raw message of 1,000 levels', async () => {
    const { context, stored, deadLetters } = storeContext();
    const outcome = await storeMessage(
      context,
      read,
      view(`${'['.repeat(1000)}${']'.repeat(1000)}`),
      {},
      { subject: 'orders.eu' },
    );
    expect(outcome).toEqual({ kind: 'stored' });
    expect(stored).toHaveLength(1);
    expect(deadLetters).toEqual([]);
  });
});
