import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectAsync, type IClientOptions } from 'mqtt';
import { type BrokerHandle, externalBrokerUrl, externalHandle, startManaged } from './broker-handle.js';
import { freeLoopbackPort } from './ports.js';
import { findExecutable, makeBrokerDir, ServerProcess } from './process.js';

/**
 * A Mosquitto on a free loopback port with persistence in its own directory, or the broker named by
 * MQTT_URL. Retained messages, persistent sessions and their queued QoS 1/2 messages survive restart.
 */
export async function startMosquitto(): Promise<BrokerHandle> {
  const external = externalBrokerUrl('mqtt');
  if (external !== undefined) return externalHandle('mqtt', external);

  const port = await freeLoopbackPort();
  const dir = await makeBrokerDir('mosquitto');
  const url = `mqtt://127.0.0.1:${port}`;
  return startManaged(url, await mosquittoServer(dir, mosquittoConfig(port, dir), url));
}

/**
 * A Mosquitto process (not yet started) in `dir` with the given configuration lines, ready once
 * `url` answers a CONNECT (with `probe`'s options, e.g. credentials). Tests and benchmarks that
 * need another configuration (TLS, passwords, no persistence) build theirs with this.
 */
export async function mosquittoServer(
  dir: string,
  configLines: readonly string[],
  url: string,
  probe: IClientOptions = {},
): Promise<ServerProcess> {
  // Started as root, Mosquitto switches to the `mosquitto` user, which cannot write to our 0700
  // temporary directory; staying root is harmless for a test broker on loopback.
  const lines = process.getuid?.() === 0 ? [...configLines, 'user root'] : configLines;
  const configFile = join(dir, 'mosquitto.conf');
  await writeFile(configFile, `${lines.join('\n')}\n`);
  return new ServerProcess(dir, {
    name: 'mosquitto',
    command: findExecutable('mosquitto', { fallbacks: ['/usr/sbin/mosquitto'] }),
    args: ['-c', configFile],
    isServing: () => mqttBrokerAnswers(url, probe),
    startTimeoutMs: 10_000,
    stopTimeoutMs: 5_000,
  });
}

function mosquittoConfig(port: number, dir: string): string[] {
  return [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'persistence true',
    `persistence_location ${dir}/`,
    // Mosquitto keeps its state in memory and writes mosquitto.db only on a clean shutdown or every
    // autosave_interval. Saving after every single change makes state survive kill -9 (a moment after
    // the PUBACK, not before it: wait for the file, see harness.test.ts), which crash tests need.
    'autosave_interval 1',
    'autosave_on_changes true',
    'set_tcp_nodelay true',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'log_timestamp_format %Y-%m-%dT%H:%M:%S',
  ];
}

/** True once a CONNECT gets its CONNACK. */
async function mqttBrokerAnswers(url: string, probe: IClientOptions): Promise<boolean> {
  const client = await connectAsync(
    url,
    {
      clientId: `harness-probe-${randomUUID()}`,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 1_000,
      ...probe,
    },
    false,
  );
  const answered = client.connected;
  await client.endAsync(true);
  return answered;
}
