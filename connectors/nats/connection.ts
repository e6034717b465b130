import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ConnectionOptions,
  connect,
  type NatsConnection,
  nkeyAuthenticator,
} from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { NatsAuth, NatsSettings } from './settings.js';

/** The longest wait between two connection attempts. */
export const MAX_RECONNECT_WAIT_MS = 10_000;

/**
 * The wait before connection attempt `attempt` (1 for the first retry): 250 ms doubling, with
 * ±20% jitter so that many clients cut off together do not come back together, at most
 * MAX_RECONNECT_WAIT_MS.
 */
export function reconnectWaitMs(attempt: number, random: () => number = Math.random): number {
  const base = 250 * 2 ** Math.min(Math.max(attempt - 1, 0), 10);
  return Math.round(Math.min(base * (0.8 + 0.4 * random()), MAX_RECONNECT_WAIT_MS));
}

/** What the connection tells the connector about itself. */
export interface ConnectionListener {
  /** Connected, or connected again after a loss. */
  connected(server: string): void;
  /** Not connected; `attempt` counts the tries since the connection was last up. */
  reconnecting(error: string, attempt: number): void;
}

/** What an operator should look at when the server refuses the Source's credentials. */
const CHECK_CREDENTIALS = {
  none: 'the server requires them: set token, user and password, or nkeySeed',
  token: 'check the token secret',
  userPassword: 'check the user and the password secret',
  nkey: "check the nkeySeed secret and that the server lists its user's public key",
} as const;

/**
 * The error a failed connect gives, in words an operator can act on. nats.js says "connection
 * refused" and keeps the address in `cause`; a DNS failure is a plain Error with its code.
 */
export function describeConnectError(error: unknown, auth?: NatsAuth): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const code = (error as { code?: unknown }).code ?? (cause as { code?: unknown } | undefined)?.code;
  if (error.name === 'AuthorizationError') {
    return `${error.message}: the server refused the credentials (${CHECK_CREDENTIALS[auth?.kind ?? 'none']})`;
  }
  return typeof code === 'string' && !error.message.includes(code)
    ? `${error.message} (${code})`
    : error.message;
}

/**
 * One Source's link to NATS: connects, keeps trying until it works or `signal` aborts (a wrong
 * address or a server that is down is one clear error line, repeated only when the reason
 * changes, then attempts with backoff, never a crash), and follows the connection's status.
 * Once connected, nats.js reconnects on its own, with the same backoff, without limit.
 */
export class NatsLink {
  /** Reconnect attempts since the connection was lost. */
  private reconnectAttempt = 0;

  constructor(
    private readonly settings: NatsSettings,
    private readonly log: Logger,
    private readonly listener: ConnectionListener,
  ) {}

  /** Resolves with a connection, or undefined once `signal` aborts. */
  async connect(signal: AbortSignal): Promise<NatsConnection | undefined> {
    let attempt = 0;
    let lastLogged: string | undefined;
    const servers = this.settings.servers.join(', ');
    while (!signal.aborted) {
      try {
        const nc = await connect(this.options());
        if (signal.aborted) {
          await nc.close().catch(() => undefined);
          return undefined;
        }
        if (lastLogged !== undefined) this.log.info({ servers: this.settings.servers }, 'connected to NATS');
        this.reconnectAttempt = 0;
        return nc;
      } catch (error) {
        attempt += 1;
        const reason = describeConnectError(error, this.settings.auth);
        if (reason !== lastLogged) {
          this.log.error(
            { servers: this.settings.servers, error: reason },
            `cannot connect to NATS at ${servers}: ${reason}; retrying with backoff (at most ${MAX_RECONNECT_WAIT_MS / 1000} s apart)`,
          );
          lastLogged = reason;
        }
        this.listener.reconnecting(reason, attempt);
        await sleep(reconnectWaitMs(attempt), undefined, { signal }).catch(() => undefined);
      }
    }
    return undefined;
  }

  /**
   * Follows the connection's status and tells the listener; resolves once the connection is
   * closed (by us, or for good).
   */
  async watch(nc: NatsConnection): Promise<void> {
    let lastError = 'the connection to the NATS server was lost';
    void (async () => {
      for await (const status of nc.status()) {
        switch (status.type) {
          case 'disconnect':
            lastError = `lost the connection to NATS server ${status.server}`;
            this.listener.reconnecting(lastError, 0);
            break;
          case 'reconnecting':
            // Dispatched once per dial, so this is where attempts are counted.
            this.reconnectAttempt += 1;
            this.listener.reconnecting(lastError, this.reconnectAttempt);
            break;
          case 'reconnect':
            this.reconnectAttempt = 0;
            this.listener.connected(status.server);
            break;
          case 'error':
            lastError = status.error.message;
            this.log.warn({ error: status.error.message }, 'NATS server reported an error');
            break;
          case 'ldm':
            this.log.info({ server: status.server }, 'NATS server is entering lame duck mode');
            break;
          case 'slowConsumer':
            this.log.warn(
              { pending: status.pending },
              'NATS subscription is a slow consumer: the server may drop messages for it',
            );
            break;
          default:
            break;
        }
      }
    })().catch(() => undefined);
    await nc.closed();
  }

  private options(): ConnectionOptions {
    return {
      servers: [...this.settings.servers],
      name: `trigger-broker/${this.settings.sourceName}`,
      ...authOptions(this.settings.auth),
      timeout: 5_000,
      // Once connected, never give up: the broker runs as long as the process does.
      maxReconnectAttempts: -1,
      // nats.js asks for the wait on every turn of its dial loop, also while it waits, so the
      // handler only reads the attempt count (kept by `watch`) and must not change it.
      reconnectDelayHandler: () => reconnectWaitMs(this.reconnectAttempt),
      // Credentials rotated on the server are a reason to keep trying, not to stop for good.
      ignoreAuthErrorAbort: true,
    };
  }
}

/** The connection options that present the Source's credentials, if it has any. */
function authOptions(auth: NatsAuth | undefined): Partial<ConnectionOptions> {
  switch (auth?.kind) {
    case undefined:
      return {};
    case 'token':
      return { token: auth.token.text() };
    case 'userPassword':
      return { user: auth.user, pass: auth.password.text() };
    case 'nkey':
      return { authenticator: nkeyAuthenticator(auth.seed) };
  }
}
