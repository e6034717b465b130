import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BrokerError } from '../../../broker/errors.js';
import { httpStatusOf } from '../../../broker/http/status.js';
import {
  createSignatureVerifier,
  GITHUB_SIGNATURE_DEFAULTS,
  githubSignatureSettings,
  type SignatureSettings,
} from '../../../connectors/webhook/signature.js';

const SECRET_TEXT = 'It is a Secret to Everybody';
const secret = new TextEncoder().encode(SECRET_TEXT);
const body = new TextEncoder().encode('{"action":"opened","number":7}');
const NOW = 1_700_000_000;

function hmac(
  algorithm: string,
  text: string | Uint8Array,
  encoding: 'hex' | 'base64' = 'hex',
  key: Uint8Array = secret,
): string {
  return createHmac(algorithm, key).update(text).digest(encoding);
}

function signedText(timestamp: number | string): Buffer {
  return Buffer.concat([Buffer.from(`${timestamp}.`), body]);
}

/** Runs the check and returns the BrokerError it throws, or undefined when it accepts. */
function outcome(verify: () => void): BrokerError | undefined {
  try {
    verify();
    return undefined;
  } catch (error) {
    if (error instanceof BrokerError) return error;
    throw error;
  }
}

describe('GitHub defaults', () => {
  const verify = createSignatureVerifier(githubSignatureSettings(secret));

  it('are X-Hub-Signature-256, sha256=, hex, sha256', () => {
    expect(GITHUB_SIGNATURE_DEFAULTS).toEqual({
      header: 'X-Hub-Signature-256',
      algorithm: 'sha256',
      prefix: 'sha256=',
      encoding: 'hex',
    });
  });

  it('accept a valid signature, whatever the case of the header name', () => {
    const signature = `sha256=${hmac('sha256', body)}`;
    expect(() => verify({ 'x-hub-signature-256': signature }, body, NOW)).not.toThrow();
    expect(() => verify({ 'X-Hub-Signature-256': signature }, body, NOW)).not.toThrow();
  });

  it('accept upper-case hex', () => {
    const signature = `sha256=${hmac('sha256', body).toUpperCase()}`;
    expect(() => verify({ 'x-hub-signature-256': signature }, body, NOW)).not.toThrow();
  });

  it('check the value GitHub documents for its test secret', () => {
    // docs.github.com "Validating webhook deliveries": secret "It's a Secret to Everybody",
    // payload "Hello, World!".
    const documented = createSignatureVerifier(
      githubSignatureSettings(new TextEncoder().encode("It's a Secret to Everybody")),
    );
    const signature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(() =>
      documented({ 'x-hub-signature-256': signature }, new TextEncoder().encode('Hello, World!'), NOW),
    ).not.toThrow();
  });
});

