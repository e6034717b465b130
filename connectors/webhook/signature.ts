/**
 * Webhook signature verification (docs/reference/sources.md, `webhook.signature`).
 *
 * The sender computes an HMAC of the raw request body (or of `TIMESTAMP.BODY`) with a shared
 * secret and puts it in a header; we recompute it and compare in constant time. Three header
 * shapes are understood:
 *
 *   X-Signature: sha256=ab12...                      one signature after `prefix`
 *   X-Signature: sha256=ab12..., sha256=cd34...      several, as while a secret is rotated:
 *                                                    any one that matches is enough
 *   Stripe-Signature: t=1492774577,v1=5257...,v0=... the timestamp and the signatures in one
 *                                                    header, used when `timestamp.header` names
 *                                                    the signature header itself; the signatures
 *                                                    are the items whose `key=` equals `prefix`
 *
 * With `timestamp`, the signed text is `TS + "." + BODY` and TS (Unix seconds) must lie within
 * ±toleranceSeconds of now, so that a captured request cannot be replayed later. The signature
 * is checked before the age, so `stale_signature` only ever describes an authentic request
 * (a clock problem or a replay), never a forged one.
 *
 * Error details name the header and what is wrong with it; they never contain the secret, the
 * expected signature or the received one.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { BrokerError } from '../../broker/errors.js';

export type SignatureAlgorithm = 'sha1' | 'sha256' | 'sha512';
export type SignatureEncoding = 'hex' | 'base64';

export interface SignatureSettings {
  readonly secret: Uint8Array;
  readonly header: string;
  readonly algorithm: SignatureAlgorithm;
  /** Stripped from each signature before decoding; `""` for none. */
  readonly prefix: string;
  readonly encoding: SignatureEncoding;
  readonly timestamp?: { readonly header: string; readonly toleranceSeconds: number };
}

export type WebhookHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Returns when the request is authentic; throws BrokerError `bad_signature` or `stale_signature`. */
export type SignatureVerifier = (headers: WebhookHeaders, rawBody: Uint8Array, nowSeconds: number) => void;

/** What the `github` preset uses unless the Source says otherwise (only the secret is the user's). */
export const GITHUB_SIGNATURE_DEFAULTS = {
  header: 'X-Hub-Signature-256',
  algorithm: 'sha256',
  prefix: 'sha256=',
  encoding: 'hex',
} as const satisfies Omit<SignatureSettings, 'secret'>;

export function githubSignatureSettings(secret: Uint8Array): SignatureSettings {
  return { ...GITHUB_SIGNATURE_DEFAULTS, secret };
}

const DIGEST_BYTES: Record<SignatureAlgorithm, number> = { sha1: 20, sha256: 32, sha512: 64 };
const HEX = /^[0-9a-fA-F]*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const UNIX_SECONDS = /^[0-9]{1,15}$/;

/**
 * Checks the settings once (a mistake here is a configuration error, thrown as a plain Error
 * when the manifest is loaded) and returns the per-request check.
 */
