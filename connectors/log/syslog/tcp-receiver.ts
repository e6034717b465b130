/** Syslog over TCP (RFC 6587): a stream of framed messages per connection. */
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { BatchPump } from './batch-pump.js';
import { type FramedItem, SyslogStreamFramer } from './framing.js';
import { malformed, peerName, type ReceivedSyslog, receive } from './received.js';

export interface TcpReceiverOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
  /** Connections open at once; more are refused (closed as soon as accepted). */
  maxConnections: number;
  /** A connection that sends nothing for this long is closed (a sender gone without a FIN). */
  idleTimeoutMs: number;
  /** Must not reject. */
  deliver(batch: readonly ReceivedSyslog[]): Promise<void>;
  onError(error: Error, where: string): void;
}

export class TcpReceiver {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /**
   * The batch pump of every connection, from its accept until it is closed and its last batch
   * delivered: what stop() waits for. Added at accept, not at close, because the server's close
   * callback can run before the sockets' 'close' listeners.
   */
  private readonly pumps = new Set<BatchPump<ReceivedSyslog>>();
  private refused = 0;
  /** True from a refusal until a connection closes, so that a burst of refusals is reported once. */
  private refusing = false;

  constructor(private readonly options: TcpReceiverOptions) {}

  /** Connections refused since start because maxConnections were open. */
  get refusedConnections(): number {
    return this.refused;
  }

  /** Listens; resolves with the bound port. */
  async start(): Promise<number> {
    const server = createServer((socket) => this.accept(socket));
    // Node refuses connections beyond it itself, and says so with 'drop'.
    server.maxConnections = this.options.maxConnections;
    server.on('drop', (dropped) => this.onRefused(dropped?.remoteAddress, dropped?.remotePort));
    this.server = server;
    const listening = once(server, 'listening');
    server.listen(this.options.port, this.options.host);
    try {
      await listening;
    } catch (error) {
      this.server = undefined;
      throw error;
    }
    server.on('error', (error) => this.options.onError(error, 'tcp'));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the TCP server has no port');
    return address.port;
  }

  /**
   * Stops accepting, closes every connection (a frame cut off there is lost), then waits until
   * what was received has been delivered.
   */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of this.sockets) socket.destroy();
      await closed;
    }
    await Promise.all([...this.pumps].map((pump) => pump.whenIdle()));
  }

  private accept(socket: Socket): void {
    const peer = peerName(socket.remoteAddress, socket.remotePort);
    const where = `tcp ${peer}`;
    const framer = new SyslogStreamFramer({ maxMessageBytes: this.options.maxMessageBytes });
    const toReceived = (item: FramedItem): ReceivedSyslog =>
      item.kind === 'message'
        ? receive(item.bytes, 'tcp', peer)
        : malformed(item.reason, item.bytes, 'tcp', peer);
    const pump = new BatchPump<ReceivedSyslog>({
      deliver: this.options.deliver,
      // Backpressure: while a batch is being stored nothing more is read from this connection, the
      // kernel's buffers fill and the sender's writes block, so a slow store slows the sender
      // instead of filling memory. The idle timeout is off meanwhile: the silence is ours.
      onBusy: () => {
        socket.pause();
        socket.setTimeout(0);
      },
      onIdle: () => {
        if (socket.destroyed) return;
        socket.setTimeout(this.options.idleTimeoutMs);
        socket.resume();
      },
    });
    this.sockets.add(socket);
    this.pumps.add(pump);
    socket.setTimeout(this.options.idleTimeoutMs);
    socket.on('data', (chunk: Buffer) => pump.add(framer.push(chunk).map(toReceived)));
    // The sender closed its side: a last frame without a trailer is still a message.
    socket.on('end', () => pump.add(framer.end().map(toReceived)));
    socket.on('timeout', () => {
      pump.add(framer.end().map(toReceived));
      socket.destroy();
    });
    socket.on('error', (error) => this.options.onError(error, where));
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.refusing = false;
      void pump.whenIdle().then(() => this.pumps.delete(pump));
    });
  }

  private onRefused(address: string | undefined, port: number | undefined): void {
    this.refused += 1;
    if (this.refusing) return;
    this.refusing = true;
    this.options.onError(
      new Error(
        `refused the TCP connection from ${peerName(address, port)}: ${this.options.maxConnections} connections are open`,
      ),
      'tcp',
    );
  }
}
