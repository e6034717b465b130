/**
 * Thrown by a sink while it prepares a call (fetching a token, signing, reading credentials)
 * when that fails; `retryable` says whether the same attempt may work later (a token endpoint
 * that answered 503) or never will without a change of configuration (a key the token endpoint
 * refused). The HTTP function sink turns it into the matching delivery outcome. The message
 * must never contain a secret.
 */
export class SinkCallError extends Error {
  readonly retryable: boolean;
  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SinkCallError';
    this.retryable = options.retryable;
  }
}
