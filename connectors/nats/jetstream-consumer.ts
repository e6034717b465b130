import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

/** The JetStream side of a Source with `stream`. */
export interface JetStreamTarget {
  readonly stream: string;
  readonly durable: string;
  readonly subject: string;
  readonly maxDeliver: number | undefined;
  readonly ackWaitMs: number;
  readonly deliverPolicy: 'all' | 'new';
}

/** A setup problem that retrying alone will not fix: the operator has to act (says how). */
export class JetStreamSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JetStreamSetupError';
  }
}

/** What ensureConsumer did, for the log. */
export type ConsumerSetup = 'created' | 'updated' | 'unchanged';

/**
 * Makes sure the durable pull consumer exists as the manifest describes it, idempotently:
 * several broker processes running the same Source may do this at once.
 *
 * Decisions:
 * - The stream is the user's (its subjects, retention, replicas and limits are theirs to
 *   choose): a missing stream is an error that names the fix, and is retried, never created.
 * - The consumer is the broker's: it is created when missing, and its filter subject,
 *   maxDeliver and ackWait follow the manifest (updated in place when they differ; the
 *   consumer's position is kept). deliverPolicy only matters when it is created.
 * - A consumer of that name that cannot serve (a push consumer, or one without explicit acks)
 *   is left alone, with an error: it may belong to someone else.
 */
export async function ensureConsumer(
  jsm: JetStreamManager,
  target: JetStreamTarget,
  serverVersion: string | undefined,
): Promise<ConsumerSetup> {
  try {
    await jsm.streams.info(target.stream);
  } catch (error) {
    if (isApiError(error, JetStreamApiCodes.StreamNotFound)) {
      throw new JetStreamSetupError(
        `stream ${target.stream} does not exist; trigger-broker reads a stream but does not create it ` +
          `(create it, e.g. \`nats stream add ${target.stream} --subjects "${target.subject}"\`); retrying`,
      );
    }
    throw error;
  }

  const wanted = consumerConfig(target);
  let existing: ConsumerInfo | undefined;
  try {
    existing = await jsm.consumers.info(target.stream, target.durable);
  } catch (error) {
    if (!isApiError(error, JetStreamApiCodes.ConsumerNotFound)) throw error;
  }
  if (existing === undefined) {
    await withConsumerContext(target, () => jsm.consumers.add(target.stream, wanted));
    return 'created';
  }

  const config = existing.config;
  if (config.deliver_subject !== undefined && config.deliver_subject !== '') {
    throw new JetStreamSetupError(
      `consumer ${target.durable} on stream ${target.stream} is a push consumer; trigger-broker needs a pull consumer: ` +
        'name another durable, or delete this one',
    );
  }
  if (config.ack_policy !== AckPolicy.Explicit) {
    throw new JetStreamSetupError(
      `consumer ${target.durable} on stream ${target.stream} has ack policy "${config.ack_policy}"; trigger-broker needs "explicit": ` +
        'name another durable, or delete this one',
    );
  }
  const changes: Partial<ConsumerConfig> = {};
  if ((config.filter_subject ?? '') !== target.subject) {
    // nats-server 2.9 accepts a new filter subject but goes on delivering by the old one
    // (messages on the new subjects stay pending); 2.10 made the update real.
    if (!canUpdateFilterSubject(serverVersion)) {
      throw new JetStreamSetupError(
        `consumer ${target.durable} on stream ${target.stream} filters "${config.filter_subject ?? ''}", not "${target.subject}", ` +
          `and nats-server ${serverVersion ?? '(unknown version)'} cannot change a consumer's filter: ` +
          `delete the consumer (\`nats consumer rm ${target.stream} ${target.durable}\`) or name another durable`,
      );
    }
    changes.filter_subject = target.subject;
  }
  if ((config.max_deliver ?? -1) !== wanted.max_deliver) changes.max_deliver = wanted.max_deliver;
  if (config.ack_wait !== wanted.ack_wait) changes.ack_wait = wanted.ack_wait;
  if (Object.keys(changes).length === 0) return 'unchanged';
  await withConsumerContext(target, () => jsm.consumers.update(target.stream, target.durable, changes));
  return 'updated';
}

function consumerConfig(target: JetStreamTarget): Partial<ConsumerConfig> & {
  max_deliver: number;
  ack_wait: number;
} {
  return {
    durable_name: target.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: target.deliverPolicy === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
    filter_subject: target.subject,
    max_deliver: target.maxDeliver ?? -1,
    ack_wait: nanos(target.ackWaitMs),
  };
}

/** The server's words (e.g. "consumer filter subject is not a valid subset of the interest subjects"), with which consumer. */
async function withConsumerContext<T>(target: JetStreamTarget, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof JetStreamApiError) {
      throw new JetStreamSetupError(
        `consumer ${target.durable} on stream ${target.stream} (subject ${target.subject}): ${error.message}`,
      );
    }
    throw error;
  }
}

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

/** Whether the server applies a filter subject update (nats-server 2.10 and later). */
export function canUpdateFilterSubject(serverVersion: string | undefined): boolean {
  const match = /^v?(\d+)\.(\d+)/.exec(serverVersion ?? '');
  if (match === null) return false;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major > 2 || (major === 2 && minor >= 10);
}
