import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../broker/cloudevents/event.js';
import { compileConfig, type RuntimeConfig } from '../../broker/compile/compile.js';
import { Dispatcher } from '../../broker/dispatch/dispatcher.js';
import { BrokerError } from '../../broker/errors.js';
import { EXTRA_DIALECTS } from '../../broker/filters/dialects.js';
import { Ingestor } from '../../broker/ingest.js';
import { createMetrics } from '../../broker/metrics.js';
import { PLUGINS } from '../../plugins.js';
import { SqliteStore } from '../../stores/sqlite/sqlite-store.js';

describe('Ingestor, when the store cannot commit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-ingest-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const config = compileConfig([], { secrets: 'form', dialects: EXTRA_DIALECTS, plugins: PLUGINS })
    .config as RuntimeConfig;
  const event: CloudEvent = {
    attributes: { specversion: '1.0', id: 'e1', source: '/s', type: 't' },
    data: { kind: 'none' },
  };

  function closedStoreIngestor() {
    // A real store, closed: it refuses every write, as it does while the broker shuts down.
    const store = new SqliteStore({ dir, synchronous: 'normal' });
    store.close();
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const metrics = createMetrics(
      () => new Map(),
      () => [],
    );
    const ingestor = new Ingestor(store, new Dispatcher(store, metrics, log), metrics, () => config, log, {
      saturated: false,
    });
    return { ingestor, lines };
  }

  it('logs the failed commit with its error, and refuses the events as unavailable', async () => {
    const { ingestor, lines } = closedStoreIngestor();
    const refused = await ingestor.ingest([event], 'events').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BrokerError);
    expect((refused as BrokerError).code).toBe('unavailable');
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 50,
        msg: 'the event store could not commit; the events were refused',
        ingress: 'events',
        events: 1,
        err: expect.objectContaining({ message: 'store is closed' }),
      }),
    );
  });

  it('logs a dead letter it could not commit', async () => {
    const { ingestor, lines } = closedStoreIngestor();
    const refused = await ingestor
      .ingestMalformed('orders', { reason: 'malformed_json: x', payload: new Uint8Array([1]), origin: {} })
      .catch((error: unknown) => error);
    expect((refused as BrokerError).code).toBe('unavailable');
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 50,
        msg: 'the event store could not commit a dead letter',
        source: 'orders',
        err: expect.objectContaining({ message: 'store is closed' }),
      }),
    );
  });
});

describe('Ingestor back-pressure', () => {
  it('refuses intake as overloaded while the dispatch backlog is over its limit and the loop is saturated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-ingest-bp-'));
    const store = new SqliteStore({ dir, synchronous: 'normal' });
    const compiled = compileConfig([], { secrets: 'form', dialects: EXTRA_DIALECTS, plugins: PLUGINS })
      .config as RuntimeConfig;
    const config: RuntimeConfig = { ...compiled, broker: { ...compiled.broker, maxDispatchBacklog: 10 } };
    const log = pino({ level: 'silent' });
    const metrics = createMetrics(
      () => new Map(),
      () => [],
    );
    let backlog = 11;
    const dispatcher = new Dispatcher(store, metrics, log);
    dispatcher.dispatchBacklog = () => backlog;
    const loop = { saturated: true };
    const ingestor = new Ingestor(store, dispatcher, metrics, () => config, log, loop);
    const event: CloudEvent = {
      attributes: { specversion: '1.0', id: 'e1', source: '/s', type: 't' },
      data: { kind: 'none' },
    };
    const refused = await ingestor.ingest([event], 'events').catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'overloaded', retryAfter: 1 });
    expect((refused as BrokerError).detail).toMatch(/11 accepted deliveries wait to be attempted/);
    backlog = 10;
    await expect(ingestor.ingest([event], 'events')).resolves.toBeUndefined();
    // A backlog over the limit while the loop has time to spare waits for slow sinks: accepted.
    backlog = 11_000;
    loop.saturated = false;
    await expect(ingestor.ingest([event], 'events')).resolves.toBeUndefined();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
