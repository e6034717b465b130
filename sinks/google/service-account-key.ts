import { createPrivateKey, type KeyObject } from 'node:crypto';
import { carriesCredentialsSafely } from './bearer-transport.js';

/** The parts of a service account's JSON key file that buy an ID token. */
export interface ServiceAccountKey {
  readonly clientEmail: string;
  /** Names the key in the assertion's `kid`, so Google checks it against the right public key. */
  readonly privateKeyId: string;
  readonly privateKey: KeyObject;
  /** Where the key file says its tokens come from; honoured as given, not assumed. */
  readonly tokenUri: string;
}

/** RS256 with a shorter RSA key is refused by jose, and by Google. */
const MIN_RSA_BITS = 2048;

/**
 * Reads a JSON key file (`gcloud iam service-accounts keys create`). Every problem names the
 * field at fault and never quotes the file: its text is a private key. JSON.parse's own
 * message is not used for the same reason (V8 quotes the text around the error).
 */
export function parseServiceAccountKey(text: string): { key: ServiceAccountKey } | { problem: string } {
  let file: unknown;
  try {
    file = JSON.parse(text);
  } catch {
    return { problem: 'the key file is not JSON (expected a service account key file)' };
  }
  if (typeof file !== 'object' || file === null || Array.isArray(file))
    return { problem: 'the key file is not a JSON object (expected a service account key file)' };
  const fields = file as Record<string, unknown>;
  if (fields['type'] !== undefined && fields['type'] !== 'service_account')
    return {
      problem: `the key file is of type ${JSON.stringify(fields['type'])}, not a service account key ("type": "service_account")`,
    };
  const missing = ['client_email', 'private_key', 'private_key_id', 'token_uri'].filter(
    (name) => typeof fields[name] !== 'string' || fields[name] === '',
  );
  if (missing.length > 0)
    return { problem: `the key file has no ${missing.join(', ')} (expected a service account key file)` };
  const tokenUri = fields['token_uri'] as string;
  const tokenUriProblem = checkTokenUri(tokenUri);
  if (tokenUriProblem) return { problem: tokenUriProblem };
  const privateKey = readPrivateKey(fields['private_key'] as string);
  if ('problem' in privateKey) return privateKey;
  return {
    key: {
      clientEmail: fields['client_email'] as string,
      privateKeyId: fields['private_key_id'] as string,
      privateKey: privateKey.key,
      tokenUri,
    },
  };
}

function checkTokenUri(tokenUri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(tokenUri);
  } catch {
    return `the key file's token_uri "${tokenUri}" is not an absolute URL`;
  }
  if (!carriesCredentialsSafely(url))
    return `the key file's token_uri must be https:// (http:// only for a loopback host), not ${tokenUri}`;
  return undefined;
}

/**
 * Parsed here, while the manifest is compiled, so that a damaged key is a problem at its path
 * rather than a failed delivery later. node:crypto parses synchronously, as `build` must; the
 * KeyObject is what jose signs with.
 */
function readPrivateKey(pem: string): { key: KeyObject } | { problem: string } {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return { problem: "the key file's private_key is not a PEM private key" };
  }
  if (key.asymmetricKeyType !== 'rsa')
    return {
      problem: `the key file's private_key is an ${key.asymmetricKeyType ?? 'unknown'} key; Google service account keys are RSA`,
    };
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS)
    return { problem: `the key file's private_key has ${bits} bits; RS256 needs at least ${MIN_RSA_BITS}` };
  return { key };
}
