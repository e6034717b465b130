/**
 * Replay and purge of dead letters, over the store port, in batches: each batch is one store
 * transaction (`requeueDeadLetters`, `purgeDeadLetters`), so a crash in the middle of a large
 * replay leaves every selected entry either still a dead letter or queued, never both and never
 * neither (docs/architecture.md, "Dead-letter replay"). The same code runs in the broker (the
 * admin API, which then wakes the subscriptions it queued for) and in the command line on a
 * store no broker holds.
 */
import type { CloudEvent } from '../cloudevents/event.js';
import { BrokerError } from '../errors.js';
import type { DeadLetterCursor, DeadLetterEntry, DeadLetterKey, EventStore } from '../ports/store.js';
import { type DeadLetterRequest, isSubscriptionName } from './request.js';

/** Listed in a result: at most this many entries (the counts are always complete). */
const LISTED = 1000;

export interface DeadLetterItem {
  subscription: string;
  seq: number;
  id: string;
  reason: string;
  at: string;
}

export interface DeadLetterOutcome {
  operation: 'replay' | 'purge';
  dryRun: boolean;
  /** Replay: where the entries were queued; unset: each to its own subscription. */
  to?: string;
  /** Entries the selection matched. */
  selected: number;
  /** Replayed or purged (a dry run: would be). */
  done: number;
  /** The first of them, for a report. */
  items: DeadLetterItem[];
  /** Left as they were, with the reason. */
  skipped: number;
  skippedItems: (DeadLetterItem & { why: string })[];
}

export interface OperationContext {
  /**
   * The subscriptions of the running configuration: a replay is refused for a `to` outside it,
   * and skips entries whose own subscription is not in it. Unset (the command line on a store no
   * broker runs): not checked.
   */
  subscriptions?: ReadonlySet<string>;
  /** After each committed batch of a replay: deliveries queued per subscription (the dispatcher). */
  requeued?(counts: ReadonlyMap<string, number>): void;
  /** Asked before each batch: true stops the operation there (the broker is shutting down). */
  stopping?(): boolean;
  now?(): number;
}

/** Re-queues the selected dead letters, batch after batch; see the module comment. */
export async function replayDeadLetters(
  store: EventStore,
  request: DeadLetterRequest,
  context: OperationContext = {},
): Promise<DeadLetterOutcome> {
  const { to } = request;
  if (to !== undefined && context.subscriptions && !context.subscriptions.has(to))
    throw new BrokerError('unknown_subscription', `there is no subscription "${to}" to replay to`);
  return run(store, request, context, 'replay', (entry) => {
    const target = to ?? entry.subscription;
    if (!isSubscriptionName(target))
      return `not a subscription's dead letter (${entry.subscription} refused the event): replay it with a target subscription`;
    if (context.subscriptions && !context.subscriptions.has(target))
      return `subscription ${target} is not in the running configuration`;
    return undefined;
  });
}

/** Removes the selected dead letters, batch after batch. */
export async function purgeDeadLetters(
  store: EventStore,
  request: DeadLetterRequest,
  context: OperationContext = {},
): Promise<DeadLetterOutcome> {
  return run(store, request, context, 'purge', () => undefined);
}

async function run(
  store: EventStore,
  request: DeadLetterRequest,
  context: OperationContext,
  operation: 'replay' | 'purge',
  refuse: (entry: DeadLetterEntry) => string | undefined,
): Promise<DeadLetterOutcome> {
  const outcome: DeadLetterOutcome = {
    operation,
    dryRun: request.dryRun,
    ...(request.to === undefined ? {} : { to: request.to }),
    selected: 0,
    done: 0,
    items: [],
    skipped: 0,
    skippedItems: [],
  };
  // Entries dead-lettered after the operation began are not selected: a replayed event that
  // fails again at once is not replayed again by the same request.
  const startedAt = context.now?.() ?? Date.now();
  const until = Math.min(request.selection.until ?? startedAt, startedAt);
  let after: DeadLetterCursor | undefined;
  for (;;) {
    if (context.stopping?.())
      throw new BrokerError(
        'unavailable',
        `the broker is stopping: ${outcome.done} of the selection done so far (each batch whole); run the same ${operation} again to finish it`,
        { retryAfter: 5 },
      );
    const page = store.deadLetters({
      ...request.selection,
      until,
      limit: request.batchSize,
      ...(after ? { after } : {}),
    });
    if (page.length === 0) break;
    const last = page[page.length - 1]!;
    after = { at: last.at, subscription: last.subscription, seq: last.seq };
    outcome.selected += page.length;
    const byKey = new Map(page.map((entry) => [keyOf(entry), entry]));
    const eligible: DeadLetterKey[] = [];
    for (const entry of page) {
      const why =
        refuse(entry) ??
        (request.dryRun && entry.deadLetterSinkOutcome === 'pending'
          ? 'its copy for the dead-letter sink is still pending'
          : undefined);
      if (why !== undefined) skip(outcome, entry, why);
      else eligible.push({ subscription: entry.subscription, seq: entry.seq });
    }
    if (request.dryRun) {
      for (const key of eligible) done(outcome, byKey.get(keyOf(key))!);
      continue;
    }
    if (eligible.length === 0) continue;
    const change =
      operation === 'replay'
        ? await store.requeueDeadLetters(eligible, request.to)
        : await store.purgeDeadLetters(eligible);
    for (const key of change.done) done(outcome, byKey.get(keyOf(key))!);
    for (const key of change.skipped) skip(outcome, byKey.get(keyOf(key))!, key.why);
    if (operation === 'replay' && change.done.length > 0) {
      const counts = new Map<string, number>();
      for (const key of change.done) {
        const target = request.to ?? key.subscription;
        counts.set(target, (counts.get(target) ?? 0) + 1);
      }
      context.requeued?.(counts);
    }
  }
  return outcome;
}

function keyOf(key: DeadLetterKey): string {
  return `${key.seq}\u0000${key.subscription}`;
}

function done(outcome: DeadLetterOutcome, entry: DeadLetterEntry): void {
  outcome.done += 1;
  if (outcome.items.length < LISTED) outcome.items.push(item(entry));
}

function skip(outcome: DeadLetterOutcome, entry: DeadLetterEntry, why: string): void {
  outcome.skipped += 1;
  if (outcome.skippedItems.length < LISTED) outcome.skippedItems.push({ ...item(entry), why });
}

function item(entry: DeadLetterEntry): DeadLetterItem {
  return {
    subscription: entry.subscription,
    seq: entry.seq,
    id: eventId(entry.event),
    reason: entry.reason,
    at: new Date(entry.at).toISOString(),
  };
}

function eventId(event: CloudEvent): string {
  return String(event.attributes['id'] ?? '');
}
