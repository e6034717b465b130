import type { CloudEvent } from '../../broker/cloudevents/event.js';
import { BrokerError } from '../../broker/errors.js';
import type { CeMapper } from '../../broker/mapping/ce-mapping.js';
import type {
  Connector,
  ConnectorCheckpoint,
  ConnectorContext,
  MalformedMessage,
} from '../../broker/ports/connector.js';
import { type NamedByMapping, recordToEvent } from './file-events.js';
import { LogFiles } from './files/log-files.js';
import { StoppedError } from './files/tailer.js';
import { RecordPipeline } from './records/pipeline.js';
import type { LogSettings } from './settings.js';
import { type ReceivedSyslog, SyslogListener } from './syslog/listener.js';
import { syslogToEvent } from './syslog-events.js';

/** Longest wait between two tries to store while the store refuses (it says how long in Retry-After). */
const MAX_RETRY_MS = 5000;

/**
 * The `log` Source: tails files (files/) and receives syslog (syslog/), one event per record.
 *
 * Files keep no position of their own, so theirs is committed in the store with the events read
 * up to it (ConnectorContext checkpoints): exactly once into the store. Syslog has no
 * acknowledgement at all: over TCP the sender only knows the connection took the bytes, over UDP
 * not even that, so a crash loses what was received and not yet committed (docs/reference).
 */
export class LogSource implements Connector {
  readonly kind = 'log';
  private context: ConnectorContext | undefined;
  private files: LogFiles | undefined;
  private syslog: SyslogListener | undefined;
  private stopped = false;
  private starting: Promise<void> | undefined;
  private readonly retryWaits = new Set<() => void>();
  private problems: readonly string[] = [];
  private up = false;

  constructor(
    readonly sourceName: string,
    private readonly settings: LogSettings,
    private readonly mapper: CeMapper,
    private readonly named: NamedByMapping,
  ) {}

  /** The ports the syslog listener is bound to (useful with port 0). */
  syslogPorts: { udpPort?: number; tcpPort?: number } = {};

  async start(context: ConnectorContext): Promise<void> {
    this.context = context;
    this.stopped = false;
    context.reportState({ status: 'connecting' });
    if (this.settings.syslog) {
      const { syslog } = this.settings;
      this.syslog = new SyslogListener({
        host: syslog.host,
        maxMessageBytes: syslog.maxMessageBytes,
        ...(syslog.udp !== undefined ? { udpPort: syslog.udp } : {}),
        ...(syslog.tcp !== undefined ? { tcpPort: syslog.tcp } : {}),
        onBatch: (batch) => this.storeSyslog(batch),
        onError: (error, where) => context.log.warn({ err: error, where }, 'syslog listener'),
      });
      this.syslogPorts = await this.syslog.start();
    }
    if (this.settings.files) {
      const { lines } = this.settings.files;
      this.files = new LogFiles(this.settings.files, {
        log: context.log,
        newPipeline: (offset) => new RecordPipeline(lines, offset),
        toEvent: (record, origin) =>
          recordToEvent(this.mapper, record, origin, new Date().toISOString(), this.named),
        store: (what, checkpoints) => this.store(what, checkpoints),
        reportProblems: (problems) => {
          this.problems = problems;
          this.report();
        },
      });
      // Reading starts once the checkpoints are in hand; a store that refuses the first commit
      // (unavailable) delays it without holding up the broker's start.
      this.starting = this.files
        .start(context.checkpoints())
        .then(() => {
          this.up = true;
          this.report();
        })
        .catch((err: unknown) => {
          if (!(err instanceof StoppedError))
            context.log.error({ err }, 'the log Source could not start reading files');
        });
    } else {
      this.up = true;
      this.report();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of this.retryWaits) wake();
    await this.syslog?.stop();
    await this.starting;
    await this.files?.stop();
    this.context?.reportState({ status: 'stopped' });
  }

  private report(): void {
    if (!this.up || this.stopped || !this.context) return;
    if (this.problems.length > 0)
      this.context.reportState({ status: 'degraded', error: this.problems.join('; ') });
    else this.context.reportState({ status: 'up' });
  }

  /**
   * Stores events or a dead letter with checkpoints, trying again while the store says "not now"
   * (unavailable, overloaded), until it works or the Source stops. Any other refusal (an
   * EventSchema's) is the caller's to handle.
   */
  private async store(
    what: { events: readonly CloudEvent[] } | { deadLetter: MalformedMessage },
    checkpoints: readonly ConnectorCheckpoint[],
  ): Promise<void> {
    const context = this.context;
    if (!context) throw new StoppedError();
    let waitMs = 100;
    for (;;) {
      if (this.stopped) throw new StoppedError();
      try {
        if ('events' in what) await context.ingest(what.events, { checkpoints });
        else await context.deadLetter(what.deadLetter, { checkpoints });
        return;
      } catch (err) {
        if (!(err instanceof BrokerError) || (err.code !== 'unavailable' && err.code !== 'overloaded'))
          throw err;
        const hinted = typeof err.retryAfter === 'number' ? err.retryAfter * 1000 : waitMs;
        await this.pause(Math.min(MAX_RETRY_MS, Math.max(waitMs, Math.min(hinted, MAX_RETRY_MS))));
        waitMs = Math.min(MAX_RETRY_MS, waitMs * 2);
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.retryWaits.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.retryWaits.add(done);
    });
  }

  /**
   * One batch of syslog messages: the good ones as events in one commit, each malformed one in
   * the dead-letter list; a message whose mapping fails is dead-lettered too. Never throws into
   * the listener (a TCP sender waits on it: its socket is paused until this settles).
   */
  private async storeSyslog(batch: readonly ReceivedSyslog[]): Promise<void> {
    const now = new Date().toISOString();
    const events: CloudEvent[] = [];
    const dead: MalformedMessage[] = [];
    for (const item of batch) {
      const origin = { transport: item.transport, peer: item.peer };
      if (item.kind === 'malformed') {
        dead.push({ reason: `malformed syslog message: ${item.reason}`, payload: item.raw, origin });
        continue;
      }
      try {
        events.push(syslogToEvent(this.mapper, item.message, item.peer, now, this.named));
      } catch (err) {
        dead.push({ reason: (err as Error).message, payload: item.raw, origin });
      }
    }
    try {
      for (const message of dead) await this.store({ deadLetter: message }, []);
      if (events.length > 0) await this.storeEvents(events);
    } catch (err) {
      if (!(err instanceof StoppedError))
        this.context?.log.error({ err }, 'syslog messages could not be stored');
    }
  }

  /** Events in one commit; when an EventSchema refuses one, one by one, the refused dead-lettered. */
  private async storeEvents(events: readonly CloudEvent[]): Promise<void> {
    try {
      await this.store({ events }, []);
    } catch (err) {
      if (err instanceof StoppedError) throw err;
      for (const event of events) {
        try {
          await this.store({ events: [event] }, []);
        } catch (one) {
          if (one instanceof StoppedError) throw one;
          await this.store(
            {
              deadLetter: {
                reason: (one as Error).message,
                payload: Buffer.from(JSON.stringify(event.data.kind === 'json' ? event.data.value : null)),
                origin: { source: String(event.attributes['source']) },
              },
            },
            [],
          );
        }
      }
    }
  }
}
