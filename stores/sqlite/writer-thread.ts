/**
 * The SQLite store's writer (docs/architecture.md, "The store's writer thread"): a worker thread
 * that owns the writing connection and commits each group of writes the main thread sends, so
 * that commits (the transaction, its statements, its fsync) run beside HTTP intake, matching and
 * delivery on the other core instead of on the main event loop.
 *
 * Messages are handled one at a time, in order: a group is committed and answered before the
 * next is looked at, and `close` comes after every group sent before it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { commitGroup } from './group-commit.js';
import { writeStatements } from './write-ops.js';
import type { ToWriter, WriterData } from './writer-protocol.js';

const { file, synchronous, closed } = workerData as WriterData;
const port = parentPort;
if (!port) throw new Error('writer-thread.ts runs as a worker thread');

// The main thread created, checked and migrated the file before starting this thread.
const db = new Database(file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
const stmt = writeStatements(db);
const closedFlag = new Int32Array(closed);

port.on('message', (message: ToWriter) => {
  if (message.type === 'group') {
    port.postMessage({ type: 'committed', id: message.id, outcome: commitGroup(db, stmt, message.ops) });
    return;
  }
  db.close();
  // The main thread may be blocked in Atomics.wait for this (a synchronous close).
  Atomics.store(closedFlag, 0, 1);
  Atomics.notify(closedFlag, 0);
  port.close();
});
