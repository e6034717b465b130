import type { MqttClient } from 'mqtt';

/** An incoming PUBLISH as mqtt.js hands it over. */
export type PublishPacket = Parameters<MqttClient['handleMessage']>[0];

/**
 * Handles one message. Resolves true once the message may be acknowledged (its event is stored
 * or its dead letter recorded), false to leave it unacknowledged so the MQTT broker sends it
 * again. `connectionLost` aborts when the connection the message came on closes: a QoS 1 or 2
 * message will then come again on the next connection, so there is no point in going on.
 */
export type GatedHandler = (packet: PublishPacket, connectionLost: AbortSignal) => Promise<boolean>;

/**
 * Holds an MQTT client's acknowledgement of each message until `handle` says the message is
 * safe, so the delivery promise holds: the PUBACK (QoS 1) or PUBREC (QoS 2) is what tells the
 * MQTT broker it may forget the message (MQTT 5.0 4.3.2 and 4.3.3: the receiver "accepts
 * ownership" with it).
 *
 * The hook is mqtt.js's `customHandleAcks`: handlePublish sends the PUBACK/PUBREC only when its
 * callback is called, and handles the next packet of the connection only after that. mqtt.js
 * installs the option only for MQTT 5, where its purpose is the reason code, and replaces it
 * with an immediate acknowledgement for 3.1.1; handlePublish reads it from `client.options` for
 * each message, so setting it there after construction gates 3.1.1 the same way (the reason code
 * is always 0, which 3.1.1 packets do not carry). QoS 0 has no acknowledgement; `handleMessage`
 * (mqtt.js's documented per-message back-pressure hook) makes the client wait for it the same way.
 *
 * For QoS 2, `handleMessage` runs again when the PUBREL arrives; the message was stored before
 * the PUBREC, so it just completes the exchange (and after a restart, mqtt.js answers a PUBREL
 * for a message it no longer knows with PUBCOMP, which is right: it was stored).
 *
 * An acknowledgement is only sent on the connection the message came on: packet identifiers are
 * per connection, and after a reconnect the MQTT broker sends unacknowledged messages again.
 */
export class AckGate {
  private connection = new AbortController();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    client: MqttClient,
    private readonly handle: GatedHandler,
  ) {
    client.on('close', () => {
      this.connection.abort(new Error('the MQTT connection closed'));
      this.connection = new AbortController();
    });
    client.options.customHandleAcks = (_topic, _payload, packet: PublishPacket, acknowledge) => {
      const connection = this.connection.signal;
      this.track(
        this.handle(packet, connection).then(
          (ack) => {
            if (ack && !connection.aborted) acknowledge(0);
          },
          () => undefined,
        ),
      );
    };
    client.handleMessage = (packet, callback) => {
      if (packet.qos !== 0) {
        callback();
        return;
      }
      // QoS 0 is never sent again, so its handling does not end with the connection.
      const never = new AbortController().signal;
      this.track(
        this.handle(packet, never).then(
          () => callback(),
          () => callback(),
        ),
      );
    };
  }

  /** Resolves once no message is being handled, or after `timeoutMs`; true when idle. */
  async settled(timeoutMs: number): Promise<boolean> {
    if (this.inFlight.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const idle = Promise.allSettled([...this.inFlight]).then(() => true);
    try {
      return await Promise.race([idle, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private track(work: Promise<unknown>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }
}
