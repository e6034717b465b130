import Database from 'better-sqlite3';

/** The SQLite result code of an error (`SQLITE_FULL`, `SQLITE_CORRUPT_INDEX`, ...), if it is SQLite's. */
function sqliteCode(err: unknown): string | undefined {
  return err instanceof Database.SqliteError ? err.code : undefined;
}

/** The file is not a database, or its pages contradict each other. */
export function isDamage(err: unknown): boolean {
  const code = sqliteCode(err);
  return code !== undefined && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

/**
 * Codes that blame the write, not the store: a constraint the data broke, a value too large, a
 * misused statement. Everything else SQLite raises while committing (a full disk, an I/O error,
 * a damaged file, a read-only file) means the store cannot commit, whatever is written.
 */
const CALLER_CODES = [
  'SQLITE_CONSTRAINT',
  'SQLITE_TOOBIG',
  'SQLITE_MISMATCH',
  'SQLITE_RANGE',
  'SQLITE_MISUSE',
];

/** Whether a failed write says that the store cannot commit (rather than that this write was wrong). */
export function isStoreFailure(err: unknown): boolean {
  const code = sqliteCode(err);
  return code !== undefined && !CALLER_CODES.some((c) => code.startsWith(c));
}
