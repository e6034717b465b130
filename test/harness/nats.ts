import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { type BrokerHandle, externalBrokerUrl, externalHandle, startManaged } from './broker-handle.js';
import { harnessCacheDir } from './cache.js';
import { freeLoopbackPort } from './ports.js';
import { findExecutable, makeBrokerDir, ServerProcess } from './process.js';

/**
 * A nats-server with JetStream on a free loopback port, its store in its own directory, or the
 * server named by NATS_URL (which must have JetStream enabled).
 *
 * The binary: NATS_SERVER_BIN if set, else one setup.sh built into the cache (only when the system's
 * was too old), else `nats-server` on PATH (Debian 12's 2.9.10 serves durable pull consumers with
 * ack, nak with delay and max_deliver as @nats-io/jetstream 3 uses them).
 */
export async function startNats(): Promise<BrokerHandle> {
  const external = externalBrokerUrl('nats');
  if (external !== undefined) return externalHandle('nats', external);

  const port = await freeLoopbackPort();
  const dir = await makeBrokerDir('nats');
  const url = `nats://127.0.0.1:${port}`;
  const server = new ServerProcess(dir, {
    name: 'nats-server',
    command: natsServerExecutable(),
    args: [
      '--addr',
      '127.0.0.1',
      '--port',
      String(port),
      // A fixed name rather than the default fresh id, so logs and JetStream info match across restarts.
      '--name',
      'trigger-broker-test',
      '--jetstream',
      '--store_dir',
      join(dir, 'jetstream'),
    ],
    isServing: () => jetStreamAnswers(url),
    startTimeoutMs: 15_000,
    stopTimeoutMs: 10_000,
  });
  return startManaged(url, server);
}

function natsServerExecutable(): string {
  const chosen = process.env['NATS_SERVER_BIN'];
  if (chosen !== undefined && chosen !== '') return chosen;
  return findExecutable('nats-server', { preferred: [join(harnessCacheDir(), 'bin', 'nats-server')] });
}

/** True once the server answers a JetStream API request (account info), not just a connect. */
async function jetStreamAnswers(url: string): Promise<boolean> {
  const nc = await connect({ servers: url, reconnect: false, timeout: 1_000 });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 1_000 });
    await jsm.getAccountInfo();
    return true;
  } finally {
    await nc.close();
  }
}
