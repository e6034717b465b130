import type { CloudEvent } from '../../broker/cloudevents/event.js';
import { BrokerError } from '../../broker/errors.js';
import type { MappingDefaults } from '../../broker/mapping/ce-mapping.js';
import type { ConnectorContext } from '../../broker/ports/connector.js';
import type { NatsEventReader, NatsMessageView } from './event-reader.js';

/** What became of one message; the caller acknowledges (or not) accordingly. */
export type StoreOutcome =
  /** Durably stored: acknowledge. */
  | { readonly kind: 'stored' }
  /** It can never be an event; it is durably in the dead-letter list: acknowledge (terminate). */
  | { readonly kind: 'dead-lettered'; readonly reason: string }
  /** Nothing was stored (overload, shutdown, a store failure): do not acknowledge; try later. */
  | { readonly kind: 'retry-later'; readonly error: string; readonly retryAfterMs: number | undefined };

/**
 * Reads a message into its event and stores it, following the connector contract: a message
 * that cannot become an event (a malformed binding message, a failed mapping, an attribute or
 * schema error) is dead-lettered with the reason and its raw payload; `overloaded` and
 * `unavailable` mean "not stored, try again".
 *
 * Decision: an error that is not a BrokerError (a bug, an unexpected rejection) counts as
 * "try again" when storing, so that a message is never given up on by accident; while reading,
 * it is dead-lettered, since reading the same bytes again would fail again.
 */
export async function storeMessage(
  context: ConnectorContext,
  read: NatsEventReader,
  message: NatsMessageView,
  defaults: MappingDefaults,
  origin: Record<string, string | number>,
): Promise<StoreOutcome> {
  let event: CloudEvent;
  try {
    event = read(message, defaults);
  } catch (error) {
    return deadLetter(context, reasonOf(error), message.data, origin);
  }
  try {
    await context.ingest([event]);
    return { kind: 'stored' };
  } catch (error) {
    if (error instanceof BrokerError && !isRetryable(error)) {
      return deadLetter(context, reasonOf(error), message.data, origin);
    }
    return retryLater(error);
  }
}

function isRetryable(error: BrokerError): boolean {
  return error.code === 'overloaded' || error.code === 'unavailable' || error.code === 'internal';
}

async function deadLetter(
  context: ConnectorContext,
  reason: string,
  payload: Uint8Array,
  origin: Record<string, string | number>,
): Promise<StoreOutcome> {
  try {
    await context.deadLetter({ reason, payload, origin });
    return { kind: 'dead-lettered', reason };
  } catch (error) {
    return retryLater(error, 'the dead letter could not be stored: ');
  }
}

function retryLater(error: unknown, prefix = ''): StoreOutcome {
  const retryAfter = error instanceof BrokerError ? error.retryAfter : undefined;
  return {
    kind: 'retry-later',
    error: prefix + reasonOf(error),
    retryAfterMs: retryAfter === undefined ? undefined : retryAfter * 1000,
  };
}

function reasonOf(error: unknown): string {
  if (error instanceof BrokerError) return `${error.code}: ${error.detail}`;
  return error instanceof Error ? error.message : String(error);
}
