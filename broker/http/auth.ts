import { createHash, timingSafeEqual } from 'node:crypto';
import type { Secret } from '../config/secrets.js';
import { BrokerError } from '../errors.js';

/**
 * Checks `Authorization: Bearer TOKEN` against the configured tokens in constant time:
 * both sides are hashed first so the comparison never depends on a token's length, and
 * every token is compared so the timing does not tell which one matched.
 */
export function checkBearer(header: string | undefined, tokens: readonly Secret[]): void {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
  if (!match) throw new BrokerError('unauthorized', 'this route requires Authorization: Bearer <token>');
  const given = createHash('sha256').update(match[1]!, 'utf8').digest();
  let ok = false;
  for (const token of tokens) {
    const expected = createHash('sha256').update(token.bytes()).digest();
    ok = timingSafeEqual(given, expected) || ok;
  }
  if (!ok) throw new BrokerError('unauthorized', 'the bearer token is not valid');
}
