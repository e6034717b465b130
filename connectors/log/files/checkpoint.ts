import type { FileIdentity } from './identity.js';

/**
 * What is committed for one file with the events read from it (the store's checkpoint value).
 * `offset` is where reading resumes; `emitted` lists the offsets of records at or after it that
 * are already stored (a record can end before one that began earlier, as when CRI partial lines
 * of stdout and stderr interleave), which a resumed reader skips: so no record is stored twice.
 */
export interface FileCheckpoint extends FileIdentity {
  path: string;
  idBase: string;
  offset: number;
  emitted: number[];
}

/** The key that says this Source has started before: files without a checkpoint then appeared since, and are read from their beginning. */
export const STARTED_KEY = 'started';

export function encodeCheckpoint(checkpoint: FileCheckpoint): string {
  return JSON.stringify(checkpoint);
}

/** The checkpoint in a stored value, or undefined for a value this version cannot read. */
export function decodeCheckpoint(value: string): FileCheckpoint | undefined {
  try {
    const c = JSON.parse(value) as Partial<FileCheckpoint>;
    const numbers = [c.dev, c.ino, c.fingerprintBytes, c.offset];
    if (
      typeof c.path !== 'string' ||
      typeof c.idBase !== 'string' ||
      typeof c.fingerprint !== 'string' ||
      !numbers.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) ||
      !Array.isArray(c.emitted)
    )
      return undefined;
    return c as FileCheckpoint;
  } catch {
    return undefined;
  }
}
