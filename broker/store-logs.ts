import type { Logger } from 'pino';
import type { DigestKind } from './failure-digest.js';
import { FailureLog } from './failure-log.js';

type Level = 'info' | 'warn' | 'error';

/** The store's own log lines, summed up like the subscriptions' (docs/architecture.md, "Logs"). */
export interface StoreLogs {
  /** Commits that failed for a reason of the store's (full disk, I/O error, damaged file). */
  commits: FailureLog<{ error: string }>;
  /** The queue-depth query behind /metrics. */
  depths: FailureLog<{ error: string }>;
  close(): void;
}

const COMMIT_MESSAGES: Record<DigestKind, [Level, string]> = {
  failing: [
    'error',
    'the store cannot commit: events are refused (503), /readyz answers 503 and deliveries pause until it can; it tries again every second',
  ],
  'still-failing': ['error', 'the store still cannot commit'],
  intermittent: ['warn', 'some store commits failed'],
  recovered: ['info', 'the store commits again'],
};

const DEPTH_MESSAGES: Record<DigestKind, [Level, string]> = {
  failing: ['error', 'cannot count queued deliveries; /metrics leaves out trigger_broker_queue_depth'],
  'still-failing': ['error', 'still cannot count queued deliveries for /metrics'],
  intermittent: ['warn', 'counting queued deliveries for /metrics failed at times'],
  recovered: ['info', 'queued deliveries are counted again for /metrics'],
};

function logOf(log: Logger, messages: Record<DigestKind, [Level, string]>, count: string) {
  return new FailureLog<{ error: string }>((line) => {
    const [level, message] = messages[line.kind];
    log[level](
      {
        [count]: line.failed,
        failingSince: new Date(line.since).toISOString(),
        error: line.last.error,
      },
      message,
    );
  });
}

export function storeLogs(log: Logger): StoreLogs {
  // Failed commits include the store's own one-row tries while it cannot commit.
  const commits = logOf(log, COMMIT_MESSAGES, 'failedCommits');
  const depths = logOf(log, DEPTH_MESSAGES, 'failures');
  return {
    commits,
    depths,
    close() {
      commits.close();
      depths.close();
    },
  };
}
