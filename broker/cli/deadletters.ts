import { eventToJson } from '../cloudevents/json-format.js';
import { type DeadLetterOutcome, purgeDeadLetters, replayDeadLetters } from '../deadletters/operations.js';
import { type DeadLetterRequestInput, readDeadLetterRequest, readSelection } from '../deadletters/request.js';
import { BrokerError } from '../errors.js';
import type { PluginSet } from '../ports/plugins.js';
import { type DeadLetterEntry, type EventStore, StoreInUseError } from '../ports/store.js';
import { configuredStoreLocation, storeBackend } from '../store-location.js';
import { AdminCallError, adminToken, callAdmin, jsonBody } from './admin-client.js';

/** Options every `deadletters` command shares: where the dead letters are. */
interface Where {
  /**
   * The configuration directory `start` is given (`[DIR]`, default ./config when it exists):
   * its Broker manifest's spec.store says where the store is (store-location.ts).
   */
  dir?: string;
  /** `--data`, as `start` takes it. */
  data?: string;
  /** A running broker's base URL: go through its admin API instead of the store directory. */
  url?: string;
  token?: string;
}

interface Selecting {
  subscription?: string;
  id?: string[];
  reason?: string;
  since?: string;
  until?: string;
}

export type ListOptions = Where & Selecting & { limit: number; json?: boolean };

export type ChangeOptions = Where &
  Selecting & {
    all?: boolean;
    to?: string;
    dryRun?: boolean;
    batchSize?: number;
    json?: boolean;
  };

/**
 * Lists the dead-letter list of a store: each event that failed for good, with its reason,
 * last status, last error and what became of the copy sent to the dead-letter sink.
 * Reads the store read-only, so it can run beside a running broker; with `--url`, asks the
 * broker's admin API instead.
 */
