/** An ID token and when it stops being accepted (its `exp`). */
export interface IdToken {
  readonly value: string;
  readonly expiresAtMs: number;
}

/** Gets a new ID token; `signal` aborts it when the sink closes. Throws SinkCallError. */
export type FetchIdToken = (signal: AbortSignal) => Promise<IdToken>;

/**
 * How long before `exp` a token is replaced, while it still serves: Google's libraries refresh
 * 5 minutes early. A token that lives less than twice that is replaced after half its life,
 * so a short-lived one is still used for a while.
 */
const REFRESH_MARGIN_MS = 5 * 60_000;
/**
 * How long before `exp` a token stops being sent at all: it must still be valid when the
 * request reaches the service, after the network and the two clocks' disagreement.
 */
const EXPIRY_MARGIN_MS = 30_000;

interface HeldToken {
  readonly token: IdToken;
  /** From here on, a delivery that uses the token also starts a refresh in the background. */
  readonly refreshAtMs: number;
  /** From here on, deliveries wait for a new token. */
  readonly useUntilMs: number;
}

/**
 * One sink's ID token: fetched on the first delivery, then reused by every delivery until
 * shortly before it expires. Concurrent deliveries that need a token share one request
 * (single flight); once a token enters its refresh window the next delivery starts its
 * replacement in the background and still uses the current one, so with deliveries flowing no
 * delivery ever waits for the token endpoint after the first. A failed background refresh
 * costs nothing while the old token lasts: the next delivery tries again.
 */
export class IdTokenCache {
  readonly #fetchToken: FetchIdToken;
  readonly #now: () => number;
  readonly #closed = new AbortController();
  #held: HeldToken | undefined;
  #refreshing: Promise<IdToken> | undefined;

  constructor(fetchToken: FetchIdToken, options: { now?: () => number } = {}) {
    this.#fetchToken = fetchToken;
    // Read through Date each time (not a saved Date.now) so that a test's fake clock applies.
    this.#now = options.now ?? (() => Date.now());
  }

  /**
   * The token to send now. Rejects with the fetch's error (a SinkCallError), or with
   * `signal`'s reason when the delivery gives up first; the shared fetch goes on for the others.
   */
  token(signal: AbortSignal): Promise<string> {
    const held = this.#held;
    const now = this.#now();
    if (held && now < held.useUntilMs) {
      if (now >= held.refreshAtMs) void this.#refresh();
      return Promise.resolve(held.token.value);
    }
    return untilAborted(this.#refresh(), signal).then((token) => token.value);
  }

  /** Aborts a fetch in flight: the sink is closed and nothing will use its answer. */
  close(): void {
    this.#closed.abort(new Error('the sink was closed'));
  }

  /** The fetch in flight, or a new one. The caller of a background refresh ignores its failure. */
  #refresh(): Promise<IdToken> {
    if (this.#refreshing) return this.#refreshing;
    const startedAt = this.#now();
    const refreshing = (async () => {
      try {
        const token = await this.#fetchToken(this.#closed.signal);
        this.#held = holding(token, startedAt);
        return token;
      } finally {
        this.#refreshing = undefined;
      }
    })();
    // A background refresh has no one waiting on it; its failure is not an unhandled rejection.
    refreshing.catch(() => {});
    this.#refreshing = refreshing;
    return refreshing;
  }
}

/**
 * The windows of a token fetched at `fetchedAt`. Its lifetime is measured from when the request
 * started, on the local clock, so a slow endpoint makes the windows earlier, never later.
 */
function holding(token: IdToken, fetchedAt: number): HeldToken {
  const lifetimeMs = Math.max(0, token.expiresAtMs - fetchedAt);
  return {
    token,
    refreshAtMs: token.expiresAtMs - Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2),
    useUntilMs: token.expiresAtMs - Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 10),
  };
}

/** `promise`, or `signal`'s reason if it aborts first (without cancelling `promise`). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