describe('plain signature header', () => {
  const settings: SignatureSettings = { ...githubSignatureSettings(secret) };
  const verify = createSignatureVerifier(settings);
  const valid = `sha256=${hmac('sha256', body)}`;

  it('rejects a missing header', () => {
    const error = outcome(() => verify({}, body, NOW));
    expect(error?.code).toBe('bad_signature');
    expect(error?.detail).toBe('missing X-Hub-Signature-256 header');
    expect(error && httpStatusOf(error.code)).toBe(401);
  });

  it('rejects a signature made with another secret', () => {
    const other = `sha256=${hmac('sha256', body, 'hex', new TextEncoder().encode('wrong'))}`;
    const error = outcome(() => verify({ 'x-hub-signature-256': other }, body, NOW));
    expect(error?.code).toBe('bad_signature');
    expect(error?.detail).toMatch(/does not match/);
  });

  it('rejects a body changed after signing', () => {
    const tampered = new TextEncoder().encode('{"action":"closed","number":7}');
    expect(outcome(() => verify({ 'x-hub-signature-256': valid }, tampered, NOW))?.code).toBe(
      'bad_signature',
    );
  });

  it('rejects a value without the prefix', () => {
    const error = outcome(() => verify({ 'x-hub-signature-256': hmac('sha256', body) }, body, NOW));
    expect(error?.detail).toMatch(/does not start with "sha256="/);
  });

  it('rejects a signature of the wrong length as a failure, not an exception', () => {
    const short = valid.slice(0, -2);
    const long = `${valid}00`;
    const sha1Sized = `sha256=${hmac('sha1', body)}`;
    for (const value of [short, long, sha1Sized, 'sha256=']) {
      const error = outcome(() => verify({ 'x-hub-signature-256': value }, body, NOW));
      expect(error?.code).toBe('bad_signature');
      expect(error?.detail).toMatch(/wrong length or encoding/);
    }
  });

  it('rejects text that is not hex', () => {
    const notHex = `sha256=${'zz'.repeat(32)}`;
    const oddLength = `sha256=${hmac('sha256', body).slice(1)}`;
    for (const value of [notHex, oddLength, `sha256=${hmac('sha256', body, 'base64')}`]) {
      expect(outcome(() => verify({ 'x-hub-signature-256': value }, body, NOW))?.code).toBe('bad_signature');
    }
  });

  it('rejects an empty header', () => {
    expect(outcome(() => verify({ 'x-hub-signature-256': ' ' }, body, NOW))?.detail).toMatch(/is empty/);
  });

  it('accepts when any one of several signatures matches (secret rotation)', () => {
    const old = `sha256=${hmac('sha256', body, 'hex', new TextEncoder().encode('old secret'))}`;
    expect(() => verify({ 'x-hub-signature-256': `${old}, ${valid}` }, body, NOW)).not.toThrow();
    expect(() => verify({ 'x-hub-signature-256': `${valid},${old}` }, body, NOW)).not.toThrow();
  });

  it('accepts a matching signature listed next to malformed ones', () => {
    expect(() =>
      verify({ 'x-hub-signature-256': `sha256=nothex, sha1=abc, ${valid}` }, body, NOW),
    ).not.toThrow();
  });

  it('reads a header sent several times as one list', () => {
    const old = `sha256=${hmac('sha256', body, 'hex', new TextEncoder().encode('old secret'))}`;
    expect(() => verify({ 'x-hub-signature-256': [old, valid] }, body, NOW)).not.toThrow();
    expect(outcome(() => verify({ 'x-hub-signature-256': [old, old] }, body, NOW))?.code).toBe(
      'bad_signature',
    );
  });

  it('rejects when none of several signatures matches', () => {
    const a = `sha256=${hmac('sha256', body, 'hex', new TextEncoder().encode('a'))}`;
    const b = `sha256=${hmac('sha256', body, 'hex', new TextEncoder().encode('b'))}`;
    expect(outcome(() => verify({ 'x-hub-signature-256': `${a},${b}` }, body, NOW))?.detail).toMatch(
      /does not match/,
    );
  });

  it('never puts the secret, the expected or the received signature in the detail', () => {
    const wrong = `sha256=${'0'.repeat(64)}`;
    const expected = hmac('sha256', body);
    for (const value of [wrong, 'sha256=xyz', 'nope']) {
      const error = outcome(() => verify({ 'x-hub-signature-256': value }, body, NOW));
      expect(error?.detail).not.toContain(SECRET_TEXT);
      expect(error?.detail).not.toContain(expected);
      expect(error?.detail).not.toContain('0'.repeat(64));
      expect(error?.message).not.toContain(expected);
    }
  });
});

