import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { SecretRef } from './types.js';

/**
 * How secret references are treated while compiling: `resolve` reads them (start), `form`
 * only checks their shape (validate; the values may live on another machine).
 */
export type SecretMode = 'resolve' | 'form';

/** A secret's bytes. `toString`/`toJSON` never reveal them, so one cannot leak into a log line by accident. */
export class Secret {
  readonly #value: Buffer;
  constructor(value: Buffer) {
    this.#value = value;
  }
  bytes(): Buffer {
    return this.#value;
  }
  text(): string {
    return this.#value.toString('utf8');
  }
  toString(): string {
    return '[secret]';
  }
  toJSON(): string {
    return '[secret]';
  }
}

/** Reads a secret; throws an Error whose message names the variable or file, never the value. */
export function resolveSecret(ref: SecretRef, baseDir: string, env: NodeJS.ProcessEnv = process.env): Secret {
  if ('fromEnv' in ref) {
    const value = env[ref.fromEnv];
    if (value === undefined || value === '')
      throw new Error(`secret: environment variable ${ref.fromEnv} is not set`);
    return new Secret(Buffer.from(value, 'utf8'));
  }
  const path = isAbsolute(ref.fromFile) ? ref.fromFile : resolve(baseDir, ref.fromFile);
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (err) {
    throw new Error(`secret: cannot read file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  // A trailing newline is how editors and `echo` save files; it is never part of a key.
  const trimmed = content.toString('utf8').replace(/\r?\n$/, '');
  if (trimmed === '') throw new Error(`secret: file ${path} is empty`);
  return new Secret(Buffer.from(trimmed, 'utf8'));
}
