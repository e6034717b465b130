import { connect, type Socket } from 'node:net';

/** One HTTP/1.1 response as it came off the wire. */
export interface RawResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

export interface RawConnection {
  socket: Socket;
  write(text: string | Buffer): void;
  /**
   * The next response on this connection. Rejects after `hangMs` without one: a bound that turns
   * a broker waiting forever into a failure with a message, not a speed the broker must reach.
   */
  response(hangMs?: number): Promise<RawResponse>;
  /** Resolves once the server has closed the connection; rejects after `hangMs` while it stays open. */
  closed(hangMs?: number): Promise<void>;
}

/**
 * A client that writes bytes to the socket itself: a test can send a header section without its
 * body, trickle a body, or send what no HTTP client library would (garbage, 100 KB of headers).
 */
export async function rawConnect(port: number, host = '127.0.0.1'): Promise<RawConnection> {
  const socket = connect(port, host);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let received = Buffer.alloc(0);
  let ended = false;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const l of listeners) l();
  };
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    notify();
  });
  // A reset after the response was read is the server closing a socket that still had unread
  // request bytes: the response is what the test looks at.
  socket.on('error', () => undefined);
  socket.on('close', () => {
    ended = true;
    notify();
  });

  const waitFor = <T>(what: string, hangMs: number, check: () => T | undefined): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const attempt = () => {
        let value: T | undefined;
        try {
          value = check();
        } catch (err) {
          value = undefined;
          listeners.delete(attempt);
          clearTimeout(timer);
          reject(err);
          return;
        }
        if (value === undefined) return;
        listeners.delete(attempt);
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        listeners.delete(attempt);
        reject(new Error(`${what} not seen within ${hangMs} ms; received: ${received.toString('latin1')}`));
      }, hangMs);
      listeners.add(attempt);
      attempt();
    });

  return {
    socket,
    write(text) {
      socket.write(text);
    },
    response(hangMs = 15_000) {
      return waitFor('a response', hangMs, () => {
        const parsed = parseResponse(received);
        if (parsed) received = received.subarray(parsed.length);
        else if (ended)
          throw new Error(`connection closed without a response: ${received.toString('latin1')}`);
        return parsed?.response;
      });
    },
    closed(hangMs = 15_000) {
      return waitFor('the server closing the connection', hangMs, () => (ended ? true : undefined)).then(
        () => undefined,
      );
    },
  };
}

/** A complete response at the start of `bytes` (its body framed by Content-Length), or undefined. */
function parseResponse(bytes: Buffer): { response: RawResponse; length: number } | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const bodyLength = Number(headers['content-length'] ?? 0);
  if (bytes.length < end + 4 + bodyLength) return undefined;
  return {
    response: {
      status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]),
      headers,
      body: bytes.subarray(end + 4, end + 4 + bodyLength).toString('utf8'),
    },
    length: end + 4 + bodyLength,
  };
}
