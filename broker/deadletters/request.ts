/**
 * What a `deadletters replay` or `purge` asks for, read the same way from the command line and
 * from the admin API's JSON body, so both refuse the same mistakes with the same words.
 */
import { isRfc3339Timestamp } from '../cloudevents/timestamp.js';
import { parseDuration } from '../config/duration.js';
import { BrokerError } from '../errors.js';
import type { DeadLetterSelection } from '../ports/store.js';

/** Entries per transaction (one store transaction per batch) unless the request says otherwise. */
export const DEFAULT_BATCH_SIZE = 500;
export const MAX_BATCH_SIZE = 10_000;

/** A subscription name, as `metadata.name` allows it (schemas/definitions.schema.json). */
const SUBSCRIPTION_NAME = /^[a-z0-9-]{1,63}$/;

/**
 * The selection as given: times are still text (an RFC 3339 timestamp, or an ISO-8601 duration
 * meaning that long before now), resolved by the process that runs the operation.
 */
export interface DeadLetterRequestInput {
  subscription?: unknown;
  ids?: unknown;
  reason?: unknown;
  since?: unknown;
  until?: unknown;
  all?: unknown;
  to?: unknown;
  dryRun?: unknown;
  batchSize?: unknown;
}

export interface DeadLetterRequest {
  selection: DeadLetterSelection;
  /** Replay only: the subscription to queue the entries for, instead of each entry's own. */
  to?: string;
  dryRun: boolean;
  batchSize: number;
}

/** Reads and checks a replay or purge request; throws BrokerError `bad_request` or `empty_selection`. */
export function readDeadLetterRequest(
  input: DeadLetterRequestInput,
  operation: 'replay' | 'purge',
  now: number = Date.now(),
): DeadLetterRequest {
  const selection = readSelection(input, now);
  if (input.all !== undefined && typeof input.all !== 'boolean')
    throw new BrokerError('bad_request', '"all" must be true or false');
  if (isEmptySelection(selection) && input.all !== true) {
    throw new BrokerError(
      'empty_selection',
      `${operation} needs a selection (--id, --subscription, --reason, --since or --until); to ${operation} every dead letter, say so with --all ("all": true)`,
    );
  }
  if (input.dryRun !== undefined && typeof input.dryRun !== 'boolean')
    throw new BrokerError('bad_request', '"dryRun" must be true or false');
  let to: string | undefined;
  if (input.to !== undefined) {
    if (operation !== 'replay') throw new BrokerError('bad_request', '"to" applies to replay only');
    if (typeof input.to !== 'string' || !SUBSCRIPTION_NAME.test(input.to))
      throw new BrokerError(
        'bad_request',
        `"to" must be a subscription name ([a-z0-9-], 1 to 63 characters)`,
      );
    to = input.to;
  }
  let batchSize = DEFAULT_BATCH_SIZE;
  if (input.batchSize !== undefined) {
    const n = input.batchSize;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_BATCH_SIZE)
      throw new BrokerError('bad_request', `"batchSize" must be an integer from 1 to ${MAX_BATCH_SIZE}`);
    batchSize = n;
  }
  return { selection, ...(to === undefined ? {} : { to }), dryRun: input.dryRun === true, batchSize };
}

/** Reads the selection criteria alone (also what a listing takes). */
export function readSelection(input: DeadLetterRequestInput, now: number = Date.now()): DeadLetterSelection {
  const selection: DeadLetterSelection = {};
  if (input.subscription !== undefined) {
    if (typeof input.subscription !== 'string' || input.subscription === '')
      throw new BrokerError('bad_request', '"subscription" must be a non-empty string');
    selection.subscription = input.subscription;
  }
  if (input.ids !== undefined) {
    const ids = typeof input.ids === 'string' ? [input.ids] : input.ids;
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string' && id !== ''))
      throw new BrokerError('bad_request', '"ids" must be a non-empty list of event ids');
    selection.ids = ids as string[];
  }
  if (input.reason !== undefined) {
    if (typeof input.reason !== 'string' || input.reason === '')
      throw new BrokerError('bad_request', '"reason" must be a non-empty string');
    selection.reason = input.reason;
  }
  if (input.since !== undefined) selection.since = readTime(input.since, 'since', now);
  if (input.until !== undefined) selection.until = readTime(input.until, 'until', now);
  if (selection.since !== undefined && selection.until !== undefined && selection.since > selection.until)
    throw new BrokerError('bad_request', '"since" is after "until": the time range selects nothing');
  return selection;
}

export function isEmptySelection(selection: DeadLetterSelection): boolean {
  return (
    selection.subscription === undefined &&
    selection.ids === undefined &&
    selection.reason === undefined &&
    selection.since === undefined &&
    selection.until === undefined
  );
}

const LEAP_SECOND = /:60(?=[.Zz+-])/;

/** An RFC 3339 timestamp, or an ISO-8601 duration counted back from `now` (`PT1H`: an hour ago). */
function readTime(value: unknown, name: string, now: number): number {
  if (typeof value === 'string') {
    if (isRfc3339Timestamp(value)) {
      // A leap second (23:59:60) is RFC 3339 but not Date.parse: read it as the second after :59.
      return LEAP_SECOND.test(value)
        ? Date.parse(value.replace(LEAP_SECOND, ':59')) + 1000
        : Date.parse(value);
    }
    if (value.startsWith('P')) {
      const parsed = parseDuration(value);
      if ('ms' in parsed) return now - parsed.ms;
      throw new BrokerError('bad_request', `"${name}": ${parsed.error}`);
    }
  }
  throw new BrokerError(
    'bad_request',
    `"${name}" must be an RFC 3339 timestamp (2024-05-01T12:00:00Z) or an ISO-8601 duration before now (PT1H), not ${JSON.stringify(value)}`,
  );
}

/** Whether `name` names a subscription rather than an origin such as `eventschema/NAME` or `source/NAME`. */
export function isSubscriptionName(name: string): boolean {
  return SUBSCRIPTION_NAME.test(name);
}
