/**
 * The request body bytes the HTTP port holds at once, across all connections. Without a bound,
 * each connection may hold up to `limits.maxBodyBytes`, so memory grows with the number of
 * connections instead of with the work the broker can do (README, HTTP surface).
 */
export class BodyBudget {
  #held = 0;

  /** `limit` is read at each take, so a configuration reload can change it. */
  constructor(private readonly limit: () => number) {}

  get held(): number {
    return this.#held;
  }

  /** A lease for one request: it takes bytes as they become known and gives them all back once. */
  lease(): BodyLease {
    let taken = 0;
    let released = false;
    return {
      take: (bytes) => {
        if (released) return false;
        if (this.#held + bytes > this.limit()) return false;
        this.#held += bytes;
        taken += bytes;
        return true;
      },
      release: () => {
        if (released) return;
        released = true;
        this.#held -= taken;
        taken = 0;
      },
    };
  }
}

export interface BodyLease {
  /** Takes `bytes` from the budget; false (and nothing taken) when that would exceed it. */
  take(bytes: number): boolean;
  /** Gives back everything this lease took; later calls do nothing. */
  release(): void;
}
