import { resolve } from 'node:path';
import { eventToJson } from '../cloudevents/json-format.js';
import { SqliteStore } from '../store/sqlite.js';

/**
 * Lists the dead-letter list of a store: each event that failed for good, with its reason,
 * last status, last error and what became of the copy sent to the dead-letter sink.
 * Reads the store read-only, so it can run beside a running broker.
 */
export function runDeadLetters(opts: {
  data: string;
  subscription?: string;
  limit: number;
  json?: boolean;
}): number {
  let store: SqliteStore;
  try {
    store = new SqliteStore({ dir: resolve(opts.data), synchronous: 'normal', readonly: true });
  } catch (err) {
    process.stderr.write(
      `trigger-broker deadletters: cannot open the store in ${opts.data}: ${(err as Error).message}\n`,
    );
    return 1;
  }
  try {
    const entries = store.deadLetters({
      ...(opts.subscription ? { subscription: opts.subscription } : {}),
      limit: opts.limit,
    });
    for (const entry of entries) {
      if (opts.json) {
        const { event, ...record } = entry;
        process.stdout.write(`${JSON.stringify({ ...record, event: eventToJson(event) })}\n`);
      } else {
        const a = entry.event.attributes;
        process.stdout.write(
          `${new Date(entry.at).toISOString()} ${entry.subscription} id=${String(a['id'])} source=${String(a['source'])} type=${String(a['type'])} status=${entry.status} attempts=${entry.attempts} reason="${entry.reason}" deadLetterSink=${entry.deadLetterSinkOutcome}\n`,
        );
      }
    }
    if (!opts.json) process.stdout.write(`${entries.length} dead letter(s)\n`);
    return 0;
  } finally {
    store.close();
  }
}
