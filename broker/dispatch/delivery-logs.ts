import type { Logger } from 'pino';
import type { DigestKind, DigestLine } from '../failure-digest.js';
import { FailureLog } from '../failure-log.js';
import type { DeliveryPhase } from '../ports/store.js';

/** One failed attempt, as the per-attempt debug line has it. */
export interface AttemptDetail {
  subscription: string;
  eventId: unknown;
  eventSource: unknown;
  destination: string;
  attempt: number;
  status: number;
  error: string;
}

/** An event that failed for good. */
export interface LostDetail extends AttemptDetail {
  reason: string;
}

/** A store operation of the worker that failed. */
export interface StoreDetail {
  operation: string;
  error: string;
  /** When the subscription may start deliveries again (ms since the epoch). */
  resumeAt: number;
}

/**
 * A subscription's operator-level log lines, each kind summed up by a FailureLog so that a long
 * outage is a few lines (docs/architecture.md, "Logs"):
 *
 * - `sink[phase]`: failed attempts at the sink (or the dead-letter sink) that will be retried: a
 *   warning when they start, a summary every 30 s while they go on, an info line on recovery.
 * - `lost[phase]`: events that failed for good. Each is an event lost to its sink, so the first of
 *   a burst is an error line of its own with the event's id, but a million-event backlog that a
 *   sink refuses must not be a million lines: the rest of the burst is summed up every 30 s. Every
 *   one stays in the store's dead-letter list (`trigger-broker deadletters`), which is the record
 *   of each; the per-event line is at debug level.
 * - `store`: the store failed to hand out or record deliveries (full disk, damaged file).
 */
export interface DeliveryLogs {
  sink: Record<DeliveryPhase, FailureLog<AttemptDetail>>;
  lost: Record<DeliveryPhase, FailureLog<LostDetail>>;
  store: FailureLog<StoreDetail>;
  close(): void;
}

type Level = 'info' | 'warn' | 'error';

const SINK_NAME: Record<DeliveryPhase, string> = { sink: 'sink', deadletter: 'dead-letter sink' };

function sinkMessage(kind: DigestKind, phase: DeliveryPhase): [Level, string] {
  const sink = SINK_NAME[phase];
  switch (kind) {
    case 'failing':
      return [
        'warn',
        `deliveries to the ${sink} are failing; retrying with backoff (each attempt at debug level)`,
      ];
    case 'still-failing':
      return ['warn', `deliveries to the ${sink} are still failing`];
    case 'intermittent':
      return ['warn', `some deliveries to the ${sink} failed and are retried`];
    case 'recovered':
      return ['info', `deliveries to the ${sink} succeed again`];
  }
}

function lostMessage(single: boolean, phase: DeliveryPhase): string {
  if (phase === 'deadletter')
    return single
      ? 'the dead-letter sink failed for good; the event stays in the dead-letter list'
      : 'the dead-letter sink failed for good for more events; they stay in the dead-letter list';
  return single
    ? 'delivery failed for good; event dead-lettered'
    : 'more events failed for good and were dead-lettered';
}

function storeMessage(kind: DigestKind): [Level, string] {
  switch (kind) {
    case 'failing':
      return [
        'error',
        'the store cannot hand out or record deliveries; this subscription starts none until the store writes again (a delivery whose outcome was not recorded is made again)',
      ];
    case 'still-failing':
      return ['error', 'the store still cannot hand out or record deliveries; deliveries stay paused'];
    case 'intermittent':
      return [
        'warn',
        'the store failed to record some delivery outcomes; deliveries were paused, then resumed',
      ];
    case 'recovered':
      return ['info', 'the store records delivery outcomes again; deliveries resumed'];
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

export function deliveryLogs(
  log: Logger,
  subscription: () => string,
  waiting: () => number | undefined,
): DeliveryLogs {
  const write = (level: Level, fields: Record<string, unknown>, message: string) => {
    const count = waiting();
    log[level](
      { subscription: subscription(), ...fields, ...(count === undefined ? {} : { waiting: count }) },
      message,
    );
  };
  const sinkLog = (phase: DeliveryPhase) =>
    new FailureLog<AttemptDetail>((line: DigestLine<AttemptDetail>) => {
      const [level, message] = sinkMessage(line.kind, phase);
      const { subscription: _, destination, ...last } = line.last;
      write(
        level,
        {
          destination,
          failedAttempts: line.failed,
          succeededAttempts: line.succeeded,
          failingSince: iso(line.since),
          last,
        },
        message,
      );
    });
  const lostLog = (phase: DeliveryPhase) =>
    new FailureLog<LostDetail>((line: DigestLine<LostDetail>) => {
      // One event since the last line: its own line, as if nothing were summed up.
      const single = line.failed === 1;
      const { subscription: name, ...last } = line.last;
      write(
        'error',
        {
          ...(single ? last : { events: line.failed, last }),
          list: `trigger-broker deadletters --subscription ${name}`,
        },
        lostMessage(single, phase),
      );
    });
  const logs: DeliveryLogs = {
    sink: { sink: sinkLog('sink'), deadletter: sinkLog('deadletter') },
    lost: { sink: lostLog('sink'), deadletter: lostLog('deadletter') },
    store: new FailureLog<StoreDetail>((line) => {
      const [level, message] = storeMessage(line.kind);
      write(
        level,
        {
          failures: line.failed,
          failingSince: iso(line.since),
          operation: line.last.operation,
          error: line.last.error,
          ...(line.kind === 'recovered' ? {} : { resumeAt: iso(line.last.resumeAt) }),
        },
        message,
      );
    }),
    close() {
      for (const l of [
        logs.sink.sink,
        logs.sink.deadletter,
        logs.lost.sink,
        logs.lost.deadletter,
        logs.store,
      ])
        l.close();
    },
  };
  return logs;
}
