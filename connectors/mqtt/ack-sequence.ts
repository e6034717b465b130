/**
 * The acknowledgements of one MQTT connection, written in the order the PUBLISH packets arrived,
 * whatever order their events were stored in.
 *
 * MQTT 5.0 4.6 and MQTT 3.1.1 4.6 (Message ordering): a client "MUST send PUBACK packets in the
 * order in which the corresponding PUBLISH packets were received (QoS 1 messages)", and the same
 * for PUBREC (QoS 2). Several messages are stored at once (see AckGate), and one of them may be
 * done before an earlier one (a dead letter beside a batch of events, a retained message that is
 * ignored), so a message that is stored waits here until every earlier one is acknowledged.
 *
 * A message that will not be acknowledged on this connection (it could not be stored before the
 * Source stopped or the connection closed) is `held`: nothing after it is acknowledged either,
 * since that would break the order. The connection is going away then, and the MQTT broker sends
 * every unacknowledged message of the session again on the next one (MQTT 5.0 4.4, 3.1.1 4.4),
 * where they are taken afresh: a sequence ends with its connection (`close`).
 */
export class AckSequence {
  private readonly queue: Entry[] = [];
  private closed = false;

  /** Adds the next message, in arrival order; `send` writes its acknowledgement. */
  add(send: () => void): AckTicket {
    let finish: (sent: boolean) => void = () => undefined;
    const finished = new Promise<boolean>((resolve) => {
      finish = resolve;
    });
    const entry: Entry = { state: 'waiting', send, finish };
    if (this.closed) finish(false);
    else this.queue.push(entry);
    return {
      finished,
      stored: () => {
        if (entry.state !== 'waiting') return;
        entry.state = 'stored';
        this.flush();
      },
      hold: () => {
        if (entry.state === 'waiting') entry.state = 'held';
      },
    };
  }

  /** Messages added and not yet acknowledged (nor abandoned by `close`). */
  get pending(): number {
    return this.queue.length;
  }

  /** The connection closed: nothing more is sent; every waiting message is abandoned. */
  close(): void {
    this.closed = true;
    for (const entry of this.queue.splice(0)) entry.finish(false);
  }

  /** Sends the acknowledgements at the head that may go now, in order. */
  private flush(): void {
    while (!this.closed && this.queue[0]?.state === 'stored') {
      const entry = this.queue.shift()!;
      entry.send();
      entry.finish(true);
    }
  }
}

/** One message's place in an AckSequence. */
export interface AckTicket {
  /** Its event is stored (or its dead letter recorded): acknowledge it once all earlier ones are. */
  stored(): void;
  /** It will not be acknowledged on this connection, nor will anything after it. */
  hold(): void;
  /** Resolves true once its acknowledgement was sent, false once the connection ended without it. */
  readonly finished: Promise<boolean>;
}

interface Entry {
  state: 'waiting' | 'stored' | 'held';
  readonly send: () => void;
  readonly finish: (sent: boolean) => void;
}
