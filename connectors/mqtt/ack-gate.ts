import type { MqttClient } from 'mqtt';
import { AckSequence } from './ack-sequence.js';
import { InFlightWindow } from './in-flight-window.js';

/** An incoming PUBLISH as mqtt.js hands it over. */
export type PublishPacket = Parameters<MqttClient['handleMessage']>[0];

/**
 * Handles one message. Resolves true once the message may be acknowledged (its event is stored
 * or its dead letter recorded), false to leave it unacknowledged so the MQTT broker sends it
 * again. `connectionLost` aborts when the connection the message came on closes: a QoS 1 or 2
 * message will then come again on the next connection, so there is no point in going on. Every
 * message of one connection gets the same signal (QoS 0 messages: one of the client's own, which
 * never aborts, since they are never sent again), so a handler may key what it shares by it.
 */
export type GatedHandler = (packet: PublishPacket, connectionLost: AbortSignal) => Promise<boolean>;

/**
 * How many messages one connection may have taken and not yet acknowledged: announced to an
 * MQTT 5 broker as the connection's Receive Maximum (CONNECT property, 3.1.2.11.3) and kept by
 * the client itself for QoS 0 and 3.1.1 (InFlightWindow). Enough for the store's group commits
 * to carry a hundred messages or more each; small enough that what is held in memory stays small.
 */
export const IN_FLIGHT_MAXIMUM = 256;

/**
 * Given to mqtt.js's `handleMessage` callback to move on to the next packet without writing the
 * PUBACK, which this gate writes later itself.
 */
const ACKNOWLEDGED_LATER = new Error('acknowledged later, in order, by the ack gate');

/**
 * Holds an MQTT client's acknowledgement of each message until `handle` says the message is
 * safe, so the delivery promise holds: the PUBACK (QoS 1) or PUBREC (QoS 2) is what tells the
 * MQTT broker it may forget the message (MQTT 5.0 4.3.2 and 4.3.3: the receiver "accepts
 * ownership" with it), while several messages are being stored at once.
 *
 * mqtt.js handles a connection's packets one at a time: it reads the next only once the PUBACK
 * of a QoS 1 message has been written (handlers/publish.js), which left one message in flight.
 * Its hooks are used so that it goes on at once instead:
 * - `customHandleAcks` (mqtt.js installs it only for MQTT 5 and replaces it with an immediate
 *   acknowledgement for 3.1.1; handlePublish reads it from `client.options` for each message, so
 *   setting it there after construction applies to both) lets a QoS 1 message through at once;
 * - `handleMessage` (its documented per-message back-pressure hook) then gets the message. Its
 *   callback, called with an error, moves on to the next packet without writing the PUBACK
 *   (handlePublish: `if (err) return done(err)`); the gate writes the PUBACK itself once the
 *   message is stored and every earlier one acknowledged (AckSequence, MQTT 4.6), with the packet
 *   writer mqtt.js's handlers use for theirs. A reader held for lack of room (InFlightWindow)
 *   calls the callback later.
 * - QoS 2 goes one message at a time, as before: mqtt.js writes the PUBREC and moves on in one
 *   step (after its own QoS 2 bookkeeping, which the PUBREL needs), so the `customHandleAcks`
 *   callback is held until the message is stored and every earlier one acknowledged. When the
 *   PUBREL arrives, `handleMessage` runs again: the message was stored before the PUBREC, so it
 *   just completes the exchange (after a restart, mqtt.js answers a PUBREL for a message it no
 *   longer knows with PUBCOMP, which is right: it was stored).
 * - QoS 0 has no acknowledgement; its `handleMessage` callback is called as soon as the window
 *   has room.
 *
 * An acknowledgement is only sent on the connection the message came on: packet identifiers are
 * per connection, and after a reconnect the MQTT broker sends unacknowledged messages again.
 */
export class AckGate {
  private connection = new AbortController();
  private sequence = new AckSequence();
  /**
   * The signal QoS 0 messages are handled under: they are never sent again, so their handling
   * does not end with the connection.
   */
  private readonly forever = new AbortController().signal;
  private readonly window: InFlightWindow;
  private readonly handling = new Set<Promise<unknown>>();

  constructor(
    client: MqttClient,
    private readonly handle: GatedHandler,
    maximum = IN_FLIGHT_MAXIMUM,
  ) {
    this.window = new InFlightWindow(maximum);
    const writePuback = pubackWriter(client);
    client.on('close', () => {
      this.connection.abort(new Error('the MQTT connection closed'));
      this.connection = new AbortController();
      this.sequence.close();
      this.sequence = new AckSequence();
    });
    client.options.customHandleAcks = (_topic, _payload, packet: PublishPacket, acknowledge) => {
      if (packet.qos !== 2) {
        acknowledge(0); // no PUBACK yet: mqtt.js goes on to handleMessage, below
        return;
      }
      this.take(packet, this.connection.signal, () => acknowledge(0), undefined);
    };
    client.handleMessage = (packet, callback) => {
      if (packet.qos === 2) {
        callback(); // the PUBREL of a message stored before its PUBREC
        return;
      }
      if (packet.qos === 1) {
        const messageId = packet.messageId!;
        this.take(
          packet,
          this.connection.signal,
          // Never while disconnected: mqtt.js would queue the PUBACK for the next connection.
          () => {
            if (client.connected) writePuback(messageId);
          },
          () => callback(ACKNOWLEDGED_LATER),
        );
        return;
      }
      this.take(packet, this.forever, undefined, () => callback());
    };
  }

  /** Resolves once no message is being handled, or after `timeoutMs`; true when idle. */
  async settled(timeoutMs: number): Promise<boolean> {
    if (this.handling.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const idle = Promise.allSettled([...this.handling]).then(() => true);
    try {
      return await Promise.race([idle, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Takes a message that has just arrived: its place in the acknowledgement order (`acknowledge`,
   * none for QoS 0), its handling under `signal`, and its place in the window; `readNext` lets
   * mqtt.js read the next packet (none for QoS 2, whose acknowledgement does that).
   */
  private take(
    packet: PublishPacket,
    signal: AbortSignal,
    acknowledge: (() => void) | undefined,
    readNext: (() => void) | undefined,
  ): void {
    const connection = this.connection.signal;
    const ticket = acknowledge ? this.sequence.add(acknowledge) : undefined;
    const handled = this.handle(packet, signal).catch(() => false);
    this.handling.add(handled);
    void handled
      .then(async (stored) => {
        this.handling.delete(handled);
        if (!ticket) return;
        if (stored) ticket.stored();
        else ticket.hold();
        await ticket.finished;
      })
      .finally(() => this.window.release());
    // A reader held on a connection that has closed since reads nothing: its packets are gone.
    this.window.take(() => {
      if (!connection.aborted) readNext?.();
    });
  }
}

/**
 * Writes a PUBACK through mqtt.js's own packet writer, `_sendPacket`, the one its handlers write
 * their acknowledgements with (it has no public call for a deferred one). Checked once here, so
 * that an mqtt.js without it fails at start rather than leaving every message unacknowledged.
 */
function pubackWriter(client: MqttClient): (messageId: number) => void {
  const writer = client as unknown as {
    _sendPacket?: (packet: { cmd: 'puback'; messageId: number; reasonCode: number }) => void;
  };
  if (typeof writer._sendPacket !== 'function')
    throw new Error('mqtt.js has no MqttClient._sendPacket: the mqtt Source cannot acknowledge messages');
  return (messageId) => writer._sendPacket!({ cmd: 'puback', messageId, reasonCode: 0 });
}
