import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

/**
 * How many first bytes of a file make its fingerprint. With device and inode they tell a file
 * from another that got the same inode after the first was deleted, and a file from itself
 * after a copy-truncate rotation rewrote it from byte 0.
 */
export const FINGERPRINT_BYTES = 1024;

/** What identifies a tracked file. */
export interface FileIdentity {
  dev: number;
  ino: number;
  /** sha1 (hex) of the file's first `fingerprintBytes` bytes. */
  fingerprint: string;
  fingerprintBytes: number;
}

export function inodeKey(dev: number, ino: number): string {
  return `file:${dev}:${ino}`;
}

/** The sha1 of the first `length` bytes, or undefined when the file is shorter than that now. */
export async function fingerprintOf(handle: FileHandle, length: number): Promise<string | undefined> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  if (filled < length) return undefined;
  return createHash('sha1').update(buffer).digest('hex');
}

/**
 * The fingerprint to keep for a file of `size` bytes: as many first bytes as it has, up to
 * FINGERPRINT_BYTES. A fingerprint taken while the file was shorter is taken again (longer) as
 * it grows, so that it soon covers FINGERPRINT_BYTES.
 */
export async function takeFingerprint(
  handle: FileHandle,
  size: number,
): Promise<{ fingerprint: string; fingerprintBytes: number }> {
  let length = Math.min(size, FINGERPRINT_BYTES);
  for (;;) {
    const fingerprint = await fingerprintOf(handle, length);
    if (fingerprint !== undefined) return { fingerprint, fingerprintBytes: length };
    length = 0; // truncated while we looked: the empty prefix
  }
}

/**
 * A longer fingerprint for a file that has grown, or undefined when the file no longer starts
 * with the bytes of the current one (it was truncated and rewritten: a longer fingerprint would
 * take the new file's bytes for the old one's, and the truncation would go unseen). Both hashes
 * come from one read, so a rewrite between them cannot slip through.
 */
export async function extendFingerprint(
  handle: FileHandle,
  identity: FileIdentity,
  size: number,
): Promise<{ fingerprint: string; fingerprintBytes: number } | undefined> {
  const length = Math.min(size, FINGERPRINT_BYTES);
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, filled);
    if (bytesRead === 0) return undefined;
    filled += bytesRead;
  }
  const current = createHash('sha1').update(buffer.subarray(0, identity.fingerprintBytes)).digest('hex');
  if (current !== identity.fingerprint) return undefined;
  return { fingerprint: createHash('sha1').update(buffer).digest('hex'), fingerprintBytes: length };
}

/** Whether the file behind `handle` still starts with the bytes the identity was taken from. */
export async function sameContentStart(handle: FileHandle, identity: FileIdentity): Promise<boolean> {
  return (await fingerprintOf(handle, identity.fingerprintBytes)) === identity.fingerprint;
}

/**
 * The base of a file's event ids: unique to this file (device, inode and the moment it was first
 * seen, so a reused inode gets another), kept in the checkpoint so that it survives a restart.
 */
export function newIdBase(dev: number, ino: number, firstSeen: number): string {
  return createHash('sha256').update(`${dev}:${ino}:${firstSeen}`).digest('hex').slice(0, 16);
}
