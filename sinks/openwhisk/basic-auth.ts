import type { Secret } from '../../broker/config/secrets.js';

/**
 * The Authorization header for an OpenWhisk key `UUID:KEY`: HTTP Basic with the UUID as user
 * and the KEY as password. The user part of Basic credentials cannot hold a colon (RFC 7617
 * section 2), so the key splits at its first one. Returns an error, which never quotes the
 * key, when it is not of that form.
 */
export function basicAuthorization(auth: Secret): { header: string } | { error: string } {
  const text = auth.text();
  const colon = text.indexOf(':');
  if (colon < 0) return { error: 'the key has no ":"; it must be UUID:KEY, as in the AUTH of ~/.wskprops' };
  const user = text.slice(0, colon);
  const password = text.slice(colon + 1);
  if (user === '' || password === '')
    return { error: `the key has an empty ${user === '' ? 'UUID' : 'KEY'} part; it must be UUID:KEY` };
  return { header: `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}` };
}
