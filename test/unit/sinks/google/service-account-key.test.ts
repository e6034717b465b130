import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { metadataServerUrl } from '../../../../sinks/google/metadata-id-token.js';
import { parseServiceAccountKey } from '../../../../sinks/google/service-account-key.js';

const pem = (key: ReturnType<typeof generateKeyPairSync>['privateKey']) =>
  key.export({ type: 'pkcs8', format: 'pem' }).toString();
const keyFile = (privateKey: string, fields: Record<string, unknown> = {}) =>
  JSON.stringify({
    type: 'service_account',
    client_email: 'sa@p.iam.gserviceaccount.com',
    private_key_id: 'kid-1',
    private_key: privateKey,
    token_uri: 'https://oauth2.googleapis.com/token',
    ...fields,
  });

describe('parseServiceAccountKey', () => {
  const rsa = pem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);

  it('reads the fields that buy a token', () => {
    const parsed = parseServiceAccountKey(keyFile(rsa));
    expect('key' in parsed && parsed.key).toMatchObject({
      clientEmail: 'sa@p.iam.gserviceaccount.com',
      privateKeyId: 'kid-1',
      tokenUri: 'https://oauth2.googleapis.com/token',
    });
    expect('key' in parsed && parsed.key.privateKey.asymmetricKeyType).toBe('rsa');
  });

  it('refuses keys RS256 cannot sign with', () => {
    const ec = pem(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    expect(parseServiceAccountKey(keyFile(ec))).toEqual({
      problem: "the key file's private_key is an ec key; Google service account keys are RSA",
    });
    const small = pem(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey);
    expect(parseServiceAccountKey(keyFile(small))).toEqual({
      problem: "the key file's private_key has 1024 bits; RS256 needs at least 2048",
    });
  });

  it('takes token_uri as given, over https or on loopback only', () => {
    expect(parseServiceAccountKey(keyFile(rsa, { token_uri: 'http://127.0.0.1:8080/token' }))).toHaveProperty(
      'key',
    );
    expect(parseServiceAccountKey(keyFile(rsa, { token_uri: 'token' }))).toEqual({
      problem: `the key file's token_uri "token" is not an absolute URL`,
    });
  });

  it('never quotes the file', () => {
    for (const text of [`{"private_key": "${rsa}"`, '[1]', keyFile('-----BEGIN PRIVATE KEY-----\nAAAA\n')]) {
      const parsed = parseServiceAccountKey(text);
      expect('problem' in parsed && parsed.problem).not.toMatch(/PRIVATE KEY|AAAA/);
    }
  });
});

describe('metadataServerUrl', () => {
  it('takes GCE_METADATA_HOST as host[:port] or as a URL, as Google libraries do', () => {
    expect(metadataServerUrl(undefined)?.href).toBe('http://metadata.google.internal/');
    expect(metadataServerUrl('')?.href).toBe('http://metadata.google.internal/');
    expect(metadataServerUrl('127.0.0.1:8080')?.href).toBe('http://127.0.0.1:8080/');
    expect(metadataServerUrl('http://169.254.169.254')?.href).toBe('http://169.254.169.254/');
    expect(metadataServerUrl('127.0.0.1:8080/path')).toBeUndefined();
    expect(metadataServerUrl('bad host:1')).toBeUndefined();
  });
});
