/** Syslog over UDP (RFC 5426): one message per datagram, no framing, no acknowledgement. */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { isIPv6 } from 'node:net';
import { BatchPump } from './batch-pump.js';
import { malformed, peerName, type ReceivedSyslog, receive } from './received.js';

export interface UdpReceiverOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
  /** Datagrams kept while a batch is being delivered; more are dropped (see `droppedDatagrams`). */
  maxWaitingDatagrams: number;
  /** Must not reject. */
  deliver(batch: readonly ReceivedSyslog[]): Promise<void>;
  onError(error: Error, where: string): void;
}

/**
 * UDP has no backpressure: a sender never learns that the receiver is slow, and the kernel drops
 * what does not fit its socket buffer. So datagrams are read as fast as they come, one batch is
 * delivered at a time, and while it is, up to maxWaitingDatagrams wait in memory. Beyond that
 * they are dropped and counted, since the only other choice is memory without bound; one error is
 * reported per burst of drops, not one per datagram, so that the log is not flooded with them.
 */
export class UdpReceiver {
  private socket: Socket | undefined;
  private dropped = 0;
  /** True from the first drop until the waiting datagrams are taken into a batch. */
  private dropping = false;
  private readonly pump: BatchPump<ReceivedSyslog>;

  constructor(private readonly options: UdpReceiverOptions) {
    this.pump = new BatchPump({
      deliver: (batch) => {
        this.dropping = false; // the waiting room is empty again
        return options.deliver(batch);
      },
    });
  }

  /** Datagrams dropped since start because too many were waiting. */
  get droppedDatagrams(): number {
    return this.dropped;
  }

  /** Binds; resolves with the bound port. */
  async start(): Promise<number> {
    const socket = createSocket({ type: isIPv6(this.options.host) ? 'udp6' : 'udp4' });
    this.socket = socket;
    const bound = once(socket, 'listening');
    socket.bind(this.options.port, this.options.host);
    try {
      // `once` rejects when 'error' comes first (EADDRINUSE, EACCES on a port below 1024).
      await bound;
    } catch (error) {
      socket.close();
      this.socket = undefined;
      throw error;
    }
    socket.on('error', (error) => this.options.onError(error, 'udp'));
    socket.on('message', (datagram, remote) => this.onDatagram(datagram, remote));
    return socket.address().port;
  }

  /** Closes the socket, then waits until what was received has been delivered. */
  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      const closed = once(socket, 'close');
      socket.close();
      await closed;
    }
    await this.pump.whenIdle();
  }

  private onDatagram(datagram: Buffer, remote: RemoteInfo): void {
    if (this.pump.waiting >= this.options.maxWaitingDatagrams) {
      this.dropped += 1;
      if (!this.dropping) {
        this.dropping = true;
        this.options.onError(
          new Error(
            `${this.options.maxWaitingDatagrams} syslog datagrams are waiting for the batch being stored; ` +
              'dropping the ones that follow until they are taken (UDP cannot slow the sender down)',
          ),
          'udp',
        );
      }
      return;
    }
    const peer = peerName(remote.address, remote.port);
    const max = this.options.maxMessageBytes;
    const item =
      datagram.length > max
        ? malformed(
            `datagram of ${datagram.length} bytes is larger than maxMessageBytes (${max}); its first ${max} bytes are kept`,
            Buffer.from(datagram.subarray(0, max)),
            'udp',
            peer,
          )
        : receive(datagram, 'udp', peer);
    this.pump.add([item]);
  }
}
