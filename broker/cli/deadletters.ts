import { resolve } from 'node:path';
import { eventToJson } from '../cloudevents/json-format.js';
import type { PluginSet } from '../ports/plugins.js';
import type { EventStore } from '../ports/store.js';

/**
 * Lists the dead-letter list of a store: each event that failed for good, with its reason,
 * last status, last error and what became of the copy sent to the dead-letter sink.
 * Reads the store read-only, so it can run beside a running broker.
 */
export function runDeadLetters(
  opts: {
    data: string;
    subscription?: string;
    limit: number;
    json?: boolean;
  },
  plugins: PluginSet,
): number {
  let store: EventStore;
  try {
    // A `--data` directory holds the default (embedded) store.
    const backend = plugins.stores[0];
    if (!backend) throw new Error('this build has no store backend');
    store = backend.open({ dir: resolve(opts.data), synchronous: 'normal', readonly: true });
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