describe('algorithms, encodings and prefixes', () => {
  it('verifies sha1 and sha512', () => {
    for (const algorithm of ['sha1', 'sha512'] as const) {
      const verify = createSignatureVerifier({
        secret,
        header: 'X-Sig',
        algorithm,
        prefix: '',
        encoding: 'hex',
      });
      expect(() => verify({ 'x-sig': hmac(algorithm, body) }, body, NOW)).not.toThrow();
      expect(outcome(() => verify({ 'x-sig': hmac('sha256', body) }, body, NOW))?.code).toBe('bad_signature');
    }
  });

  it('verifies base64 with an empty prefix (Shopify style)', () => {
    const verify = createSignatureVerifier({
      secret,
      header: 'X-Shopify-Hmac-Sha256',
      algorithm: 'sha256',
      prefix: '',
      encoding: 'base64',
    });
    expect(() =>
      verify({ 'x-shopify-hmac-sha256': hmac('sha256', body, 'base64') }, body, NOW),
    ).not.toThrow();
  });

  it('rejects base64 that is malformed, non-canonical or the wrong length', () => {
    const verify = createSignatureVerifier({
      secret,
      header: 'X-Sig',
      algorithm: 'sha256',
      prefix: '',
      encoding: 'base64',
    });
    const good = hmac('sha256', body, 'base64');
    const hexInstead = hmac('sha256', body, 'hex');
    const withJunk = `${good.slice(0, 10)}!${good.slice(10)}`;
    const truncated = good.slice(0, 20);
    for (const value of [hexInstead, withJunk, truncated, '====']) {
      const error = outcome(() => verify({ 'x-sig': value }, body, NOW));
      expect(error?.code).toBe('bad_signature');
    }
  });

  it('refuses settings that cannot work, when they are loaded', () => {
    const base: SignatureSettings = {
      secret,
      header: 'X-Sig',
      algorithm: 'sha256',
      prefix: '',
      encoding: 'hex',
    };
    expect(() => createSignatureVerifier({ ...base, secret: new Uint8Array() })).toThrow(/secret is empty/);
    expect(() => createSignatureVerifier({ ...base, header: ' ' })).toThrow(/header name is empty/);
    expect(() =>
      createSignatureVerifier({ ...base, timestamp: { header: 'X-Ts', toleranceSeconds: -1 } }),
    ).toThrow(/toleranceSeconds/);
    expect(() =>
      createSignatureVerifier({ ...base, timestamp: { header: 'x-sig', toleranceSeconds: 300 } }),
    ).toThrow(/prefix must be 'key='/);
  });
});

describe('timestamped signatures in a separate header', () => {
  const verify = createSignatureVerifier({
    secret,
    header: 'X-Signature',
    algorithm: 'sha256',
    prefix: 'v0=',
    encoding: 'hex',
    timestamp: { header: 'X-Timestamp', toleranceSeconds: 300 },
  });

  function headersAt(timestamp: number) {
    return { 'x-signature': `v0=${hmac('sha256', signedText(timestamp))}`, 'x-timestamp': String(timestamp) };
  }

  it('signs "TS.BODY" and accepts a fresh request', () => {
    expect(() => verify(headersAt(NOW - 10), body, NOW)).not.toThrow();
  });

  it('rejects a signature over the body alone', () => {
    const headers = { 'x-signature': `v0=${hmac('sha256', body)}`, 'x-timestamp': String(NOW) };
    expect(outcome(() => verify(headers, body, NOW))?.code).toBe('bad_signature');
  });

  it('accepts the edges of the tolerance, in both directions', () => {
    expect(() => verify(headersAt(NOW - 300), body, NOW)).not.toThrow();
    expect(() => verify(headersAt(NOW + 300), body, NOW)).not.toThrow();
  });

  it('rejects a replay beyond the tolerance as stale', () => {
    const error = outcome(() => verify(headersAt(NOW - 301), body, NOW));
    expect(error?.code).toBe('stale_signature');
    expect(error && httpStatusOf(error.code)).toBe(401);
    expect(error?.detail).toMatch(/301 s old.*300 s tolerance/);
  });

  it('rejects a timestamp too far in the future as stale', () => {
    const error = outcome(() => verify(headersAt(NOW + 1000), body, NOW));
    expect(error?.code).toBe('stale_signature');
    expect(error?.detail).toMatch(/in the future/);
  });

  it('rejects a changed timestamp: it is part of the signed text', () => {
    const headers = { ...headersAt(NOW - 1000), 'x-timestamp': String(NOW) };
    expect(outcome(() => verify(headers, body, NOW))?.code).toBe('bad_signature');
  });

  it('reports a forged old request as a bad signature, not a stale one', () => {
    const headers = { 'x-signature': `v0=${'ab'.repeat(32)}`, 'x-timestamp': String(NOW - 10_000) };
    expect(outcome(() => verify(headers, body, NOW))?.code).toBe('bad_signature');
  });

  it('rejects a missing or non-numeric timestamp', () => {
    const { 'x-timestamp': _dropped, ...withoutTimestamp } = headersAt(NOW);
    expect(outcome(() => verify(withoutTimestamp, body, NOW))?.detail).toBe('missing X-Timestamp header');
    const error = outcome(() =>
      verify({ ...headersAt(NOW), 'x-timestamp': '2024-01-01T00:00:00Z' }, body, NOW),
    );
    expect(error?.code).toBe('bad_signature');
    expect(error?.detail).toMatch(/X-Timestamp is not a Unix time/);
  });
});

