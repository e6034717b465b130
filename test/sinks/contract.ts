import { describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../broker/cloudevents/event.js';
import type { Sink } from '../../broker/ports/sink.js';

/** How the function behind a sink under test answers. */
export type FunctionBehaviour = 'ok' | 'retryable' | 'permanent' | 'hang';

/**
 * What a sink plugin's test supplies to the shared sink contract: a way to build its sink
 * (through its descriptor, as the configuration compiler does) against a real function endpoint
 * that answers as asked, and what that endpoint received.
 */
export interface SinkContractSubject {
  /** The registered sink kind this proves (plugins.ts); a kind without a subject fails a test. */
  kind: string;
  name: string;
  /** A sink whose function answers with `behaviour`. */
  sink(behaviour: FunctionBehaviour): Sink;
  /** The ids of the events the functions received so far. */
  receivedIds(): string[];
}

const event = (id: string): CloudEvent => ({
  attributes: {
    specversion: '1.0',
    id,
    source: '/contract',
    type: 'contract.sink',
    datacontenttype: 'application/json',
  },
  data: { kind: 'json', value: { n: 1 } },
});

const attempt = (sink: Sink, id: string, timeoutMs = 5_000, signal = new AbortController().signal) =>
  sink.deliver(event(id), { signal, timeoutMs });

/**
 * The one contract every sink obeys (docs/architecture.md, "Ports"): a success is `ok`; an
 * answer that may succeed later is `retryable`, one that never will is `permanent`; a function
 * that does not answer in time is a `retryable` timeout; and an attempt aborted because the
 * broker shuts down rejects instead of reporting an outcome, so the delivery is handed back
 * rather than counted.
 */
export function sinkContract(subject: SinkContractSubject): void {
  describe(`${subject.name} sink: the sink contract`, () => {
    it('delivers the event and reports ok', async () => {
      const outcome = await attempt(subject.sink('ok'), 'ok-1');
      expect(outcome.kind).toBe('ok');
      expect(subject.receivedIds()).toContain('ok-1');
    });

    it('reports an answer that may succeed later as retryable, with an error', async () => {
      const outcome = await attempt(subject.sink('retryable'), 'retry-1');
      expect(outcome.kind).toBe('retryable');
      expect(outcome.kind !== 'ok' && outcome.error.length).toBeGreaterThan(0);
    });

    it('reports an answer that never will succeed as permanent, with an error', async () => {
      const outcome = await attempt(subject.sink('permanent'), 'permanent-1');
      expect(outcome.kind).toBe('permanent');
      expect(outcome.kind !== 'ok' && outcome.error.length).toBeGreaterThan(0);
    });

    it('gives up on a function that does not answer in time: a retryable timeout', async () => {
      const outcome = await attempt(subject.sink('hang'), 'hang-1', 300);
      expect(outcome).toMatchObject({ kind: 'retryable' });
      expect(outcome.kind !== 'ok' && outcome.error).toMatch(/timed out/);
    });

    it('rejects an attempt aborted for shutdown instead of reporting an outcome', async () => {
      const controller = new AbortController();
      const pending = attempt(subject.sink('hang'), 'abort-1', 30_000, controller.signal);
      setTimeout(() => controller.abort(new Error('broker shutting down')), 100);
      await expect(pending).rejects.toBeDefined();
    });
  });
}