export function createSignatureVerifier(settings: SignatureSettings): SignatureVerifier {
  const { secret, header, algorithm, prefix, encoding, timestamp } = settings;
  if (!(algorithm in DIGEST_BYTES)) throw new Error(`unsupported signature algorithm '${String(algorithm)}'`);
  if (encoding !== 'hex' && encoding !== 'base64')
    throw new Error(`unsupported signature encoding '${String(encoding)}'`);
  if (secret.byteLength === 0) throw new Error('the signature secret is empty');
  if (header.trim() === '') throw new Error('the signature header name is empty');
  if (timestamp !== undefined) {
    if (timestamp.header.trim() === '') throw new Error('the signature timestamp header name is empty');
    if (!Number.isFinite(timestamp.toleranceSeconds) || timestamp.toleranceSeconds < 0) {
      throw new Error('signature timestamp toleranceSeconds must be a non-negative number');
    }
  }
  const combined = timestamp !== undefined && sameHeader(timestamp.header, header);
  if (combined && !/^[^=,\s]+=$/.test(prefix)) {
    throw new Error(
      `with the timestamp in the signature header, prefix must be 'key=' (as "v1="), not '${prefix}'`,
    );
  }

  // A copy: the caller may reuse or wipe its buffer, and the key must not change under us.
  const key = Buffer.from(secret);
  const digestBytes = DIGEST_BYTES[algorithm];

  return (headers, rawBody, nowSeconds) => {
    const signatureValue = readHeader(headers, header);
    if (signatureValue === undefined) throw new BrokerError('bad_signature', `missing ${header} header`);

    let signed: { timestamp: string | undefined; signatures: string[] };
    if (combined) {
      signed = parseKeyValueHeader(signatureValue, header, prefix);
    } else {
      let ts: string | undefined;
      if (timestamp !== undefined) {
        ts = readHeader(headers, timestamp.header)?.trim();
        if (ts === undefined) throw new BrokerError('bad_signature', `missing ${timestamp.header} header`);
      }
      signed = { timestamp: ts, signatures: stripPrefixes(signatureValue, header, prefix) };
    }

    if (signed.timestamp !== undefined && !UNIX_SECONDS.test(signed.timestamp)) {
      const where = combined ? `the t item of ${header}` : (timestamp?.header ?? header);
      throw new BrokerError('bad_signature', `${where} is not a Unix time in seconds`);
    }

    const hmac = createHmac(algorithm, key);
    if (signed.timestamp !== undefined) hmac.update(`${signed.timestamp}.`);
    const expected = hmac.update(rawBody).digest();

    let sawWellFormed = false;
    let matched = false;
    for (const text of signed.signatures) {
      const candidate = decodeSignature(text, encoding);
      if (candidate === undefined || candidate.length !== digestBytes) continue;
      sawWellFormed = true;
      // Compare every candidate, even after a match, so timing does not tell which one matched.
      if (timingSafeEqual(candidate, expected)) matched = true;
    }
    if (!matched) {
      const why = sawWellFormed
        ? 'does not match the request body'
        : `is not a ${algorithm} signature in ${encoding} (wrong length or encoding)`;
      throw new BrokerError('bad_signature', `${header} ${why}`);
    }

    if (signed.timestamp !== undefined && timestamp !== undefined) {
      const ageSeconds = nowSeconds - Number(signed.timestamp);
      if (Math.abs(ageSeconds) > timestamp.toleranceSeconds) {
        const when =
          ageSeconds > 0 ? `${Math.round(ageSeconds)} s old` : `${Math.round(-ageSeconds)} s in the future`;
        throw new BrokerError(
          'stale_signature',
          `the signed timestamp is ${when}, outside the ${timestamp.toleranceSeconds} s tolerance`,
        );
      }
    }
  };
}

function sameHeader(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/**
 * A header by name, case-insensitively. A header sent several times (Node gives an array for
 * some) is read as one comma-separated list, which is also how HTTP defines repeated headers.
 */
function readHeader(headers: WebhookHeaders, name: string): string | undefined {
  const wanted = name.trim().toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return typeof value === 'string' ? value : value.join(',');
  }
  return undefined;
}

function listItems(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** The signatures of a plain signature header: every listed item, each after its prefix. */
function stripPrefixes(value: string, header: string, prefix: string): string[] {
  const items = listItems(value);
  if (items.length === 0) throw new BrokerError('bad_signature', `${header} header is empty`);
  const signatures = items.filter((item) => item.startsWith(prefix)).map((item) => item.slice(prefix.length));
  if (signatures.length === 0)
    throw new BrokerError('bad_signature', `${header} does not start with "${prefix}"`);
  return signatures;
}

/** Stripe's shape: `t=TS,v1=SIG,v1=SIG2,v0=...`; the signatures are the items named by `prefix`. */
function parseKeyValueHeader(
  value: string,
  header: string,
  prefix: string,
): { timestamp: string; signatures: string[] } {
  let timestamp: string | undefined;
  const signatures: string[] = [];
  for (const item of listItems(value)) {
    const equals = item.indexOf('=');
    if (equals <= 0) continue;
    const itemKey = item.slice(0, equals + 1);
    const itemValue = item.slice(equals + 1);
    if (itemKey === 't=') {
      // Two different timestamps would leave it open which one was signed.
      if (timestamp !== undefined && timestamp !== itemValue) {
        throw new BrokerError('bad_signature', `${header} has more than one t item`);
      }
      timestamp = itemValue;
    } else if (itemKey === prefix) {
      signatures.push(itemValue);
    }
  }
  if (timestamp === undefined) throw new BrokerError('bad_signature', `${header} has no t item`);
  if (signatures.length === 0) throw new BrokerError('bad_signature', `${header} has no ${prefix} item`);
  return { timestamp, signatures };
}

/**
 * Decodes a signature strictly; `undefined` for anything that is not canonical hex or base64,
 * so that a malformed value is an ordinary mismatch and never reaches timingSafeEqual (which
 * throws on unequal lengths).
 */
function decodeSignature(text: string, encoding: SignatureEncoding): Buffer | undefined {
  if (encoding === 'hex') {
    return HEX.test(text) && text.length % 2 === 0 ? Buffer.from(text, 'hex') : undefined;
  }
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Node's decoder skips what it cannot read; a round trip shows whether every character counted.
  const canonical = bytes.toString('base64');
  return canonical.replace(/=+$/, '') === text.replace(/=+$/, '') ? bytes : undefined;
}
