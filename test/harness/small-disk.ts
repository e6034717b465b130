import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Mounting a filesystem takes root; tests that need one skip themselves without it. */
export const canMountSmallDisk = process.platform === 'linux' && process.getuid?.() === 0;

export interface SmallDisk {
  /** The mount point. */
  dir: string;
  /** Writes a file until the filesystem refuses (ENOSPC): from now on every write that needs space fails. */
  fill(): void;
  /** Deletes that file: writes succeed again. */
  free(): void;
  /** Unmounts and removes the mount point. */
  dispose(): void;
}

/**
 * A real filesystem of `sizeMb` megabytes (a tmpfs, mounted as root), so that a test can fill the
 * disk under a running broker and free it again, as happens to a broker whose volume fills up.
 */
export function mountSmallDisk(sizeMb: number): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), 'tb-small-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0700`, 'tmpfs', dir]);
  const filler = join(dir, 'filler');
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      try {
        // Big blocks first, then small ones for the last partial block.
        for (const size of [1024 * 1024, 4096, 512]) {
          const block = Buffer.alloc(size, 1);
          try {
            for (;;) writeSync(fd, block);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
          }
        }
      } finally {
        closeSync(fd);
      }
    },
    free() {
      unlinkSync(filler);
    },
    dispose() {
      try {
        execFileSync('umount', ['--lazy', dir]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
