/**
 * How many messages an MQTT connection (one mqtt.js client) has taken and not finished with:
 * taken when it arrives, given back once it is acknowledged, or once its handling has ended
 * when it will not be (a QoS 0 message, or a connection that closed). When the window is full,
 * the next message is not read: mqtt.js reads the socket only as it hands messages over, so
 * the MQTT broker meets TCP back-pressure, and memory stays bounded.
 *
 * With MQTT 5 the client also announces the window as its Receive Maximum (3.1.2.11.3, 4.9), so
 * the MQTT broker itself sends no more unacknowledged QoS 1 and 2 messages than that and the
 * connection's other packets (PINGRESP, SUBACK) keep flowing; QoS 0 messages, and 3.1.1, where
 * there is no such announcement, are held by this window alone.
 */
export class InFlightWindow {
  private taken = 0;
  private readonly held: (() => void)[] = [];

  constructor(readonly maximum: number) {
    if (!Number.isInteger(maximum) || maximum < 1)
      throw new RangeError('the window needs at least one message');
  }

  /** Messages taken and not given back. */
  get size(): number {
    return this.taken;
  }

  /**
   * Takes a place for a message that has arrived; `readNext` is called once the next message
   * may be read: at once while there is room, else when a place is given back.
   */
  take(readNext: () => void): void {
    this.taken += 1;
    if (this.taken < this.maximum) readNext();
    else this.held.push(readNext);
  }

  /** Gives a place back; a reader held for lack of room goes on. */
  release(): void {
    this.taken -= 1;
    // Only one reader of a client is live at a time (the one of its current connection); the
    // others were held on connections that have closed since and do nothing when called.
    if (this.taken < this.maximum) for (const readNext of this.held.splice(0)) readNext();
  }
}
