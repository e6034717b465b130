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
import { type Admission, Ingestor } from '../../broker/ingest.js';
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
      admit: () => undefined,
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
  const event = (id: string): CloudEvent => ({
    attributes: { specversion: '1.0', id, source: '/s', type: 't' },
    data: { kind: 'none' },
  });

  /** An ingestor on a real store in a temporary directory, behind the given admission. */
  function ingestorBehind(admission: Admission) {
    const dir = mkdtempSync(join(tmpdir(), 'tb-ingest-bp-'));
    const store = new SqliteStore({ dir, synchronous: 'normal' });
    const config = compileConfig([], { secrets: 'form', dialects: EXTRA_DIALECTS, plugins: PLUGINS })
      .config as RuntimeConfig;
    const log = pino({ level: 'silent' });
    const metrics = createMetrics(
      () => new Map(),
      () => [],
    );
    const ingestor = new Ingestor(
      store,
      new Dispatcher(store, metrics, log),
      metrics,
      () => config,
      log,
      admission,
    );
    const close = () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    };
    return { ingestor, close };
  }

  it('holds intake through its admission unless the caller was admitted already, and stores it when let in', async () => {
    let letIn: () => void = () => undefined;
    let asked = 0;
    const { ingestor, close } = ingestorBehind({
      admit: () => {
        asked++;
        return new Promise<void>((resolve) => {
          letIn = resolve;
        });
      },
    });
    let stored = false;
    const held = ingestor.ingest([event('e1')], 'events').then(() => {
      stored = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toBe(1);
    expect(stored).toBe(false);
    expect(ingestor.inFlight).toBe(0); // held before anything is counted or routed
    letIn();
    await held;
    expect(stored).toBe(true);
    // Admitted before (the HTTP route, ahead of reading the body): not asked again.
    await ingestor.ingest([event('e2')], 'events', [], { admitted: true });
    expect(asked).toBe(1);
    close();
  });

  it('passes a refusal of its admission on as overloaded', async () => {
    const { ingestor, close } = ingestorBehind({
      admit: () => Promise.reject(new BrokerError('overloaded', 'held too long', { retryAfter: 1 })),
    });
    const refused = await ingestor.ingest([event('e')], 'events').catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'overloaded', retryAfter: 1 });
    close();
  });
});
