/**
 * The network side of syslog: receives on UDP and/or TCP, parses, and hands what it received to
 * `onBatch` in batches. Errors never escape it; they go to `onError`.
 */
import type { ReceivedSyslog } from './received.js';
import { TcpReceiver } from './tcp-receiver.js';
import { UdpReceiver } from './udp-receiver.js';

export type { ReceivedSyslog } from './received.js';

export interface SyslogListenerOptions {
  /** Either or both; 0 = any free port. */
  udpPort?: number;
  tcpPort?: number;
  host: string;
  maxMessageBytes: number;
  /**
   * Called with each batch of received datagrams/frames. For TCP the socket is paused until the
   * promise settles (backpressure: a slow store slows the sender); for UDP nothing can be pushed
   * back. Never rejects into the listener: the listener catches and logs via onError.
   */
  onBatch(batch: readonly ReceivedSyslog[]): Promise<void>;
  onError(error: Error, where: string): void;
  /** TCP connections open at once; more are refused. Default 1000. */
  maxConnections?: number;
  /** A TCP connection silent for this long is closed. Default 10 minutes. */
  idleTimeoutMs?: number;
  /** UDP datagrams kept while a batch is being delivered; more are dropped. Default 10,000. */
  maxWaitingDatagrams?: number;
}

export const DEFAULT_MAX_CONNECTIONS = 1000;
export const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60 * 1000;
export const DEFAULT_MAX_WAITING_DATAGRAMS = 10_000;

export class SyslogListener {
  private udp: UdpReceiver | undefined;
  private tcp: TcpReceiver | undefined;

  constructor(private readonly options: SyslogListenerOptions) {}

  /** UDP datagrams dropped because too many were waiting while a batch was stored (UdpReceiver). */
  get droppedDatagrams(): number {
    return this.udp?.droppedDatagrams ?? 0;
  }

  /** TCP connections refused because maxConnections were open. */
  get refusedConnections(): number {
    return this.tcp?.refusedConnections ?? 0;
  }

  /** Binds the ports asked for; resolves with the ports bound. */
  async start(): Promise<{ udpPort?: number; tcpPort?: number }> {
    const { udpPort, tcpPort, host, maxMessageBytes } = this.options;
    if (udpPort === undefined && tcpPort === undefined) throw new Error('give udpPort, tcpPort or both');
    const deliver = (batch: readonly ReceivedSyslog[]) => this.deliver(batch);
    const onError = (error: Error, where: string) => this.reportError(error, where);
    const ports: { udpPort?: number; tcpPort?: number } = {};
    try {
      if (udpPort !== undefined) {
        this.udp = new UdpReceiver({
          host,
          port: udpPort,
          maxMessageBytes,
          maxWaitingDatagrams: this.options.maxWaitingDatagrams ?? DEFAULT_MAX_WAITING_DATAGRAMS,
          deliver,
          onError,
        });
        ports.udpPort = await this.udp.start();
      }
      if (tcpPort !== undefined) {
        this.tcp = new TcpReceiver({
          host,
          port: tcpPort,
          maxMessageBytes,
          maxConnections: this.options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
          idleTimeoutMs: this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
          deliver,
          onError,
        });
        ports.tcpPort = await this.tcp.start();
      }
    } catch (error) {
      // One port could not be bound (in use, not permitted): do not keep the other half open.
      await this.stop();
      throw error;
    }
    return ports;
  }

  /** Closes the servers and every TCP connection, then waits for onBatch calls in progress. */
  async stop(): Promise<void> {
    await Promise.all([this.udp?.stop(), this.tcp?.stop()]);
  }

  private async deliver(batch: readonly ReceivedSyslog[]): Promise<void> {
    try {
      await this.options.onBatch(batch);
    } catch (error) {
      this.reportError(error instanceof Error ? error : new Error(String(error)), 'onBatch');
    }
  }

  private reportError(error: Error, where: string): void {
    try {
      this.options.onError(error, where);
    } catch {
      // onError is where errors are logged; if it throws too there is nowhere left to report it,
      // and throwing from a socket event would take the process down.
    }
  }
}
