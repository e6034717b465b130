import type { Logger } from 'pino';
import type { ErrorCode } from '../errors.js';
import { FailureLog } from '../failure-log.js';

/** One refused request, as its log line has it: never its body. */
export interface Rejection {
  /** The error code the client was answered with (`bad_signature`, `missing_attribute`, ...). */
  code: ErrorCode;
  status: number;
  /** The ingress (`events`, `webhook:NAME`), or `none` for a request outside intake. */
  ingress: string;
  /** Method and path, without the query (which may carry a token). */
  request: string;
  /** The client's address. */
  client: string | undefined;
  /** What the client was told, cut short. */
  detail: string;
}

/** At most one line per error code in this interval. */
export const REJECTION_LOG_INTERVAL_MS = 10_000;

const DETAIL_LIMIT = 200;

/**
 * Logs refused requests at `info`, each error code on its own FailureLog (failure-digest.ts),
 * so that a flood costs one line per code every 10 s: the first refusal of a burst at once, with
 * its ingress, client address and reason, then one line per interval that counts the refusals
 * since the last line (`refused`) and names the last of them. The answer itself carries the
 * reason to the client; this line is for the operator who wonders why a sender's events never
 * arrive.
 */
export class RejectionLog {
  private readonly logs = new Map<ErrorCode, FailureLog<Rejection>>();
  private closed = false;

  constructor(
    private readonly log: Logger,
    private readonly intervalMs = REJECTION_LOG_INTERVAL_MS,
  ) {}

  refused(rejection: Rejection): void {
    if (this.closed) return;
    let codeLog = this.logs.get(rejection.code);
    if (!codeLog) {
      codeLog = new FailureLog<Rejection>((line) => {
        const last = line.last;
        this.log.info(
          {
            reason: last.code,
            status: last.status,
            ingress: last.ingress,
            request: last.request,
            client: last.client,
            detail: last.detail,
            ...(line.failed === 1 ? {} : { refused: line.failed }),
          },
          line.failed === 1
            ? 'request refused'
            : `${line.failed} requests refused with ${last.code} since the last line (one line per reason every ${this.intervalMs / 1000} s; the last one shown)`,
        );
      }, this.intervalMs);
      this.logs.set(rejection.code, codeLog);
    }
    const detail =
      rejection.detail.length > DETAIL_LIMIT
        ? `${rejection.detail.slice(0, DETAIL_LIMIT)}...`
        : rejection.detail;
    codeLog.failed({ ...rejection, detail });
  }

  /** Stops the summary timers; refusals not yet summed up are not logged. */
  close(): void {
    this.closed = true;
    for (const codeLog of this.logs.values()) codeLog.close();
  }
}