describe('Stripe-style header (timestamp and signatures in one header)', () => {
  const verify = createSignatureVerifier({
    secret,
    header: 'Stripe-Signature',
    algorithm: 'sha256',
    prefix: 'v1=',
    encoding: 'hex',
    timestamp: { header: 'stripe-signature', toleranceSeconds: 300 },
  });

  const t = NOW - 5;
  const v1 = hmac('sha256', signedText(t));

  it('reads t and v1 items and accepts a valid header', () => {
    expect(() => verify({ 'stripe-signature': `t=${t},v1=${v1}` }, body, NOW)).not.toThrow();
  });

  it('ignores items of other schemes, such as v0', () => {
    const v0 = hmac('sha256', signedText(t), 'hex', new TextEncoder().encode('test mode'));
    expect(() => verify({ 'stripe-signature': `t=${t},v1=${v1},v0=${v0}` }, body, NOW)).not.toThrow();
    // A valid signature under v0= does not count: only the prefix's items are signatures.
    expect(outcome(() => verify({ 'stripe-signature': `t=${t},v0=${v1}` }, body, NOW))?.detail).toMatch(
      /has no v1= item/,
    );
  });

  it('accepts when any of several v1 items matches (rolled secret)', () => {
    const stale = hmac('sha256', signedText(t), 'hex', new TextEncoder().encode('previous'));
    expect(() => verify({ 'stripe-signature': `t=${t}, v1=${stale}, v1=${v1}` }, body, NOW)).not.toThrow();
  });

  it('rejects a header without t', () => {
    expect(outcome(() => verify({ 'stripe-signature': `v1=${v1}` }, body, NOW))?.detail).toMatch(
      /has no t item/,
    );
  });

  it('rejects two different t items', () => {
    const header = `t=${t},t=${t + 1},v1=${v1}`;
    expect(outcome(() => verify({ 'stripe-signature': header }, body, NOW))?.detail).toMatch(
      /more than one t/,
    );
  });

  it('rejects a t that is not seconds', () => {
    const error = outcome(() => verify({ 'stripe-signature': `t=abc,v1=${v1}` }, body, NOW));
    expect(error?.detail).toMatch(/t item of Stripe-Signature is not a Unix time/);
  });

  it('rejects a signature that does not match', () => {
    const header = `t=${t},v1=${hmac('sha256', body)}`;
    expect(outcome(() => verify({ 'stripe-signature': header }, body, NOW))?.code).toBe('bad_signature');
  });

  it('rejects an authentic but old request as stale', () => {
    const old = NOW - 3600;
    const header = `t=${old},v1=${hmac('sha256', signedText(old))}`;
    expect(outcome(() => verify({ 'stripe-signature': header }, body, NOW))?.code).toBe('stale_signature');
  });

  it('matches the header name case-insensitively against timestamp.header', () => {
    const mixed = createSignatureVerifier({
      secret,
      header: 'stripe-signature',
      algorithm: 'sha256',
      prefix: 'v1=',
      encoding: 'hex',
      timestamp: { header: 'Stripe-Signature', toleranceSeconds: 300 },
    });
    expect(() => mixed({ 'Stripe-Signature': `t=${t},v1=${v1}` }, body, NOW)).not.toThrow();
  });
});
