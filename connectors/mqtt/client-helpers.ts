import type { IClientPublishOptions, MqttClient } from 'mqtt';

/** How long a clean DISCONNECT may take before the socket is just closed. */
const DISCONNECT_TIMEOUT_MS = 2_000;

/** A clean DISCONNECT (the session stays, with its unacknowledged messages), else a hard close. */
export async function disconnect(client: MqttClient): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const clean = client.endAsync(false).then(() => true);
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), DISCONNECT_TIMEOUT_MS);
  });
  try {
    if (!(await Promise.race([clean, late]))) await client.endAsync(true);
  } catch {
    await client.endAsync(true).catch(() => undefined);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Publishes and waits for the MQTT broker's acknowledgement, at most `timeoutMs`. Rejects when the
 * broker refuses it (MQTT 5 reason code, e.g. an ACL) or does not answer in time, and at once when
 * the client is not connected (mqtt.js would queue the message until it is).
 */
export async function publishConfirmed(
  client: MqttClient,
  topic: string,
  payload: string,
  options: IClientPublishOptions,
  timeoutMs: number,
): Promise<void> {
  if (!client.connected) throw new Error('not connected');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no acknowledgement within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([client.publishAsync(topic, payload, options), late]);
  } finally {
    clearTimeout(timer);
  }
}