export async function runDeadLetters(opts: ListOptions, plugins: PluginSet): Promise<number> {
  const command = 'trigger-broker deadletters';
  if (tokenWithoutUrl(command, opts)) return 2;
  let entries: { record: Record<string, unknown>; event: Record<string, unknown> }[];
  try {
    if (opts.url !== undefined) {
      const query = new URLSearchParams();
      if (opts.subscription !== undefined) query.set('subscription', opts.subscription);
      for (const id of opts.id ?? []) query.append('id', id);
      if (opts.reason !== undefined) query.set('reason', opts.reason);
      if (opts.since !== undefined) query.set('since', opts.since);
      if (opts.until !== undefined) query.set('until', opts.until);
      query.set('limit', String(opts.limit));
      const answer = (await callAdmin(
        { url: opts.url, token: adminToken(opts.token) },
        'GET',
        `/admin/deadletters?${query}`,
      )) as { deadLetters: (Record<string, unknown> & { event: Record<string, unknown> })[] };
      entries = answer.deadLetters.map(({ event, ...record }) => ({ record, event }));
    } else {
      const selection = readSelection(selectionInput(opts));
      const store = openStore(opts, plugins, 'read');
      try {
        entries = store
          .deadLetters({ ...selection, limit: opts.limit })
          .map(({ event, ...record }: DeadLetterEntry) => ({
            record: { ...record },
            event: eventToJson(event),
          }));
      } finally {
        store.close();
      }
    }
  } catch (err) {
    return failed(command, err);
  }
  for (const { record, event } of entries) {
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ ...record, event })}\n`);
    } else {
      process.stdout.write(
        `${new Date(Number(record['at'])).toISOString()} ${String(record['subscription'])} id=${String(event['id'])} source=${String(event['source'])} type=${String(event['type'])} status=${String(record['status'])} attempts=${String(record['attempts'])} reason="${String(record['reason'])}" deadLetterSink=${String(record['deadLetterSinkOutcome'])}\n`,
      );
    }
  }
  if (!opts.json) process.stdout.write(`${entries.length} dead letter(s)\n`);
  return 0;
}

/**
 * `deadletters replay` and `deadletters purge`: through the broker's admin API with `--url`,
 * else on the store directory, which no broker may hold meanwhile (the store refuses a second
 * writer). Both refuse a request that selects nothing in particular unless `--all` says so.
 */
export async function runDeadLetterChange(
  operation: 'replay' | 'purge',
  opts: ChangeOptions,
  plugins: PluginSet,
): Promise<number> {
  const command = `trigger-broker deadletters ${operation}`;
  if (tokenWithoutUrl(command, opts)) return 2;
  const input: DeadLetterRequestInput = {
    ...selectionInput(opts),
    ...(opts.all ? { all: true } : {}),
    ...(opts.to !== undefined ? { to: opts.to } : {}),
    ...(opts.dryRun ? { dryRun: true } : {}),
    ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}),
  };
  let outcome: DeadLetterOutcome;
  try {
    // Checked here first, so a mistake is refused before anything is opened or sent.
    const request = readDeadLetterRequest(input, operation);
    if (opts.url !== undefined) {
      outcome = (await callAdmin(
        { url: opts.url, token: adminToken(opts.token) },
        'POST',
        `/admin/deadletters/${operation}`,
        jsonBody(input),
      )) as DeadLetterOutcome;
    } else {
      const store = openStore(opts, plugins, 'write');
      try {
        outcome =
          operation === 'replay'
            ? await replayDeadLetters(store, request)
            : await purgeDeadLetters(store, request);
      } finally {
        store.close();
      }
    }
  } catch (err) {
    return failed(command, err);
  }
  process.stdout.write(opts.json ? `${JSON.stringify(outcome)}\n` : formatOutcome(outcome));
  return 0;
}

/** What a replay or purge did, for people. */
export function formatOutcome(outcome: DeadLetterOutcome): string {
  const verb = outcome.operation === 'replay' ? 'replay' : 'purge';
  const target =
    outcome.operation === 'replay'
      ? outcome.to === undefined
        ? ' to their subscriptions'
        : ` to subscription ${outcome.to}`
      : '';
  const lines: string[] = [];
  if (outcome.dryRun) {
    for (const item of outcome.items)
      lines.push(
        `would ${verb} ${item.subscription} id=${item.id} seq=${item.seq} at=${item.at} reason="${item.reason}"`,
      );
  }
  for (const item of outcome.skippedItems)
    lines.push(`skipped ${item.subscription} id=${item.id} seq=${item.seq}: ${item.why}`);
  if (outcome.skipped > outcome.skippedItems.length)
    lines.push(`... and ${outcome.skipped - outcome.skippedItems.length} more skipped`);
  const past = outcome.operation === 'replay' ? 'replayed' : 'purged';
  lines.push(
    outcome.dryRun
      ? `dry run: ${outcome.done} of ${outcome.selected} selected dead letter(s) would be ${past}${target}, ${outcome.skipped} skipped; nothing was changed`
      : `${past} ${outcome.done} of ${outcome.selected} selected dead letter(s)${target}, ${outcome.skipped} skipped`,
  );
  return `${lines.join('\n')}\n`;
}

function selectionInput(opts: Selecting): DeadLetterRequestInput {
  return {
    ...(opts.subscription !== undefined ? { subscription: opts.subscription } : {}),
    ...(opts.id !== undefined && opts.id.length > 0 ? { ids: opts.id } : {}),
    ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
    ...(opts.since !== undefined ? { since: opts.since } : {}),
    ...(opts.until !== undefined ? { until: opts.until } : {}),
  };
}

/**
 * The store `start` uses for the same arguments (`[DIR]` and `--data`, store-location.ts):
 * read-only for a listing (beside a running broker), for writing for a replay or purge, which
 * the store refuses while a broker holds it.
 */
function openStore(where: Where, plugins: PluginSet, mode: 'read' | 'write'): EventStore {
  const location = configuredStoreLocation(where.dir, where.data);
  const backend = storeBackend(plugins, location.type);
  const dir = location.dir;
  try {
    return backend.open({
      dir,
      synchronous: 'full',
      ...(mode === 'read' ? { readonly: true } : { mustExist: true }),
    });
  } catch (err) {
    if (err instanceof StoreInUseError) throw err;
    throw new Error(`cannot open the store in ${dir}: ${(err as Error).message}`, { cause: err });
  }
}

/** `--token` alone would be silently ignored: say so instead. */
export function tokenWithoutUrl(command: string, opts: { url?: string; token?: string }): boolean {
  if (opts.token === undefined || opts.url !== undefined) return false;
  process.stderr.write(`${command}: --token goes with --url (the admin API of a running broker)\n`);
  return true;
}

/** Prints why the command failed; exit 2 for a request refused as given, else 1. */
function failed(command: string, err: unknown): number {
  if (err instanceof BrokerError) {
    process.stderr.write(`${command}: ${err.detail}\n`);
    return 2;
  }
  if (err instanceof StoreInUseError) {
    process.stderr.write(
      `${command}: ${err.message}. If a broker runs on it, go through the broker: --url http://HOST:PORT --token TOKEN (Broker spec.admin.tokens); or stop it first.\n`,
    );
    return 1;
  }
  if (err instanceof AdminCallError) {
    process.stderr.write(`${command}: ${err.message}\n`);
    return 1;
  }
  process.stderr.write(`${command}: ${(err as Error).message}\n`);
  return 1;
}
