import type { ServerProcess } from './process.js';

/** A real broker that a test talks to, and, when the harness runs it, can crash and bring back. */
export interface BrokerHandle {
  /** `mqtt://127.0.0.1:P`, `nats://127.0.0.1:P`, or Kafka's bootstrap list `127.0.0.1:P`. */
  readonly url: string;
  /** False for a broker named by MQTT_URL, NATS_URL or KAFKA_BROKERS: stop, kill and restart throw. */
  readonly managed: boolean;
  /** The broker's private directory (configuration, data, `<name>.log`); undefined when external. */
  readonly dir: string | undefined;
  /** Clean shutdown (SIGTERM, waits for the exit). */
  stop(): Promise<void>;
  /** Crash (SIGKILL, waits for the exit). */
  kill(): Promise<void>;
  /** Stops it if it runs, then starts it on the same port and data and waits until it serves. */
  restart(): Promise<void>;
  /** Stops it and deletes its directory; for an external broker, does nothing. */
  dispose(): Promise<void>;
}

export type BrokerKind = 'mqtt' | 'nats' | 'kafka';

/** The variable that points the tests at an already running broker of each kind. */
export const externalBrokerVariable: Record<BrokerKind, string> = {
  mqtt: 'MQTT_URL',
  nats: 'NATS_URL',
  kafka: 'KAFKA_BROKERS',
};

/** The external broker's address, when its variable is set (and not empty). */
export function externalBrokerUrl(kind: BrokerKind): string | undefined {
  const value = process.env[externalBrokerVariable[kind]]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** Starts the server and wraps it; when it does not come up, its directory is removed and the error (with its log's tail) thrown. */
export async function startManaged(url: string, server: ServerProcess): Promise<BrokerHandle> {
  try {
    await server.start();
  } catch (error) {
    await server.dispose();
    throw error;
  }
  return managedHandle(url, server);
}

function managedHandle(url: string, server: ServerProcess): BrokerHandle {
  return {
    url,
    managed: true,
    dir: server.dir,
    stop: () => server.stop(),
    kill: () => server.kill(),
    restart: () => server.restart(),
    dispose: () => server.dispose(),
  };
}

export function externalHandle(kind: BrokerKind, url: string): BrokerHandle {
  const refuse = (what: string) => async (): Promise<never> => {
    const variable = externalBrokerVariable[kind];
    throw new Error(
      `cannot ${what} the ${kind} broker at ${url}: ${variable} points at a broker the harness does not run. ` +
        `This test needs a harness-managed broker; unset ${variable} to run it.`,
    );
  };
  return {
    url,
    managed: false,
    dir: undefined,
    stop: refuse('stop'),
    kill: refuse('kill'),
    restart: refuse('restart'),
    dispose: async () => {},
  };
}
