import { constants, type FSWatcher, type Stats, watch } from 'node:fs';
import { access, type FileHandle, open, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { glob, isDynamicPattern } from 'tinyglobby';
import type { ConnectorCheckpoint } from '../../../broker/ports/connector.js';
import type { RecordPipeline } from '../records/pipeline.js';
import type { FileSettings } from '../settings.js';
import { decodeCheckpoint, type FileCheckpoint, STARTED_KEY } from './checkpoint.js';
import { fingerprintOf, inodeKey, newIdBase, sameContentStart, takeFingerprint } from './identity.js';
import { FileTailer, StoppedError, type TailerHost } from './tailer.js';

/** What the file side of a log Source needs from the connector. */
export interface LogFilesHost extends Omit<TailerHost, 'wakeAt' | 'truncated' | 'log'> {
  newPipeline(startOffset: number): RecordPipeline;
  /** The current problems (a file missing, unreadable), or none: the connector's degraded state. */
  reportProblems(problems: readonly string[]): void;
  log: Logger;
}

/**
 * A file no glob finds any more (renamed away, deleted) is still read through its open handle,
 * since its writer may not have reopened yet; after this long without growing it is read to its
 * end, its last partial line emitted, and its checkpoint forgotten.
 */
const GONE_GRACE_MS = 5000;

/** First bytes two files must share before the second is taken for a copy of the first. */
const MIN_COPY_FINGERPRINT = 64;

/**
 * The files of a log Source: expands the globs, tracks each file by device, inode and first
 * bytes, follows rotations and keeps one FileTailer per file. Scans run on the poll interval and
 * whenever a watched directory changes; appends to a known file wake its tailer at once.
 *
 * Rotation:
 * - rename-and-create: the renamed file keeps its inode, so its tailer reads on (through the open
 *   handle, wherever it went) to its end; the new file at the path is new and read from byte 0.
 * - copy-truncate: the file shrinks or its first bytes change. Its tailer moves to the copy (an
 *   untracked file in the same folder with the same first bytes, holding at least what was
 *   read) and reads the lines written before the copy from there; the truncated file starts
 *   again from byte 0 as a new file. Lines written between the copy and the truncation are lost
 *   by the rotation itself, before any reader could see them.
 */
export class LogFiles {
  private readonly tailers = new Map<string, FileTailer>();
  private readonly restored = new Map<string, FileCheckpoint>();
  /** Files that look like a copy of a tracked file, first seen then: a copy-truncate in progress. */
  private readonly suspectedCopies = new Map<string, number>();
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly deadlines = new Map<FileTailer, NodeJS.Timeout>();
  private firstStart = true;
  private running = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private rescan = false;
  private problems = new Map<string, string>();
  private readonly tailerHost: TailerHost;

  constructor(
    private readonly settings: FileSettings,
    private readonly host: LogFilesHost,
  ) {
    this.tailerHost = {
      toEvent: (record, origin) => host.toEvent(record, origin),
      store: (what, checkpoints) => host.store(what, checkpoints),
      wakeAt: (tailer, at) => this.wakeAt(tailer, at),
      truncated: () => this.requestScan(),
      log: host.log,
    };
  }

  async start(stored: ReadonlyMap<string, string>): Promise<void> {
    this.running = true;
    this.firstStart = !stored.has(STARTED_KEY);
    for (const [key, value] of stored) {
      if (!key.startsWith('file:')) continue;
      const checkpoint = decodeCheckpoint(value);
      if (checkpoint) this.restored.set(key, checkpoint);
    }
    const initial = await this.scanOnce();
    if (this.firstStart) {
      // The offsets `startAt` chose and the mark that the Source has run, in one transaction:
      // a file without a checkpoint at a later start appeared since, and is read from byte 0.
      await this.host.store({ events: [] }, [...initial, { key: STARTED_KEY, value: '1' }]);
      this.firstStart = false;
    }
    // A checkpointed file no glob finds was rotated away while the broker was down: read the
    // lines it got after its checkpoint where it is now. Checkpoints of files gone are forgotten.
    await this.followRotatedWhileDown();
    const stale = [...this.restored.keys()].filter((key) => !this.tailers.has(key));
    if (stale.length > 0)
      await this.host.store(
        { events: [] },
        stale.map((key) => ({ key, value: null })),
      );
    this.restored.clear();
    for (const tailer of this.tailers.values()) void this.read(tailer);
    this.schedulePoll();
  }

  private async followRotatedWhileDown(): Promise<void> {
    for (const [key, checkpoint] of this.restored) {
      if (this.tailers.has(key)) continue;
      const folder = dirname(checkpoint.path);
      let entries: string[];
      try {
        entries = await readdir(folder);
      } catch {
        continue;
      }
      for (const entry of entries) {
        const path = join(folder, entry);
        const stats = await stat(path).catch(() => undefined);
        if (!stats?.isFile() || stats.dev !== checkpoint.dev || stats.ino !== checkpoint.ino) continue;
        const handle = await open(path, 'r').catch(() => undefined);
        if (!handle) break;
        if (stats.size >= checkpoint.offset && (await sameContentStart(handle, checkpoint))) {
          this.host.log.info(
            { file: checkpoint.path, now: path },
            'log file rotated while the broker was down: reading it to its end',
          );
          const tailer = this.addTailer(handle, { ...checkpoint, path });
          tailer.missingSince = Date.now();
        } else await handle.close();
        break;
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    for (const timer of this.deadlines.values()) clearTimeout(timer);
    this.deadlines.clear();
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    await this.scanning;
    const tailers = [...this.tailers.values()];
    this.tailers.clear();
    await Promise.all(tailers.map((t) => t.close()));
    await Promise.all(tailers.map((t) => t.settled()));
  }

  /** Scans now (coalesced with a scan under way). */
  requestScan(): void {
    if (!this.running) return;
    if (this.scanning) {
      this.rescan = true;
      return;
    }
    this.scanning = this.scanOnce()
      .then(() => undefined)
      .catch((err: unknown) => this.host.log.error({ err }, 'log file scan failed'))
      .finally(() => {
        this.scanning = undefined;
        if (this.rescan) {
          this.rescan = false;
          this.requestScan();
        }
      });
  }

  private schedulePoll(): void {
    if (!this.running) return;
    this.pollTimer = setTimeout(() => {
      this.requestScan();
      this.schedulePoll();
    }, this.settings.pollIntervalMs);
    this.pollTimer.unref?.();
  }

  /**
   * One pass over the globs. Returns the checkpoints of files first tracked in it (committed
   * by `start` on the Source's first start; later they are committed with their first events).
   */
  private async scanOnce(): Promise<ConnectorCheckpoint[]> {
    const found = await this.findFiles();
    const now = Date.now();
    const truncated: FileTailer[] = [];
    for (const [key, tailer] of this.tailers) {
      const at = found.get(key);
      if (at === undefined) {
        tailer.missingSince ??= now;
        if (now - tailer.missingSince >= GONE_GRACE_MS) {
          this.tailers.delete(key);
          void this.finish(tailer);
        } else void this.read(tailer);
        continue;
      }
      tailer.missingSince = undefined;
      tailer.path = at.path;
      if (await wasTruncated(tailer)) {
        this.tailers.delete(key);
        truncated.push(tailer);
      } else if (at.stats.size > tailer.readOffset) void this.read(tailer);
    }
    for (const tailer of truncated) await this.followCopyTruncate(tailer, found);

    const initial: ConnectorCheckpoint[] = [];
    for (const [key, at] of found) {
      if (this.tailers.has(key)) continue;
      const tailer = await this.track(key, at, now);
      if (tailer === undefined) continue;
      if (this.firstStart) initial.push(...(await startCheckpoint(tailer)));
      else void this.read(tailer);
    }
    this.watchFolders();
    return initial;
  }

  /** Every regular file the globs match now, by inode key; notes files missing or unreadable. */
  private async findFiles(): Promise<Map<string, { path: string; stats: Stats }>> {
    const problems = new Map<string, string>();
    const literal = this.settings.paths.filter((p) => !isDynamicPattern(p));
    const patterns = this.settings.paths.filter((p) => isDynamicPattern(p));
    const paths = [...literal];
    if (patterns.length > 0)
      paths.push(
        ...(await glob(patterns, { absolute: true, onlyFiles: true, dot: true, followSymbolicLinks: true })),
      );
    const found = new Map<string, { path: string; stats: Stats }>();
    for (const path of paths) {
      let stats: Stats;
      try {
        stats = await stat(path);
      } catch (err) {
        if (literal.includes(path)) problems.set(path, `${path}: ${describe(err)}; watching for it`);
        continue;
      }
      if (!stats.isFile()) continue;
      try {
        await access(path, constants.R_OK);
      } catch (err) {
        problems.set(path, `${path}: ${describe(err)}; watching for it to become readable`);
        continue;
      }
      const key = inodeKey(stats.dev, stats.ino);
      if (!found.has(key)) found.set(key, { path, stats });
    }
    this.setProblems(problems);
    return found;
  }

  /** Reports the set of problems when it changed: one log line per new problem, one when all clear. */
  private setProblems(problems: Map<string, string>): void {
    const before = [...this.problems.keys()].sort().join('\n');
    const after = [...problems.keys()].sort().join('\n');
    if (before === after) return;
    for (const [path, problem] of problems)
      if (!this.problems.has(path)) this.host.log.warn({ file: path }, `log file unavailable: ${problem}`);
    for (const path of this.problems.keys())
      if (!problems.has(path)) this.host.log.info({ file: path }, 'log file available again');
    this.problems = problems;
    this.host.reportProblems([...problems.values()]);
  }

  /** Starts tracking a file found at `at`: from its checkpoint, or as `startAt` says. */
  private async track(
    key: string,
    at: { path: string; stats: Stats },
    now: number,
  ): Promise<FileTailer | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(at.path, 'r');
    } catch (err) {
      this.setProblems(new Map([...this.problems, [at.path, `${at.path}: ${describe(err)}`]]));
      return undefined;
    }
    try {
      const size = (await handle.stat()).size;
      const restored = this.restored.get(key);
      if (restored && restored.offset <= size && (await sameContentStart(handle, restored))) {
        this.restored.delete(key);
        return this.addTailer(handle, { ...restored, path: at.path });
      }
      if (await this.looksLikeCopy(key, handle, size, now)) {
        await handle.close();
        return undefined;
      }
      const offset = this.firstStart && this.settings.startAt === 'end' ? size : 0;
      const fingerprint = await takeFingerprint(handle, size);
      return this.addTailer(handle, {
        path: at.path,
        dev: at.stats.dev,
        ino: at.stats.ino,
        ...fingerprint,
        idBase: newIdBase(at.stats.dev, at.stats.ino, now),
        offset,
        emitted: [],
      });
    } catch (err) {
      await handle.close().catch(() => {});
      throw err;
    }
  }

  /**
   * A new file whose first bytes are those of a tracked file is, most likely, the copy of a
   * copy-truncate rotation caught before the truncation: it is left alone for a grace period, in
   * which the truncation makes it the tracked file's continuation. One that outlives the grace is
   * a file of its own.
   */
  private async looksLikeCopy(key: string, handle: FileHandle, size: number, now: number): Promise<boolean> {
    for (const tailer of this.tailers.values()) {
      const { fingerprintBytes, fingerprint } = tailer.identity;
      if (fingerprintBytes < MIN_COPY_FINGERPRINT || size < fingerprintBytes) continue;
      if ((await fingerprintOf(handle, fingerprintBytes)) !== fingerprint) continue;
      const since = this.suspectedCopies.get(key) ?? now;
      this.suspectedCopies.set(key, since);
      if (now - since < GONE_GRACE_MS) return true;
    }
    this.suspectedCopies.delete(key);
    return false;
  }

  /** A tracked file shrank or was rewritten: go on in its copy, if there is one; else finish it. */
  private async followCopyTruncate(
    tailer: FileTailer,
    found: Map<string, { path: string; stats: Stats }>,
  ): Promise<void> {
    const folder = dirname(tailer.path);
    const candidates = new Map<string, string>();
    for (const [key, at] of found)
      if (!this.tailers.has(key) && dirname(at.path) === folder) candidates.set(key, at.path);
    try {
      for (const entry of await readdir(folder)) candidates.set(`name:${entry}`, join(folder, entry));
    } catch {
      // The folder is gone: no copy to find.
    }
    for (const path of new Set(candidates.values())) {
      let handle: FileHandle | undefined;
      try {
        handle = await open(path, 'r');
        const stats = await handle.stat();
        const key = inodeKey(stats.dev, stats.ino);
        if (
          stats.isFile() &&
          key !== tailer.key &&
          !this.tailers.has(key) &&
          stats.size >= tailer.readOffset &&
          (await sameContentStart(handle, tailer.identity))
        ) {
          this.host.log.info(
            { file: tailer.path, copy: path },
            'log file copied and truncated: reading on in the copy',
          );
          await tailer.rehome(handle, stats.dev, stats.ino, path);
          this.suspectedCopies.delete(key);
          this.tailers.set(key, tailer);
          void this.read(tailer);
          return;
        }
        await handle.close();
      } catch {
        await handle?.close().catch(() => {});
      }
    }
    this.host.log.info({ file: tailer.path }, 'log file truncated: reading it again from its beginning');
    await this.finish(tailer, { readToEnd: false });
  }

  private addTailer(handle: FileHandle, start: FileCheckpoint): FileTailer {
    const tailer = new FileTailer(handle, start, this.host.newPipeline(start.offset), this.tailerHost);
    this.tailers.set(tailer.key, tailer);
    return tailer;
  }

  private read(tailer: FileTailer): Promise<void> {
    return tailer.readAvailable().catch((err: unknown) => this.failed(tailer, err));
  }

  private finish(tailer: FileTailer, options: { readToEnd?: boolean } = {}): Promise<void> {
    this.clearDeadline(tailer);
    return tailer.finish(options).catch((err: unknown) => this.failed(tailer, err));
  }

  private failed(tailer: FileTailer, err: unknown): void {
    if (err instanceof StoppedError || !this.running) return;
    this.host.log.error(
      { err, file: tailer.path },
      'reading a log file failed; it is read again from its last position',
    );
    // Start over from the checkpoint: drop the tailer, the next scan tracks the file anew.
    if (this.tailers.get(tailer.key) === tailer) this.tailers.delete(tailer.key);
    void tailer.close();
  }

  private wakeAt(tailer: FileTailer, at: number): void {
    this.clearDeadline(tailer);
    if (!this.running) return;
    const timer = setTimeout(
      () => {
        this.deadlines.delete(tailer);
        tailer.onDeadline().catch((err: unknown) => this.failed(tailer, err));
      },
      Math.max(0, at - Date.now()),
    );
    this.deadlines.set(tailer, timer);
  }

  private clearDeadline(tailer: FileTailer): void {
    const timer = this.deadlines.get(tailer);
    if (timer) clearTimeout(timer);
    this.deadlines.delete(tailer);
  }

  /**
   * Watches the folders of tracked files and of the globs' fixed parts: an append wakes that
   * file's tailer at once; anything else (a file created, renamed, deleted) asks for a scan.
   * The poll interval covers what notifications miss (network file systems, a folder created
   * later).
   */
  private watchFolders(): void {
    if (!this.running) return;
    const folders = new Set<string>();
    for (const tailer of this.tailers.values()) folders.add(dirname(tailer.path));
    for (const pattern of this.settings.paths) folders.add(fixedFolder(pattern));
    for (const folder of folders) {
      if (this.watchers.has(folder)) continue;
      try {
        const watcher = watch(folder, { persistent: false }, (kind, name) =>
          this.onChange(folder, kind, name),
        );
        watcher.on('error', () => {
          watcher.close();
          this.watchers.delete(folder);
        });
        this.watchers.set(folder, watcher);
      } catch {
        // Not there (yet): the poll covers it, and the watch is tried again at the next scan.
      }
    }
  }

  private onChange(folder: string, kind: string, name: string | Buffer | null): void {
    if (kind === 'change' && name !== null) {
      const path = join(folder, name.toString());
      let known = false;
      for (const tailer of this.tailers.values()) {
        if (tailer.path === path) {
          known = true;
          void this.read(tailer);
        }
      }
      if (known) return;
    }
    this.requestScan();
  }
}

/**
 * Whether the file shrank below what was read or no longer starts with its first bytes. The size
 * is taken after the read offset, since reads go on while a scan runs: a size taken earlier
 * (with the glob's stat) can be below an offset that grew since, without any truncation.
 */
async function wasTruncated(tailer: FileTailer): Promise<boolean> {
  const offset = tailer.readOffset;
  try {
    const { size } = await tailer.fileHandle.stat();
    return size < offset || !(await sameContentStart(tailer.fileHandle, tailer.identity));
  } catch {
    return false; // closed under us (finished, or the Source stopping): nothing to follow
  }
}

/** The checkpoints of a file tracked in the Source's first scan, where `startAt` put it. */
async function startCheckpoint(tailer: FileTailer): Promise<ConnectorCheckpoint[]> {
  return tailer.currentCheckpoint();
}

/** The folder part of a pattern before its first wildcard. */
function fixedFolder(pattern: string): string {
  if (!isDynamicPattern(pattern)) return dirname(pattern);
  const parts = pattern.split('/');
  const fixed: string[] = [];
  for (const part of parts.slice(0, -1)) {
    if (isDynamicPattern(part)) break;
    fixed.push(part);
  }
  return fixed.join('/') || '/';
}

function describe(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'missing';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (err as Error)?.message ?? String(err);
}
