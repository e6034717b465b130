import { existsSync, readdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LOCK_FILE } from './store-lock.js';

/** What the data directory held before the store was opened. */
export interface DataDirSurvey {
  /** `events.db` is missing (or empty): SQLite creates a new, empty store. */
  creating: boolean;
  /** Other entries of the directory (dot files and `lost+found` left out: they say nothing of a store). */
  others: string[];
  /** Where an `events.db-wal` without its `events.db` was moved (see `surveyDataDir`). */
  orphanedWalMovedTo?: string;
}

/**
 * Looks at the data directory before the store is opened, so that a new, empty store created
 * where one used to be (events.db deleted, the wrong `--data`, a volume not mounted) is said out
 * loud instead of passing for a first start.
 *
 * An `events.db-wal` without its `events.db` is the write-ahead log of a store whose main file is
 * gone. SQLite ignores it for a new file and deletes it when the store closes; it is renamed
 * aside instead (`events.db-wal.orphaned-<time>`), so what it holds is not lost on our account.
 */
export function surveyDataDir(dir: string, now: Date = new Date()): DataDirSurvey {
  const file = join(dir, 'events.db');
  const creating = !existsSync(file) || statSync(file).size === 0;
  if (!existsSync(dir)) return { creating, others: [] };
  // The lock file (store-lock.ts) is taken before this survey, and says nothing of a store either.
  const others = readdirSync(dir).filter(
    (name) =>
      name !== 'events.db' &&
      !name.startsWith('.') &&
      name !== 'lost+found' &&
      name !== LOCK_FILE &&
      name !== `${LOCK_FILE}-journal`,
  );
  if (!creating || !others.includes('events.db-wal')) return { creating, others };
  const aside = `events.db-wal.orphaned-${now.toISOString().replace(/[:.]/g, '-')}`;
  renameSync(join(dir, 'events.db-wal'), join(dir, aside));
  return {
    creating,
    others: others.map((n) => (n === 'events.db-wal' ? aside : n)),
    orphanedWalMovedTo: aside,
  };
}

/** The warning for a new store beside old files, or undefined when there is nothing to say. */
export function newStoreWarning(dir: string, survey: DataDirSurvey): string | undefined {
  if (!survey.creating || survey.others.length === 0) return undefined;
  const orphan = survey.orphanedWalMovedTo
    ? ` events.db-wal was there without events.db (the log of a store whose main file is gone); it was kept as ${survey.orphanedWalMovedTo}.`
    : '';
  return (
    `creating a new, empty store in ${dir}, which already holds other files.${orphan} ` +
    'If a broker ran on this directory before, its store is gone and the events queued in it will not be delivered: ' +
    'stop the broker and restore events.db from a backup, or check --data (Broker spec.store.path) names the right directory.'
  );
}
